/**
 * What Node's X509Certificate does not read (Node 20): the signature algorithm, and the
 * URLs a certificate carries for revocation. The DER is parsed by node-forge's ASN.1
 * reader (a library, not a hand-written decoder) and the fields are taken by position from
 * RFC 5280's Certificate. PKI.js parses too, through asn1js, but at ~2 ms of CPU per
 * certificate (asn1js's BER reader alone) against forge's ~0.1 ms, and a fleet of tenants
 * brings a new leaf on almost every probe. PKI.js stays for what it is needed for: OCSP
 * (`revocation.ts`).
 */
import { createHash } from 'node:crypto';
import { BoundedCache, CACHE_BOUNDS } from '../caches.js';
import type forge from 'node-forge';
import type * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { forgeLib, pkijsLib } from './libs.js';

/** Signature algorithms by OID (RFC 3279, RFC 4055, RFC 5758, RFC 8410), with their hash. */
const SIGNATURE_ALGORITHMS: Record<string, { name: string; hash: string | null }> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { name: 'rsassa-pss', hash: null },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-sha1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-sha256', hash: 'sha256' },
  '1.3.101.112': { name: 'Ed25519', hash: null },
  '1.3.101.113': { name: 'Ed448', hash: null },
};

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Facts about one certificate that only its DER tells. */
export interface CertificateDer {
  /** The signature algorithm's name (`sha256WithRSAEncryption`, `ecdsa-with-SHA256` …), or its OID when unknown. */
  signatureAlgorithm: string;
  /** The hash under the signature (`sha256`, `sha1` …); null for Ed25519/Ed448 or an unknown algorithm. */
  signatureHash: string | null;
  /** CRL distribution point URIs (RFC 5280 §4.2.1.13). */
  crlUrls: string[];
  /** OCSP responder URIs from Authority Information Access (RFC 5280 §4.2.2.1). */
  ocspUrls: string[];
}

/** A signature algorithm by OID: its name and hash; undefined when unknown. */
export function signatureByOid(oid: string): { signatureAlgorithm: string; signatureHash: string | null } | undefined {
  const known = SIGNATURE_ALGORITHMS[oid];
  return known ? { signatureAlgorithm: known.name, signatureHash: known.hash } : undefined;
}

/** Parses a DER certificate with PKI.js. Throws when the DER does not parse. */
export function parseDer(raw: Uint8Array): pkijs.Certificate {
  return pkijsLib().Certificate.fromBER(new Uint8Array(raw));
}

type Node = forge.asn1.Asn1;

/** forge's fromDer takes an options object (node-forge ≥ 0.10); @types/node-forge knows only `strict`. */
type FromDer = (input: forge.util.ByteStringBuffer, options: { parseAllBytes?: boolean; decodeBitStrings?: boolean }) => Node;

function parse(der: string): Node {
  const lib = forgeLib();
  return (lib.asn1.fromDer as unknown as FromDer)(lib.util.createBuffer(der), { parseAllBytes: true, decodeBitStrings: false });
}
const children = (node: Node | undefined): Node[] => (Array.isArray(node?.value) ? (node.value as Node[]) : []);
/** Context-specific class (0x80), as forge's asn1.Class.CONTEXT_SPECIFIC. */
const isContext = (node: Node | undefined, tag: number): boolean => node?.tagClass === 0x80 && node.type === tag;
/** A universal OBJECT IDENTIFIER (tag 6), dotted. */
const oidOf = (node: Node | undefined): string | null =>
  node?.tagClass === 0x00 && node.type === 6 ? forgeLib().asn1.derToOid(node.value as string) : null;

const ID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const ID_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const ID_AD_OCSP = '1.3.6.1.5.5.7.48.1';

/** AlgorithmIdentifier → name and hash; RSASSA-PSS names its hash in the parameters (RFC 4055 §3.1, absent = SHA-1). */
function signatureOf(algorithm: Node | undefined): { signatureAlgorithm: string; signatureHash: string | null } {
  const [idNode, params] = children(algorithm);
  const oid = oidOf(idNode);
  if (!oid) return { signatureAlgorithm: 'unknown', signatureHash: null };
  const known = SIGNATURE_ALGORITHMS[oid];
  if (!known) return { signatureAlgorithm: oid, signatureHash: null };
  if (known.name !== 'rsassa-pss') return { signatureAlgorithm: known.name, signatureHash: known.hash };
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] EXPLICIT AlgorithmIdentifier DEFAULT sha1, … }
  const hashField = children(params).find((n) => isContext(n, 0));
  const hashOid = oidOf(children(children(hashField)[0])[0]);
  const hash = hashOid ? (HASHES[hashOid] ?? hashOid) : 'sha1';
  return { signatureAlgorithm: `rsassa-pss (${hash})`, signatureHash: hash };
}

/** The URIs among GeneralNames (uniformResourceIdentifier, [6] IA5String). */
function uris(names: Node[]): string[] {
  return names.filter((n) => isContext(n, 6) && typeof n.value === 'string').map((n) => n.value as string);
}

/** CRLDistributionPoints: each DistributionPoint's fullName ([0] → [0] GeneralNames), RFC 5280 §4.2.1.13. */
function crlUrlsOf(value: Node): string[] {
  return children(value).flatMap((point) => {
    const name = children(point).find((n) => isContext(n, 0));
    const fullName = children(name).find((n) => isContext(n, 0));
    return uris(children(fullName));
  });
}

/** AuthorityInfoAccessSyntax: the accessLocations of id-ad-ocsp, RFC 5280 §4.2.2.1. */
function ocspUrlsOf(value: Node): string[] {
  return children(value).flatMap((description) => {
    const [method, location] = children(description);
    return oidOf(method) === ID_AD_OCSP && location ? uris([location]) : [];
  });
}

/** Reads the facts from a DER certificate. Throws when it is not one. */
function readFacts(raw: Uint8Array): CertificateDer {
  const [tbs, signatureAlgorithm] = children(parse(Buffer.from(raw).toString('binary')));
  if (!tbs || !signatureAlgorithm) throw new Error('not a Certificate');
  // TBSCertificate: the extensions are [3] EXPLICIT SEQUENCE OF Extension (RFC 5280 §4.1).
  const extensions = children(children(children(tbs).find((n) => isContext(n, 3)))[0]);
  let crlUrls: string[] = [];
  let ocspUrls: string[] = [];
  for (const extension of extensions) {
    const fields = children(extension);
    const id = oidOf(fields[0]);
    if (id !== ID_CRL_DISTRIBUTION_POINTS && id !== ID_AUTHORITY_INFO_ACCESS) continue;
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const octets = fields.at(-1)?.value;
    if (typeof octets !== 'string') continue;
    const value = parse(octets);
    if (id === ID_CRL_DISTRIBUTION_POINTS) crlUrls = crlUrlsOf(value);
    else ocspUrls = ocspUrlsOf(value);
  }
  return { ...signatureOf(signatureAlgorithm), crlUrls, ocspUrls };
}

/**
 * Certificates already read, by the SHA-256 of their DER. A certificate never changes,
 * and the same ones come back on every path, every scrape and every shared intermediate,
 * so each is read once.
 */
const derCache = new BoundedCache<string, CertificateDer>(CACHE_BOUNDS.derFacts);

/** What the DER says beyond Node's X509Certificate; null fields when it does not parse. */
export function readDer(raw: Uint8Array): CertificateDer {
  const key = createHash('sha256').update(raw).digest('base64');
  const cached = derCache.get(key);
  if (cached) return cached;
  let facts: CertificateDer;
  try {
    facts = readFacts(raw);
  } catch {
    facts = { signatureAlgorithm: 'unknown', signatureHash: null, crlUrls: [], ocspUrls: [] };
  }
  derCache.set(key, Object.freeze(facts));
  return facts;
}

/** Hex of an INTEGER's value, upper-case, as Node prints `X509Certificate.serialNumber`. */
export function serialHex(value: asn1js.Integer): string {
  return Buffer.from(value.valueBlock.valueHexView).toString('hex').toUpperCase().replace(/^(00)+(?=.)/, '');
}
