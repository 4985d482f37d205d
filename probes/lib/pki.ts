/**
 * What Node's X509Certificate does not read (Node 20): the signature algorithm, and the
 * URLs a certificate carries for revocation; and, cheaper than Node's KeyObject, the
 * public key's type and size. Only the fields needed are walked, by position in RFC 5280's
 * Certificate, with a DER element reader (X.690: tag, definite length, contents) that
 * throws on anything else. PKI.js parses everything, but at ~2 ms of CPU per certificate
 * (asn1js's BER reader alone), node-forge's full parse at ~0.1 ms; this walk costs a few
 * µs, and a fleet of tenants brings a new leaf on almost every probe. PKI.js stays for what
 * it is needed for: OCSP (`revocation.ts`); test/pki-read.test.ts checks this reading
 * against PKI.js's.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { BoundedCache, CACHE_BOUNDS } from '../caches.js';
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

/**
 * One DER element (X.690 §8.1): its tag byte and where its contents lie in the buffer.
 * DER only: definite lengths, one-byte tags (every field read here has one).
 */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/**
 * The element at `pos`, which must end by `limit`; throws on anything that is not DER.
 * `into` is written and returned instead of a new element: for a look that keeps nothing
 * (an extension's extnID, a name's RDN), so a new leaf's walk makes fewer objects.
 */
function tlv(der: Uint8Array, pos: number, limit: number, into?: Tlv): Tlv {
  if (pos + 2 > limit) throw new Error('truncated');
  const tag = der[pos] as number;
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte tag');
  let length = der[pos + 1] as number;
  let start = pos + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new Error('bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new Error('truncated');
  if (!into) return { tag, start, end };
  into.tag = tag;
  into.start = start;
  into.end = end;
  return into;
}

/** Scratch elements for looks that keep nothing: each is used by one function, within one step. */
const EXTN_ID: Tlv = { tag: 0, start: 0, end: 0 };
const RDN: Tlv = { tag: 0, start: 0, end: 0 };
const AVA: Tlv = { tag: 0, start: 0, end: 0 };
const ATTRIBUTE_TYPE: Tlv = { tag: 0, start: 0, end: 0 };
const ATTRIBUTE_VALUE: Tlv = { tag: 0, start: 0, end: 0 };

/**
 * The elements inside a constructed element.
 *
 * The walk below indexes these lists rather than destructuring them or looping with
 * `for…of`: a fleet reads a new leaf on nearly every probe, in code V8 has mostly not
 * optimised yet, and there each of those runs the iterator protocol (an iterator and a
 * result object a step): a third of what reading a certificate allocated.
 */
function childrenOf(der: Uint8Array, parent: Tlv | undefined): Tlv[] {
  const out: Tlv[] = [];
  if (!parent || !(parent.tag & 0x20)) return out;
  for (let pos = parent.start; pos < parent.end; ) {
    const child = tlv(der, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** The first context-specific [n] element of `nodes`. */
function contextChild(nodes: readonly Tlv[], n: number): Tlv | undefined {
  for (let i = 0; i < nodes.length; i++) if (isContext(nodes[i], n)) return nodes[i];
  return undefined;
}

/** The one element that fills `der[start, end)` exactly (trailing bytes are an error). */
function whole(der: Uint8Array, start: number, end: number): Tlv {
  const element = tlv(der, start, end);
  if (element.end !== end) throw new Error('trailing bytes');
  return element;
}

const SEQUENCE = 0x30;
const OID = 0x06;
const BIT_STRING = 0x03;
const INTEGER = 0x02;
/** Context-specific tag [n], primitive or constructed. */
const isContext = (node: Tlv | undefined, n: number): boolean => node !== undefined && (node.tag & 0xdf) === (0x80 | n);

/** An OBJECT IDENTIFIER, dotted (X.690 §8.19); null for anything else. */
function oidOf(der: Uint8Array, node: Tlv | undefined): string | null {
  if (!node || node.tag !== OID || node.end === node.start) return null;
  let text = '';
  let value = 0;
  let big: bigint | null = null;
  for (let i = node.start; i < node.end; i++) {
    const byte = der[i] as number;
    // An arc beyond 2^53 (a UUID OID, 2.25.…) is read as a BigInt.
    if (big !== null || value >= 2 ** 45) big = ((big ?? BigInt(value)) << 7n) | BigInt(byte & 0x7f);
    else value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    const arc = big ?? value;
    if (!text) text = arc < 80 ? `${Math.floor(Number(arc) / 40)}.${Number(arc) % 40}` : `2.${typeof arc === 'bigint' ? arc - 80n : arc - 80}`;
    else text += `.${arc}`;
    value = 0;
    big = null;
  }
  return text;
}

/**
 * Is `node` the OBJECT IDENTIFIER whose contents octets are `octets`? The OIDs the walk
 * looks for are compared in place: making every extension's dotted text cost a handful of
 * strings per extension on every new certificate.
 */
function isOid(der: Uint8Array, node: Tlv | undefined, octets: readonly number[]): boolean {
  if (node?.tag !== OID || node.end - node.start !== octets.length) return false;
  for (let i = 0; i < octets.length; i++) if (der[node.start + i] !== octets[i]) return false;
  return true;
}

const ID_CRL_DISTRIBUTION_POINTS = [0x55, 0x1d, 0x1f]; // 2.5.29.31
const ID_AUTHORITY_INFO_ACCESS = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01]; // 1.3.6.1.5.5.7.1.1
const ID_AD_OCSP = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01]; // 1.3.6.1.5.5.7.48.1

/** AlgorithmIdentifier → name and hash; RSASSA-PSS names its hash in the parameters (RFC 4055 §3.1, absent = SHA-1). */
function signatureOf(der: Uint8Array, algorithm: Tlv | undefined): { signatureAlgorithm: string; signatureHash: string | null } {
  const parts = childrenOf(der, algorithm);
  const params = parts[1];
  const oid = oidOf(der, parts[0]);
  if (!oid) return { signatureAlgorithm: 'unknown', signatureHash: null };
  const known = SIGNATURE_ALGORITHMS[oid];
  if (!known) return { signatureAlgorithm: oid, signatureHash: null };
  if (known.name !== 'rsassa-pss') return { signatureAlgorithm: known.name, signatureHash: known.hash };
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] EXPLICIT AlgorithmIdentifier DEFAULT sha1, … }
  const hashField = contextChild(childrenOf(der, params?.tag === SEQUENCE ? params : undefined), 0);
  const hashOid = oidOf(der, childrenOf(der, childrenOf(der, hashField)[0])[0]);
  const hash = hashOid ? (HASHES[hashOid] ?? hashOid) : 'sha1';
  return { signatureAlgorithm: `rsassa-pss (${hash})`, signatureHash: hash };
}

/** The URIs among GeneralNames (uniformResourceIdentifier, [6] IA5String). */
function uris(der: Uint8Array, names: readonly Tlv[], out: string[] = []): string[] {
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as Tlv;
    if (n.tag === 0x86) out.push(latin1(der, n.start, n.end));
  }
  return out;
}

/**
 * `der[start, end)` as Latin-1 text. On a Buffer (Node's `raw`), read in place: a Buffer view
 * per string read was most of what reading a new certificate allocated.
 */
function latin1(der: Uint8Array, start: number, end: number): string {
  return Buffer.isBuffer(der) ? der.toString('latin1', start, end) : Buffer.from(der.buffer, der.byteOffset + start, end - start).toString('latin1');
}

/** CRLDistributionPoints: each DistributionPoint's fullName ([0] → [0] GeneralNames), RFC 5280 §4.2.1.13. */
function crlUrlsOf(der: Uint8Array, value: Tlv): string[] {
  const out: string[] = [];
  const points = childrenOf(der, value);
  for (let i = 0; i < points.length; i++) {
    const name = contextChild(childrenOf(der, points[i]), 0);
    uris(der, childrenOf(der, contextChild(childrenOf(der, name), 0)), out);
  }
  return out;
}

/** AuthorityInfoAccessSyntax: the accessLocations of id-ad-ocsp, RFC 5280 §4.2.2.1. */
function ocspUrlsOf(der: Uint8Array, value: Tlv): string[] {
  const out: string[] = [];
  const descriptions = childrenOf(der, value);
  for (let i = 0; i < descriptions.length; i++) {
    // AccessDescription ::= SEQUENCE { accessMethod, accessLocation GeneralName }
    const parts = childrenOf(der, descriptions[i]);
    const location = parts[1];
    if (location && isOid(der, parts[0], ID_AD_OCSP) && location.tag === 0x86) out.push(latin1(der, location.start, location.end));
  }
  return out;
}

/** The public key as Node's KeyObject describes it (asymmetricKeyType, size, curve). */
export interface PublicKeyFacts {
  keyType: string | null;
  keyBits: number | null;
  curve: string | null;
}

/** Named curves by OID (RFC 5480 §2.1.1.1), with Node's name and the key size. */
const CURVES: Record<string, { name: string; bits: number }> = {
  '1.2.840.10045.3.1.7': { name: 'prime256v1', bits: 256 },
  '1.3.132.0.34': { name: 'secp384r1', bits: 384 },
  '1.3.132.0.35': { name: 'secp521r1', bits: 521 },
};

/** Bits of an unsigned big-endian INTEGER's contents (leading zero octets ignored). */
function integerBits(der: Uint8Array, node: Tlv | undefined): number | null {
  if (!node || node.tag !== INTEGER) return null;
  let i = node.start;
  while (i < node.end && der[i] === 0) i++;
  if (i === node.end) return 0;
  return (node.end - i - 1) * 8 + (32 - Math.clz32(der[i] as number));
}

/**
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for the common keys: RSA (RFC 8017 A.1.1
 * RSAPublicKey's modulus), RSASSA-PSS, EC on the NIST curves, Ed25519, Ed448. null for any
 * other, which the caller then asks Node for.
 */
function publicKeyOf(der: Uint8Array, spki: Tlv | undefined): PublicKeyFacts | null {
  const info = childrenOf(der, spki);
  const key = info[1];
  const algorithm = childrenOf(der, info[0]);
  const params = algorithm[1];
  const oid = oidOf(der, algorithm[0]);
  if (!key || key.tag !== BIT_STRING || key.end <= key.start || der[key.start] !== 0) return null;
  switch (oid) {
    case '1.2.840.113549.1.1.1':
    case '1.2.840.113549.1.1.10': {
      const rsa = whole(der, key.start + 1, key.end);
      const bits = integerBits(der, childrenOf(der, rsa.tag === SEQUENCE ? rsa : undefined)[0]);
      return bits ? { keyType: oid.endsWith('.1') ? 'rsa' : 'rsa-pss', keyBits: bits, curve: null } : null;
    }
    case '1.2.840.10045.2.1': {
      const curve = CURVES[oidOf(der, params) ?? ''];
      return curve ? { keyType: 'ec', keyBits: curve.bits, curve: curve.name } : null;
    }
    case '1.3.101.112':
      return { keyType: 'ed25519', keyBits: 256, curve: null };
    case '1.3.101.113':
      return { keyType: 'ed448', keyBits: null, curve: null };
    default:
      return null;
  }
}

/** Everything read from one DER certificate. */
export interface DerReading {
  facts: CertificateDer;
  /** null when the key is of a kind not read here (or the DER did not parse). */
  publicKey: PublicKeyFacts | null;
  /**
   * false when the DER alone says this is no CA certificate, as OpenSSL's X509_check_ca
   * (Node's `ca`) would: no basicConstraints, or cA FALSE, or a keyUsage without
   * keyCertSign (RFC 5280 §4.2.1.9, §4.2.1.3). true means "ask Node": OpenSSL also says
   * no to a CA whose extensions it finds invalid. Node's `ca` on a leaf Node 24 hands over
   * re-reads every extension (~20–40 µs), once per probe in a fleet.
   */
  mayBeCa: boolean;
}

const ID_BASIC_CONSTRAINTS = [0x55, 0x1d, 0x13]; // 2.5.29.19
const ID_KEY_USAGE = [0x55, 0x1d, 0x0f]; // 2.5.29.15
/** The extensions `readFacts` reads. */
const READ_EXTENSIONS = [ID_CRL_DISTRIBUTION_POINTS, ID_AUTHORITY_INFO_ACCESS, ID_BASIC_CONSTRAINTS, ID_KEY_USAGE];
const BOOLEAN = 0x01;

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, … }: true unless it says cA FALSE plainly. */
function basicConstraintsMayBeCa(der: Uint8Array, value: Tlv): boolean {
  if (value.tag !== SEQUENCE) return true;
  const first = childrenOf(der, value)[0];
  if (first === undefined) return false; // cA absent: FALSE
  if (first.tag === INTEGER) return true; // a pathLen without cA: OpenSSL calls it invalid; let Node say
  if (first.tag !== BOOLEAN || first.end - first.start !== 1) return true;
  return der[first.start] !== 0;
}

/** KeyUsage ::= BIT STRING; keyCertSign is bit 5 (0x04 of the first octet after the unused-bits count). */
function keyUsageMayBeCa(der: Uint8Array, value: Tlv): boolean {
  if (value.tag !== BIT_STRING || value.end - value.start < 1) return true;
  if (value.end - value.start === 1) return false; // no bit set
  return ((der[value.start + 1] as number) & 0x04) !== 0;
}

/** A Certificate's parts (RFC 5280 §4.1). Throws when the DER is not one. */
function certificateParts(der: Uint8Array): { signatureAlgorithm: Tlv; fields: Tlv[]; at: number; extensions: Tlv[] } {
  const certificate = whole(der, 0, der.length);
  const parts = childrenOf(der, certificate.tag === SEQUENCE ? certificate : undefined);
  const tbs = parts[0];
  const signatureAlgorithm = parts[1];
  if (tbs?.tag !== SEQUENCE || signatureAlgorithm?.tag !== SEQUENCE) throw new Error('not a Certificate');
  // TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature,
  // issuer, validity, subject, subjectPublicKeyInfo, … extensions [3] EXPLICIT } (RFC 5280 §4.1)
  const fields = childrenOf(der, tbs);
  // extensions: [3] EXPLICIT SEQUENCE OF Extension
  const extensions = childrenOf(der, childrenOf(der, contextChild(fields, 3))[0]);
  // `at`: where serialNumber is (after the version, when present)
  return { signatureAlgorithm, fields, at: isContext(fields[0], 0) ? 1 : 0, extensions };
}

type CertificateParts = ReturnType<typeof certificateParts>;

/** Reads the facts from a DER certificate's parts. Throws when it is not one. */
function readFacts(der: Uint8Array, { signatureAlgorithm, fields, at, extensions }: CertificateParts): DerReading {
  const spki = fields[at + 5];
  let crlUrls: string[] = [];
  let ocspUrls: string[] = [];
  let basicConstraints: boolean | null = null;
  let keyUsage: boolean | null = null;
  let odd = false;
  for (let e = 0; e < extensions.length; e++) {
    const extension = extensions[e] as Tlv;
    // Only the extnID of an extension not read here (a leaf carries eight or so).
    const first = extension.tag & 0x20 && extension.end > extension.start ? tlv(der, extension.start, extension.end, EXTN_ID) : undefined;
    let id: readonly number[] | undefined;
    for (let k = 0; k < READ_EXTENSIONS.length; k++) if (isOid(der, first, READ_EXTENSIONS[k] as readonly number[])) id = READ_EXTENSIONS[k];
    if (!id) continue;
    const parts = childrenOf(der, extension);
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const octets = parts[parts.length - 1];
    if (!octets || octets.tag & 0x20) {
      odd = true;
      continue;
    }
    const value = whole(der, octets.start, octets.end);
    if (id === ID_CRL_DISTRIBUTION_POINTS) crlUrls = crlUrlsOf(der, value);
    else if (id === ID_AUTHORITY_INFO_ACCESS) ocspUrls = ocspUrlsOf(der, value);
    // A second basicConstraints or keyUsage makes OpenSSL's reading invalid: let Node say.
    else if (id === ID_BASIC_CONSTRAINTS) {
      if (basicConstraints !== null) odd = true;
      basicConstraints = basicConstraintsMayBeCa(der, value);
    } else {
      if (keyUsage !== null) odd = true;
      keyUsage = keyUsageMayBeCa(der, value);
    }
  }
  const mayBeCa = odd || (basicConstraints === true && keyUsage !== false);
  let publicKey: PublicKeyFacts | null;
  try {
    publicKey = publicKeyOf(der, spki?.tag === SEQUENCE ? spki : undefined);
  } catch {
    publicKey = null;
  }
  const signature = signatureOf(der, signatureAlgorithm);
  // Written out, not `{ ...signature, crlUrls, ocspUrls }`: Node 20's V8 builds a new hidden
  // class for keys after a spread on every call (µs each; docs/fleet-and-prometheus.md).
  return { facts: { signatureAlgorithm: signature.signatureAlgorithm, signatureHash: signature.signatureHash, crlUrls, ocspUrls }, publicKey, mayBeCa };
}

/**
 * What Node's X509Certificate prints of a certificate, read from the DER instead where its
 * form is one whose printing is known exactly; a field is null where it is not (Node is
 * asked then). Each getter of Node's is a call into OpenSSL that formats a string, several
 * µs each, and a fleet brings a new leaf on almost every probe. test/pki-printed.test.ts
 * holds both readings side by side, over Node's bundled roots and certificates built with
 * every shape read here and the shapes left to Node.
 */
export interface PrintedFields {
  /** Node's `subject`, one line per RDN in DER order (`C=US`, `O=Contoso`, `CN=mail.contoso.com`). */
  subject: string[] | null;
  issuer: string[] | null;
  /** The dNSName entries of subjectAltName, as Node prints them after `DNS:`; [] when there is none. */
  dnsNames: string[] | null;
  /** `Date.parse` of Node's `validFrom` and `validTo`. */
  validFromMs: number | null;
  validToMs: number | null;
  /** Node's `serialNumber`: upper-case hex, no leading zero octets. */
  serialNumber: string | null;
}

const NOTHING_PRINTED: PrintedFields = Object.freeze({ subject: null, issuer: null, dnsNames: null, validFromMs: null, validToMs: null, serialNumber: null });

/**
 * Attribute types by OID, as OpenSSL prints their short names (XN_FLAG_FN_SN); any other type
 * is left to Node. X.520's (2.5.4.n) by their last arc, read from the OID's third octet
 * without making its dotted text.
 */
const X520_NAMES: Record<number, string> = {
  3: 'CN',
  4: 'SN',
  5: 'serialNumber',
  6: 'C',
  7: 'L',
  8: 'ST',
  9: 'street',
  10: 'O',
  11: 'OU',
  12: 'title',
  15: 'businessCategory',
  17: 'postalCode',
  42: 'GN',
  97: 'organizationIdentifier',
};
const OTHER_ATTRIBUTE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

const UTF8_STRING = 0x0c;
const PRINTABLE_STRING = 0x13;
const IA5_STRING = 0x16;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/**
 * An attribute value OpenSSL prints as it is under Node's flags (RFC 2253 escaping, control
 * characters escaped, UTF-8): printable ASCII without `,+"\<>;`, not starting with `#` or a
 * space, not ending with a space. null for anything else (escaped, non-ASCII, empty).
 */
function plainValue(der: Uint8Array, node: Tlv): string | null {
  if (node.tag !== UTF8_STRING && node.tag !== PRINTABLE_STRING && node.tag !== IA5_STRING) return null;
  if (node.end === node.start || der[node.start] === 0x23 || der[node.start] === 0x20 || der[node.end - 1] === 0x20) return null;
  for (let i = node.start; i < node.end; i++) {
    const c = der[i] as number;
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x2b || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x3b) return null;
  }
  return latin1(der, node.start, node.end);
}

/** An attribute type's short name; undefined for a type not named here. */
function attributeName(der: Uint8Array, type: Tlv): string | undefined {
  if (type.tag !== OID) return undefined;
  if (type.end - type.start === 3 && der[type.start] === 0x55 && der[type.start + 1] === 0x04) return X520_NAMES[der[type.start + 2] as number];
  return OTHER_ATTRIBUTE_NAMES[oidOf(der, type) ?? ''];
}

/**
 * Name ::= SEQUENCE OF RDN, each RDN one AttributeTypeAndValue of a known type with a plain
 * value; else null. Walked element by element (a name is read on every new certificate).
 */
function nameLines(der: Uint8Array, name: Tlv | undefined): string[] | null {
  if (name?.tag !== SEQUENCE || name.end === name.start) return null;
  const lines: string[] = [];
  for (let pos = name.start; pos < name.end; ) {
    const rdn = tlv(der, pos, name.end, RDN); // SET OF AttributeTypeAndValue
    pos = rdn.end;
    if (rdn.tag !== 0x31 || rdn.end === rdn.start) return null;
    const ava = tlv(der, rdn.start, rdn.end, AVA);
    // a second AttributeTypeAndValue (a multi-valued RDN, printed with ` + `): left to Node
    if (ava.tag !== SEQUENCE || ava.end !== rdn.end || ava.end === ava.start) return null;
    const type = tlv(der, ava.start, ava.end, ATTRIBUTE_TYPE);
    if (type.end === ava.end) return null;
    const value = tlv(der, type.end, ava.end, ATTRIBUTE_VALUE);
    const short = attributeName(der, type);
    const text = value.end === ava.end ? plainValue(der, value) : null;
    if (!short || text === null) return null;
    lines.push(`${short}=${text}`);
  }
  return lines;
}

/** `n` ASCII digits at `pos` as a number; NaN when one is not a digit. */
function digits(der: Uint8Array, pos: number, n: number): number {
  let value = 0;
  for (let i = pos; i < pos + n; i++) {
    const d = (der[i] as number) - 0x30;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Time ::= UTCTime `YYMMDDHHMMSSZ` (YY ≥ 50 is 19YY, RFC 5280 §4.1.2.5.1) | GeneralizedTime
 * `YYYYMMDDHHMMSSZ`, as ms since the epoch; null for any other form or an impossible date.
 */
function timeMs(der: Uint8Array, node: Tlv | undefined): number | null {
  const length = node ? node.end - node.start : 0;
  if (!node || !((node.tag === UTC_TIME && length === 13) || (node.tag === GENERALIZED_TIME && length === 15))) return null;
  if (der[node.end - 1] !== 0x5a) return null; // Z
  const short = node.tag === UTC_TIME ? digits(der, node.start, 2) : NaN;
  const year = node.tag === UTC_TIME ? (short >= 50 ? 1900 + short : 2000 + short) : digits(der, node.start, 4);
  const p = node.start + (node.tag === UTC_TIME ? 2 : 4);
  const month = digits(der, p, 2);
  const day = digits(der, p + 2, 2);
  const hour = digits(der, p + 4, 2);
  const minute = digits(der, p + 6, 2);
  const second = digits(der, p + 8, 2);
  if (!(year >= 1950 && hour <= 23 && minute <= 59 && second <= 59)) return null; // NaN fails too
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls an impossible date over (Feb 30 → Mar 2).
  const date = new Date(ms);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? ms : null;
}

/** A positive INTEGER in minimal DER as Node prints it (OpenSSL's BN_bn2hex); null for zero, negative or non-minimal. */
function serialText(der: Uint8Array, node: Tlv | undefined): string | null {
  if (node?.tag !== INTEGER || node.end === node.start) return null;
  let start = node.start;
  const first = der[start] as number;
  if (first & 0x80) return null; // negative
  if (first === 0) {
    if (node.end - start < 2 || !((der[start + 1] as number) & 0x80)) return null; // zero, or not minimal
    start++;
  }
  return (Buffer.isBuffer(der) ? der : Buffer.from(der.buffer, der.byteOffset, der.length)).toString('hex', start, node.end).toUpperCase();
}

/** A dNSName Node prints as it is (no quoting: none of `,"\'`, no control or non-ASCII byte), restricted here to host-name characters. */
const isHostChar = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2a || c === 0x5f;

/** SubjectAltName's dNSNames (RFC 5280 §4.2.1.6) when it holds only dNSName and iPAddress entries; else null. */
function sanDnsNames(der: Uint8Array, value: Tlv): string[] | null {
  if (value.tag !== SEQUENCE) return null;
  const entries = childrenOf(der, value);
  if (!entries.length) return null;
  const names: string[] = [];
  for (let e = 0; e < entries.length; e++) {
    const entry = entries[e] as Tlv;
    const length = entry.end - entry.start;
    if (entry.tag === 0x87 && (length === 4 || length === 16)) continue; // iPAddress: `IP Address:…`, never `DNS:`
    if (entry.tag !== 0x82 || !length) return null; // dNSName [2] IA5String
    for (let i = entry.start; i < entry.end; i++) if (!isHostChar(der[i] as number)) return null;
    names.push(latin1(der, entry.start, entry.end));
  }
  return names;
}

const ID_SUBJECT_ALT_NAME = [0x55, 0x1d, 0x11]; // 2.5.29.17

/** The fields Node prints, from a DER certificate; every field null when it does not parse. */
export function readPrinted(der: Uint8Array): PrintedFields {
  return printedOf(der, partsOf(der));
}

function printedOf(der: Uint8Array, parts: CertificateParts | null): PrintedFields {
  try {
    return parts ? printedFrom(der, parts) : NOTHING_PRINTED;
  } catch {
    return NOTHING_PRINTED;
  }
}

/** `readPrinted` from the parts already walked. Throws on what is not DER. */
function printedFrom(der: Uint8Array, { fields, at, extensions }: CertificateParts): PrintedFields {
  const validity = childrenOf(der, fields[at + 3]?.tag === SEQUENCE ? fields[at + 3] : undefined);
  const notBefore = validity[0];
  const notAfter = validity[1];
  const rest = validity[2];
  let dnsNames: string[] | null = [];
  let sans = 0;
  for (let e = 0; e < extensions.length; e++) {
    const extension = extensions[e] as Tlv;
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    if (extension.tag !== SEQUENCE || extension.end === extension.start || !isOid(der, tlv(der, extension.start, extension.end, EXTN_ID), ID_SUBJECT_ALT_NAME)) continue;
    const parts = childrenOf(der, extension);
    const octets = parts[parts.length - 1];
    // OpenSSL reads no subjectAltName from a certificate with two of them: left to Node.
    dnsNames = ++sans > 1 || !octets || octets.tag & 0x20 ? null : sanDnsNames(der, whole(der, octets.start, octets.end));
  }
  return {
    subject: nameLines(der, fields[at + 4]),
    issuer: nameLines(der, fields[at + 2]),
    dnsNames,
    validFromMs: rest ? null : timeMs(der, notBefore),
    validToMs: rest ? null : timeMs(der, notAfter),
    serialNumber: serialText(der, fields[at]),
  };
}

/**
 * Certificates already read, by their SHA-256 fingerprint. A certificate never changes,
 * and the same ones come back on every path, every scrape and every shared intermediate,
 * so each is read once.
 */
const derCache = new BoundedCache<string, DerReading>(CACHE_BOUNDS.derFacts);

const UNKNOWN: DerReading = { facts: Object.freeze({ signatureAlgorithm: 'unknown', signatureHash: null, crlUrls: [], ocspUrls: [] }), publicKey: null, mayBeCa: true };

/**
 * What the DER says, with the public key's type, size and curve for RSA, EC
 * (P-256/384/521), Ed25519 and Ed448 keys (null for other keys). Node's `publicKey`
 * decodes the key through OpenSSL (tens of µs per certificate), and a fleet brings a new
 * leaf on almost every probe.
 */
export function readCertificate(certificate: Uint8Array | X509Certificate): DerReading {
  // The key is the SHA-256 fingerprint as Node prints it: an X509Certificate has it
  // already (OpenSSL computed it), so a certificate seen before costs no hash and no copy
  // of its DER.
  const key = certificate instanceof X509Certificate ? certificate.fingerprint256 : fingerprint256(certificate);
  const cached = derCache.get(key);
  if (cached) return cached;
  const der = certificate instanceof X509Certificate ? certificate.raw : certificate;
  const read = readingOf(der, partsOf(der));
  derCache.set(key, read);
  return read;
}

function partsOf(der: Uint8Array): CertificateParts | null {
  try {
    return certificateParts(der);
  } catch {
    return null;
  }
}

/** The facts of a certificate's parts, frozen; UNKNOWN when they do not read. */
function readingOf(der: Uint8Array, parts: CertificateParts | null): DerReading {
  if (!parts) return UNKNOWN;
  try {
    const read = readFacts(der, parts);
    Object.freeze(read.facts);
    return read;
  } catch {
    return UNKNOWN;
  }
}

/**
 * `readCertificate` and `readPrinted` of one certificate, its DER walked once: what the
 * certificate stage reads of a certificate it has not seen.
 */
export function readWhole(certificate: X509Certificate): { reading: DerReading; printed: PrintedFields } {
  const der = certificate.raw;
  const parts = partsOf(der);
  const key = certificate.fingerprint256;
  let reading = derCache.get(key);
  if (!reading) derCache.set(key, (reading = readingOf(der, parts)));
  return { reading, printed: printedOf(der, parts) };
}

/** `X509Certificate.fingerprint256` of DER bytes: SHA-256, upper-case hex pairs joined by colons. */
function fingerprint256(der: Uint8Array): string {
  return (createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g) ?? []).join(':');
}

/** What the DER says beyond Node's X509Certificate; null fields when it does not parse. */
export function readDer(certificate: Uint8Array | X509Certificate): CertificateDer {
  return readCertificate(certificate).facts;
}

/** Hex of an INTEGER's value, upper-case, as Node prints `X509Certificate.serialNumber`. */
export function serialHex(value: asn1js.Integer): string {
  return Buffer.from(value.valueBlock.valueHexView).toString('hex').toUpperCase().replace(/^(00)+(?=.)/, '');
}
