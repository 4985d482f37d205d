/**
 * What Node's X509Certificate does not read (Node 20): the signature algorithm, and the
 * URLs a certificate carries for revocation. Read from the DER with PKI.js / asn1js, a
 * maintained ASN.1 library, rather than by hand; the same library checks OCSP and CRLs
 * (`revocation.ts`).
 */
import { createHash } from 'node:crypto';
import type * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { pkijsLib } from './libs.js';

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

function signatureOf(cert: pkijs.Certificate): { signatureAlgorithm: string; signatureHash: string | null } {
  const oid = cert.signatureAlgorithm.algorithmId;
  const known = SIGNATURE_ALGORITHMS[oid];
  if (!known) return { signatureAlgorithm: oid, signatureHash: null };
  if (known.name !== 'rsassa-pss') return { signatureAlgorithm: known.name, signatureHash: known.hash };
  // RFC 4055 §3.1: the hash is in the parameters; absent means SHA-1.
  let hash = 'sha1';
  try {
    const params = new (pkijsLib().RSASSAPSSParams)({ schema: cert.signatureAlgorithm.algorithmParams });
    hash = HASHES[params.hashAlgorithm.algorithmId] ?? params.hashAlgorithm.algorithmId;
  } catch {
    // unparsable parameters: keep the RFC default
  }
  return { signatureAlgorithm: `rsassa-pss (${hash})`, signatureHash: hash };
}

/** The URIs among GeneralNames (tag 6, uniformResourceIdentifier). */
function uris(names: pkijs.GeneralName[] | undefined): string[] {
  return (names ?? []).filter((n) => n.type === 6 && typeof n.value === 'string').map((n) => n.value as string);
}

function crlUrlsOf(cert: pkijs.Certificate): string[] {
  const ext = cert.extensions?.find((e) => e.extnID === pkijsLib().id_CRLDistributionPoints);
  const parsed = ext?.parsedValue as pkijs.CRLDistributionPoints | undefined;
  return (parsed?.distributionPoints ?? []).flatMap((dp) =>
    Array.isArray(dp.distributionPoint) ? uris(dp.distributionPoint as pkijs.GeneralName[]) : [],
  );
}

function ocspUrlsOf(cert: pkijs.Certificate): string[] {
  const ext = cert.extensions?.find((e) => e.extnID === pkijsLib().id_AuthorityInfoAccess);
  const parsed = ext?.parsedValue as pkijs.InfoAccess | undefined;
  return (parsed?.accessDescriptions ?? [])
    .filter((d) => d.accessMethod === pkijsLib().id_ad_ocsp)
    .flatMap((d) => uris([d.accessLocation]));
}

/**
 * Certificates already read, by the SHA-256 of their DER. A certificate never changes,
 * and the same ones come back on every path, every scrape and every shared intermediate,
 * while a full PKI.js parse costs a few ms of CPU: most of a probe's, before this cache.
 */
const derCache = new Map<string, CertificateDer>();
const DER_CACHE_SIZE = 2048;

/** What the DER says beyond Node's X509Certificate; null fields when it does not parse. */
export function readDer(raw: Uint8Array): CertificateDer {
  const key = createHash('sha256').update(raw).digest('base64');
  const cached = derCache.get(key);
  if (cached) return cached;
  let facts: CertificateDer;
  try {
    const cert = parseDer(raw);
    facts = { ...signatureOf(cert), crlUrls: crlUrlsOf(cert), ocspUrls: ocspUrlsOf(cert) };
  } catch {
    facts = { signatureAlgorithm: 'unknown', signatureHash: null, crlUrls: [], ocspUrls: [] };
  }
  // Oldest first out: Map keeps insertion order.
  if (derCache.size >= DER_CACHE_SIZE) derCache.delete(derCache.keys().next().value as string);
  derCache.set(key, Object.freeze(facts));
  return facts;
}

/** Hex of an INTEGER's value, upper-case, as Node prints `X509Certificate.serialNumber`. */
export function serialHex(value: asn1js.Integer): string {
  return Buffer.from(value.valueBlock.valueHexView).toString('hex').toUpperCase().replace(/^(00)+(?=.)/, '');
}
