import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { StageFailure, type CertificateReason, type ProbeContext, type TlsMode } from './stage.js';

const DAY_MS = 86_400_000;

/** One certificate of the chain, as the report shows it. */
export interface CertificateSummary {
  /** Distinguished name, most specific first, as Windows prints it: `CN=mail.contoso.com, O=Contoso`. */
  subject: string;
  issuer: string;
  /** DNS names from subjectAltName (or the CN when there is no SAN). */
  names: string[];
  validFrom: string;
  validTo: string;
  /** Whole days until validTo; negative once expired. */
  daysLeft: number;
  fingerprint256: string;
  serialNumber: string;
  keyType: string | null;
  keyBits: number | null;
  isCa: boolean;
  selfIssued: boolean;
  /** True when this is one of the trust anchors rather than something the server sent. */
  anchor: boolean;
}

export interface CertificateCheck {
  /** Leaf first. */
  chain: CertificateSummary[];
  /** Whether the chain verified to a trusted root. */
  trusted: boolean;
  /** OpenSSL's verification error code, when the chain did not verify. */
  verifyError: string | null;
  /** For domain-validation: the name required and whether the certificate carries it. */
  requiredName: string | null;
  nameMatches: boolean | null;
}

/** `CN=a\nO=b` (issuer-most first, as OpenSSL prints it) → `CN=a, O=b` (subject-most first). */
export function formatDn(dn: string): string {
  return dn
    .split('\n')
    .filter(Boolean)
    .reverse()
    .join(', ');
}

function commonName(dn: string): string | null {
  const cn = dn.split('\n').find((part) => part.startsWith('CN='));
  return cn ? cn.slice(3) : null;
}

/** DNS names from subjectAltName; the CN only when the certificate has no DNS SAN (RFC 6125 §6.4.4). */
export function certificateNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName ?? '';
  const dnsNames = san
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).trim().toLowerCase());
  if (dnsNames.length) return dnsNames;
  const cn = commonName(cert.subject);
  return cn ? [cn.toLowerCase()] : [];
}

/**
 * Does a certificate name satisfy a connector's TlsDomain? Exchange Online's rules:
 * - an exact name matches itself (case-insensitively);
 * - a certificate wildcard `*.contoso.com` covers exactly one label in its place
 *   (`mail.contoso.com`, not `a.b.contoso.com`, not `contoso.com`; RFC 6125 §6.4.3);
 * - a TlsDomain of `*.contoso.com` accepts any name below contoso.com, at any depth, and
 *   a certificate for `*.contoso.com` (or for a wildcard below it);
 * - a wildcard embedded in a label (`m*.contoso.com`) matches nothing.
 */
export function nameMatchesTlsDomain(tlsDomain: string, certName: string): boolean {
  const want = tlsDomain.toLowerCase().replace(/\.$/, '');
  const have = certName.toLowerCase().replace(/\.$/, '');
  const embedded = (name: string): boolean => name.includes('*') && !/^\*\.[^*]+$/.test(name);
  if (embedded(want) || embedded(have)) return false;
  if (want.startsWith('*.')) {
    const base = want.slice(2);
    const under = (name: string): boolean => name.endsWith(`.${base}`);
    if (have.startsWith('*.')) return have === want || under(have.slice(2));
    return under(have);
  }
  if (have === want) return true;
  if (have.startsWith('*.')) {
    const dot = want.indexOf('.');
    return dot > 0 && want.slice(dot + 1) === have.slice(2);
  }
  return false;
}

export function summarize(cert: X509Certificate, anchors: Set<string>, now: number): CertificateSummary {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails;
  const keyBits =
    details?.modulusLength ??
    ({ prime256v1: 256, secp384r1: 384, secp521r1: 521 } as Record<string, number>)[details?.namedCurve ?? ''] ??
    (key.asymmetricKeyType === 'ed25519' ? 256 : null);
  return {
    subject: formatDn(cert.subject),
    issuer: formatDn(cert.issuer),
    names: certificateNames(cert),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    daysLeft: Math.floor((Date.parse(cert.validTo) - now) / DAY_MS),
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    keyType: key.asymmetricKeyType ?? null,
    keyBits,
    isCa: cert.ca,
    selfIssued: cert.subject === cert.issuer,
    anchor: anchors.has(cert.fingerprint256),
  };
}

/**
 * The chain as Node returns it: what the server sent, completed with the trust anchor
 * Node found for it (marked `anchor`). Leaf first.
 *
 * Given the probe's context it reads the chain through getPeerX509Certificate() and
 * finds the anchor among the (once-parsed) trust anchors itself: getPeerCertificate(true)
 * costs ~3 ms of CPU per call (it searches OpenSSL's store and converts every
 * certificate to a plain object), the largest single cost of a probe in a fleet.
 */
export function peerChain(socket: tls.TLSSocket, ctx?: ProbeContext): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  if (ctx) {
    let cert: X509Certificate | undefined = socket.getPeerX509Certificate();
    while (cert && !seen.has(cert.fingerprint256)) {
      seen.add(cert.fingerprint256);
      chain.push(cert);
      cert = cert.issuerCertificate;
    }
    const top = chain.at(-1);
    if (top && top.subject !== top.issuer) {
      const anchor = trustStore(ctx).bySubject.get(top.issuer)?.find((a) => top.checkIssued(a) && top.verify(a.publicKey));
      if (anchor && !seen.has(anchor.fingerprint256)) chain.push(anchor);
    }
    return chain;
  }
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

function parseAll(pems: readonly string[]): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      certs.push(new X509Certificate(pem));
    } catch {
      // not a certificate: the option that supplied it was validated where it was read
    }
  }
  return certs;
}

interface TrustStore {
  fingerprints: Set<string>;
  bySubject: Map<string, X509Certificate[]>;
}

function trustStoreOf(certs: X509Certificate[]): TrustStore {
  const bySubject = new Map<string, X509Certificate[]>();
  for (const c of certs) bySubject.set(c.subject, [...(bySubject.get(c.subject) ?? []), c]);
  return { fingerprints: new Set(certs.map((c) => c.fingerprint256)), bySubject };
}

let bundled: X509Certificate[] | null = null;
/** Per set of extra anchors, parsed once: parsing certificates on every probe cost ~1 ms. */
const stores = new Map<string, TrustStore>();

/** The trust anchors (bundled roots and the extra ones), parsed once per CA set. */
function trustStore(ctx: ProbeContext): TrustStore {
  const key = ctx.tls.ca.join('\n');
  let store = stores.get(key);
  if (!store) {
    if (stores.size >= 32) stores.clear();
    bundled ??= parseAll(tls.rootCertificates);
    store = trustStoreOf([...bundled, ...parseAll(ctx.tls.ca)]);
    stores.set(key, store);
  }
  return store;
}

function anchorFingerprints(ctx: ProbeContext): Set<string> {
  return trustStore(ctx).fingerprints;
}

/** Does a TLS mode judge the certificate at all? (Exchange's EncryptionOnly does not.) */
export function validatesCertificate(mode: TlsMode): boolean {
  return mode === 'certificate-validation' || mode === 'domain-validation';
}

function reasonFor(verifyError: string, chain: X509Certificate[]): { reason: CertificateReason; text: string } {
  const leaf = chain[0];
  switch (verifyError) {
    case 'CERT_HAS_EXPIRED': {
      const expired = chain.find((c) => Date.parse(c.validTo) < Date.now()) ?? leaf;
      const which = expired === leaf ? 'the certificate' : `the chain certificate ${formatDn(expired?.subject ?? '')}`;
      return { reason: 'expired', text: `${which} expired on ${new Date(expired?.validTo ?? 0).toISOString().slice(0, 10)}` };
    }
    case 'CERT_NOT_YET_VALID':
      return { reason: 'not-yet-valid', text: `the certificate is not valid before ${new Date(leaf?.validFrom ?? 0).toISOString().slice(0, 10)}` };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return { reason: 'self-signed', text: 'the certificate is self-signed' };
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return { reason: 'untrusted-root', text: `the chain ends in a root that is not trusted (${formatDn(chain.at(-1)?.subject ?? '')})` };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT': {
      const top = chain.at(-1);
      const issuer = formatDn(top?.issuer ?? '');
      // A certificate that names where its issuer can be downloaded (AIA caIssuers) comes
      // from a CA with intermediates: the server is not sending its intermediate.
      if (top && /CA Issuers/i.test(top.infoAccess ?? '')) {
        return {
          reason: 'incomplete-chain',
          text: `the server does not send the intermediate certificate (${issuer}) that links its certificate to a trusted root`,
        };
      }
      return {
        reason: 'unknown-issuer',
        text: `the issuer ${issuer} is not a trusted root and the server did not send it: an untrusted CA, or a missing intermediate`,
      };
    }
    case 'CERT_REVOKED':
      return { reason: 'revoked', text: 'the certificate has been revoked by its CA (no longer valid)' };
    default:
      return { reason: 'invalid', text: `the certificate chain did not verify (${verifyError})` };
  }
}

/**
 * Certificate stage: judges what the server presented under the connector's TLS mode.
 * `opportunistic` and `encryption-only` accept any certificate (Exchange does not
 * authenticate then); `certificate-validation` needs a chain to a trusted root;
 * `domain-validation` also needs a name that satisfies TlsDomain.
 */
export function checkCertificate(
  ctx: ProbeContext,
  socket: tls.TLSSocket,
  now = Date.now(),
): CertificateCheck {
  const x509 = peerChain(socket, ctx);
  const anchors = anchorFingerprints(ctx);
  const chain = x509.map((c) => summarize(c, anchors, now));
  const verifyError = socket.authorized ? null : String(socket.authorizationError ?? 'UNKNOWN');
  const requiredName = ctx.tls.mode === 'domain-validation' ? ctx.tls.domain : null;
  const leaf = chain[0];
  const nameMatches = requiredName && leaf ? leaf.names.some((n) => nameMatchesTlsDomain(requiredName, n)) : null;
  const check: CertificateCheck = { chain, trusted: socket.authorized, verifyError, requiredName, nameMatches };
  if (!leaf) {
    if (validatesCertificate(ctx.tls.mode)) {
      throw new StageFailure('certificate', 'certificate', 'the server presented no certificate', { reason: 'invalid' });
    }
    return check;
  }
  if (!validatesCertificate(ctx.tls.mode)) return check;
  if (verifyError) {
    const { reason, text } = reasonFor(verifyError, x509);
    throw new StageFailure('certificate', 'certificate', text, { reason, errno: verifyError });
  }
  if (requiredName && !nameMatches) {
    throw new StageFailure(
      'certificate',
      'certificate',
      `the certificate is for ${leaf.names.join(', ') || '(no names)'}, not ${requiredName}`,
      {
        reason: 'name-mismatch',
        expected: requiredName,
        presented: leaf.subject,
        presentedNames: leaf.names,
      },
    );
  }
  return check;
}
