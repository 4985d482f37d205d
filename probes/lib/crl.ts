/**
 * Reading a CRL (RFC 5280 §5) quickly enough for a real CA's. PKI.js parses through
 * asn1js, which on this project's 2-core machine needs about 6 ms per kilobyte and, since
 * asn1js 3.1, refuses more than 10 000 ASN.1 nodes (a CRL of ~3 000 entries): a 1 MB
 * CRL would block the event loop for seconds, or not parse at all. node-forge's DER
 * parser (already a dependency) reads the same megabyte in about 0.3 s, so CRLs are parsed
 * with it; the fields are then taken by position from RFC 5280's TBSCertList, and the
 * signature is checked by node:crypto with the issuer's key.
 */
import { verify, type X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { signatureByOid } from './pki.js';

const { asn1 } = forge;

/** forge's fromDer takes an options object (node-forge ≥ 0.10); @types/node-forge knows only `strict`. */
const fromDer = asn1.fromDer as unknown as (
  input: forge.util.ByteStringBuffer,
  options: { parseAllBytes?: boolean; decodeBitStrings?: boolean },
) => forge.asn1.Asn1;

export interface ParsedCrl {
  /** DER of the issuer Name, for comparison with the issuer certificate's subject. */
  issuerDer: string;
  thisUpdate: Date | null;
  nextUpdate: Date | null;
  /** Upper-case hex serial (no leading zeros) → revocation date. */
  revoked: Map<string, Date | null>;
  /** The signed bytes, the algorithm's OID and the signature. */
  tbs: Buffer;
  signatureOid: string;
  signature: Buffer;
}

const isUniversal = (node: forge.asn1.Asn1 | undefined, type: number): boolean =>
  node?.tagClass === asn1.Class.UNIVERSAL && node.type === type;

function timeOf(node: forge.asn1.Asn1 | undefined): Date | null {
  if (isUniversal(node, asn1.Type.UTCTIME)) return asn1.utcTimeToDate(node?.value as string);
  if (isUniversal(node, asn1.Type.GENERALIZEDTIME)) return asn1.generalizedTimeToDate(node?.value as string);
  return null;
}

const isTime = (node: forge.asn1.Asn1 | undefined): boolean =>
  isUniversal(node, asn1.Type.UTCTIME) || isUniversal(node, asn1.Type.GENERALIZEDTIME);

/** `00AB12` → `AB12`: serials compare as numbers, whatever their padding. */
export function normalizeSerial(hex: string): string {
  return hex.toUpperCase().replace(/^(00)+(?=.)/, '');
}

const bytes = (value: string): Buffer => Buffer.from(value, 'binary');

/** Parses a DER CRL. Throws when it is not one. */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const root = fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')), { parseAllBytes: true, decodeBitStrings: false });
  const [tbsNode, algNode, sigNode] = root.value as forge.asn1.Asn1[];
  if (!isUniversal(root, asn1.Type.SEQUENCE) || !tbsNode || !algNode || !isUniversal(sigNode, asn1.Type.BITSTRING)) {
    throw new Error('not a CertificateList');
  }
  const fields = tbsNode.value as forge.asn1.Asn1[];
  let i = 0;
  if (isUniversal(fields[i], asn1.Type.INTEGER)) i++; // version, v2 (RFC 5280 §5.1.2.1)
  i++; // signature AlgorithmIdentifier, repeated outside the TBS
  const issuer = fields[i++];
  const thisUpdate = timeOf(fields[i++]);
  const nextUpdate = isTime(fields[i]) ? timeOf(fields[i++]) : null;
  const revoked = new Map<string, Date | null>();
  if (isUniversal(fields[i], asn1.Type.SEQUENCE)) {
    for (const entry of fields[i]?.value as forge.asn1.Asn1[]) {
      const [serial, date] = entry.value as forge.asn1.Asn1[];
      if (!serial) continue;
      revoked.set(normalizeSerial(bytes(serial.value as string).toString('hex')), timeOf(date));
    }
  }
  if (!issuer) throw new Error('a CertificateList without an issuer');
  const algOid = asn1.derToOid((algNode.value as forge.asn1.Asn1[])[0]?.value as string);
  return {
    issuerDer: asn1.toDer(issuer).getBytes(),
    thisUpdate,
    nextUpdate,
    revoked,
    // forge's own X.509 code verifies the same way: the TBS re-encoded from its parse
    tbs: bytes(asn1.toDer(tbsNode).getBytes()),
    signatureOid: algOid,
    // the BIT STRING's first octet counts its unused bits
    signature: bytes((sigNode?.value as string).slice(1)),
  };
}

/** The DER of a certificate's subject Name. */
export function subjectDer(cert: X509Certificate): string {
  const root = fromDer(forge.util.createBuffer(cert.raw.toString('binary')), { decodeBitStrings: false });
  const tbs = ((root.value as forge.asn1.Asn1[])[0]?.value ?? []) as forge.asn1.Asn1[];
  // TBSCertificate: [0] version?, serial, signature, issuer, validity, subject (RFC 5280 §4.1)
  const offset = tbs[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const subject = tbs[offset + 4];
  if (!subject) throw new Error('a certificate without a subject');
  return asn1.toDer(subject).getBytes();
}

/**
 * Was the CRL issued and signed by `issuer`? Its issuer name must be the certificate's
 * subject (RFC 5280 §6.3.3 (b)) and its signature must verify with the certificate's key.
 */
export function crlSignedBy(crl: Pick<ParsedCrl, 'issuerDer' | 'tbs' | 'signatureOid' | 'signature'>, issuer: X509Certificate): boolean {
  try {
    if (crl.issuerDer !== subjectDer(issuer)) return false;
    const algorithm = signatureByOid(crl.signatureOid);
    if (!algorithm || algorithm.signatureAlgorithm.startsWith('rsassa-pss')) return false;
    const hash = algorithm.signatureHash === null ? null : algorithm.signatureHash;
    return verify(hash, crl.tbs, issuer.publicKey, crl.signature);
  } catch {
    return false;
  }
}
