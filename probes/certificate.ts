import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { BoundedCache, CACHE_BOUNDS } from './caches.js';
import { readWhole, type PublicKeyFacts } from './lib/pki.js';
import { say, type ProbeTextArg, type ProbeTextId, type Said } from './messages.js';
import { revocationOf, uncheckedRevocation, type IntermediateRevocation, type RevocationCheck, type RevocationMode } from './revocation.js';
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
  /** SHA-1 thumbprint, upper-case hex without separators, as Windows and Exchange print `Thumbprint:`. */
  thumbprint: string;
  serialNumber: string;
  /** `rsa`, `ec`, `ed25519` … (Node's asymmetricKeyType). */
  keyType: string | null;
  keyBits: number | null;
  /** The curve of an EC key (`prime256v1` …). */
  curve: string | null;
  /** `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `sha1WithRSAEncryption` …; the OID when unknown. */
  signatureAlgorithm: string;
  /** The hash under the signature (`sha256`, `sha1` …); null for Ed25519 or an unknown algorithm. */
  signatureHash: string | null;
  /** CRL distribution points (RFC 5280 §4.2.1.13). */
  crlUrls: string[];
  /** OCSP responders (Authority Information Access, RFC 5280 §4.2.2.1). */
  ocspUrls: string[];
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
  /** The leaf's revocation status; absent when the stage did not get that far. */
  revocation?: RevocationCheck;
  /** What is wrong but not (yet) fatal: weak keys and signatures, revocation not established. */
  findings: CertificateFinding[];
}

/** A warning about the certificate: mail flows today, but the fix is due. */
export interface CertificateFinding {
  kind: 'weak-key' | 'weak-signature' | 'revocation-unavailable';
  /** The certificate it is about (its subject). */
  subject: string;
  message: string;
  /** `message` by id and arguments (probes/messages.ts). */
  id?: ProbeTextId;
  args?: Record<string, ProbeTextArg>;
}

/** A certificate finding from a said text. */
function finding(kind: CertificateFinding['kind'], subject: string, said: Said): CertificateFinding {
  return { kind, subject, message: said.text, id: said.id, args: said.args };
}

/** `CN=a\nO=b` (issuer-most first, as OpenSSL prints it) → `CN=a, O=b` (subject-most first). */
export function formatDn(dn: string): string {
  return formatDnLines(dn.split('\n'));
}

/** The lines of OpenSSL's form, issuer-most first, joined subject-most first; empty lines skipped. */
function formatDnLines(lines: readonly string[]): string {
  let text = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (line) text = text ? `${text}, ${line}` : line;
  }
  return text;
}

/** DNS names from subjectAltName; the CN only when the certificate has no DNS SAN (RFC 6125 §6.4.4). */
export function certificateNames(cert: X509Certificate): string[] {
  const dnsNames = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).trim());
  return namesOf(dnsNames, cert.subject.split('\n'));
}

/** `certificateNames` from the SAN's DNS names and the subject's lines (OpenSSL's form), however read. */
function namesOf(dnsNames: readonly string[], subject: readonly string[]): string[] {
  if (dnsNames.length) return dnsNames.map((name) => name.toLowerCase());
  const cn = subject.find((part) => part.startsWith('CN='));
  return cn ? [cn.slice(3).toLowerCase()] : [];
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

/** What a summary says that never changes for one certificate. */
type CertificateFacts = Omit<CertificateSummary, 'daysLeft' | 'anchor'> & { validToMs: number };

/**
 * Facts already read, by SHA-256 fingerprint. Each X509Certificate getter is a call into
 * OpenSSL (a public-key decode alone costs tens of µs on Node 20's OpenSSL 3), and a fleet
 * or an exporter sees the same leaves and intermediates on every pass.
 */
const factsCache = new BoundedCache<string, CertificateFacts>(CACHE_BOUNDS.certificateFacts);

/** The key as Node's KeyObject describes it: for the kinds of key the DER reading leaves to Node. */
function nodePublicKey(cert: X509Certificate): PublicKeyFacts {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails;
  const keyBits =
    details?.modulusLength ??
    ({ prime256v1: 256, secp384r1: 384, secp521r1: 521 } as Record<string, number>)[details?.namedCurve ?? ''] ??
    (key.asymmetricKeyType === 'ed25519' ? 256 : null);
  return { keyType: key.asymmetricKeyType ?? null, keyBits, curve: details?.namedCurve ?? null };
}

function factsOf(cert: X509Certificate): CertificateFacts {
  const fingerprint256 = cert.fingerprint256;
  const cached = factsCache.get(fingerprint256);
  if (cached) return cached;
  // Subject, issuer, names, validity and serial from the DER where it reads them exactly as
  // Node prints them (each Node getter is a call into OpenSSL); Node's getter for the rest.
  const {
    reading: { facts: der, publicKey, mayBeCa },
    printed,
  } = readWhole(cert);
  const key = publicKey ?? nodePublicKey(cert);
  const subject = printed.subject ?? cert.subject.split('\n');
  const issuer = printed.issuer ?? cert.issuer.split('\n');
  const validToMs = printed.validToMs ?? Date.parse(cert.validTo);
  const facts: CertificateFacts = {
    subject: formatDnLines(subject),
    issuer: formatDnLines(issuer),
    names: printed.dnsNames ? namesOf(printed.dnsNames, subject) : certificateNames(cert),
    validFrom: new Date(printed.validFromMs ?? cert.validFrom).toISOString(),
    validTo: new Date(validToMs).toISOString(),
    validToMs,
    fingerprint256,
    thumbprint: cert.fingerprint.replace(/:/g, ''),
    serialNumber: printed.serialNumber ?? cert.serialNumber,
    keyType: key.keyType,
    keyBits: key.keyBits,
    curve: key.curve,
    signatureAlgorithm: der.signatureAlgorithm,
    signatureHash: der.signatureHash,
    crlUrls: der.crlUrls,
    ocspUrls: der.ocspUrls,
    isCa: mayBeCa && cert.ca,
    selfIssued: subject.join('\n') === issuer.join('\n'),
  };
  factsCache.set(fingerprint256, facts);
  return facts;
}

export function summarize(cert: X509Certificate, anchors: Set<string>, now: number): CertificateSummary {
  const f = factsOf(cert);
  // A fresh object (and arrays) per result: the cached facts are shared.
  return {
    subject: f.subject,
    issuer: f.issuer,
    names: [...f.names],
    validFrom: f.validFrom,
    validTo: f.validTo,
    daysLeft: Math.floor((f.validToMs - now) / DAY_MS),
    fingerprint256: f.fingerprint256,
    thumbprint: f.thumbprint,
    serialNumber: f.serialNumber,
    keyType: f.keyType,
    keyBits: f.keyBits,
    curve: f.curve,
    signatureAlgorithm: f.signatureAlgorithm,
    signatureHash: f.signatureHash,
    crlUrls: [...f.crlUrls],
    ocspUrls: [...f.ocspUrls],
    isCa: f.isCa,
    selfIssued: f.selfIssued,
    anchor: anchors.has(f.fingerprint256),
  };
}

/** What the server sent, leaf first, read once per socket. */
const sentChains = new WeakMap<tls.TLSSocket, X509Certificate[]>();

function sentChain(socket: tls.TLSSocket): X509Certificate[] {
  let chain = sentChains.get(socket);
  if (!chain) {
    chain = [];
    const seen = new Set<string>();
    // getPeerX509Certificate() rather than getPeerCertificate(true): the latter costs ~3 ms
    // of CPU per call (it searches OpenSSL's store and converts every certificate to a
    // plain object), the largest single cost of a probe in a fleet.
    let cert: X509Certificate | undefined = socket.getPeerX509Certificate();
    while (cert && !seen.has(cert.fingerprint256)) {
      seen.add(cert.fingerprint256);
      chain.push(cert);
      cert = cert.issuerCertificate;
    }
    sentChains.set(socket, chain);
  }
  return chain;
}

/**
 * The chain the server presented, leaf first, completed with the trust anchor (among
 * Node's bundled roots and the extra `ca`) that issued its top certificate, if any; that
 * anchor is marked `anchor` in summaries.
 */
export function peerChain(socket: tls.TLSSocket, ca: readonly string[] = []): X509Certificate[] {
  return anchoredChain(socket, trustStore(ca));
}

function anchoredChain(socket: tls.TLSSocket, store: TrustStore): X509Certificate[] {
  const chain = [...sentChain(socket)];
  const top = chain.at(-1);
  if (top) {
    const anchor = issuingAnchor(store, top);
    if (anchor && !chain.some((c) => c.fingerprint256 === anchor.fingerprint256)) chain.push(anchor);
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
  /** The anchor that issued a certificate, by the certificate's fingerprint; null for none. */
  issuers: BoundedCache<string, X509Certificate | null>;
}

/**
 * The trust anchor whose key signed `cert`, looked up (and its signature checked) once per
 * certificate; null for a self-signed one, its own issuer. A self-issued certificate on another
 * key (a root's key rollover, which AD CS issues when a CA is renewed with a new key) has one.
 */
function issuingAnchor(store: TrustStore, cert: X509Certificate): X509Certificate | null {
  const fingerprint = cert.fingerprint256;
  let anchor = store.issuers.get(fingerprint);
  if (anchor === undefined) {
    const selfSigned = cert.subject === cert.issuer && cert.verify(cert.publicKey);
    anchor = selfSigned ? null : (store.bySubject.get(cert.issuer)?.find((a) => cert.checkIssued(a) && cert.verify(a.publicKey)) ?? null);
    store.issuers.set(fingerprint, anchor);
  }
  return anchor;
}

let bundled: X509Certificate[] | null = null;
/** Per set of extra anchors, parsed once: parsing them on every probe cost ~1 ms. */
const stores = new BoundedCache<string, TrustStore>(CACHE_BOUNDS.trustStores);

/** The trust anchors (bundled roots and the extra ones), parsed once per CA set. */
function trustStore(ca: readonly string[]): TrustStore {
  const key = ca.join('\n');
  let store = stores.get(key);
  if (!store) {
    bundled ??= parseAll(tls.rootCertificates);
    const certs = [...bundled, ...parseAll(ca)];
    const bySubject = new Map<string, X509Certificate[]>();
    for (const c of certs) bySubject.set(c.subject, [...(bySubject.get(c.subject) ?? []), c]);
    store = { fingerprints: new Set(certs.map((c) => c.fingerprint256)), bySubject, issuers: new BoundedCache(CACHE_BOUNDS.anchorLookups) };
    stores.set(key, store);
  }
  return store;
}

/** Does a TLS mode judge the certificate at all? (Exchange's EncryptionOnly does not.) */
export function validatesCertificate(mode: TlsMode): boolean {
  return mode === 'certificate-validation' || mode === 'domain-validation';
}

function reasonFor(verifyError: string, chain: X509Certificate[]): { reason: CertificateReason; text: Said } {
  const leaf = chain[0];
  switch (verifyError) {
    case 'CERT_HAS_EXPIRED': {
      const expired = chain.find((c) => Date.parse(c.validTo) < Date.now()) ?? leaf;
      const which = expired === leaf ? say('cert.the-certificate') : say('cert.chain-certificate', { subject: formatDn(expired?.subject ?? '') });
      return { reason: 'expired', text: say('cert.expired', { which, date: new Date(expired?.validTo ?? 0).toISOString().slice(0, 10) }) };
    }
    case 'CERT_NOT_YET_VALID':
      return { reason: 'not-yet-valid', text: say('cert.not-yet-valid', { date: new Date(leaf?.validFrom ?? 0).toISOString().slice(0, 10) }) };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return { reason: 'self-signed', text: say('cert.self-signed') };
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return { reason: 'untrusted-root', text: say('cert.untrusted-root', { subject: formatDn(chain.at(-1)?.subject ?? '') }) };
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
          text: say('cert.missing-intermediate', { issuer }),
        };
      }
      return {
        reason: 'unknown-issuer',
        text: say('cert.unknown-issuer', { issuer }),
      };
    }
    case 'CERT_REVOKED':
      return { reason: 'revoked', text: say('cert.revoked-verify') };
    case 'CERT_SIGNATURE_FAILURE':
      return { reason: 'invalid', text: say('cert.bad-signature') };
    default:
      return { reason: 'invalid', text: say('cert.invalid', { error: verifyError }) };
  }
}

/**
 * The chain the server presented, described (every certificate, trust, name match)
 * without judging it.
 */
export function describeCertificate(ctx: ProbeContext, socket: tls.TLSSocket, now = Date.now()): CertificateCheck {
  return describeChain(ctx, socket, trustStore(ctx.tls.ca), now).check;
}

/** `describeCertificate`, with the chain it described (one trust-store lookup and one chain read a probe). */
function describeChain(ctx: ProbeContext, socket: tls.TLSSocket, store: TrustStore, now: number): { check: CertificateCheck; x509: X509Certificate[] } {
  const x509 = anchoredChain(socket, store);
  const chain = x509.map((c) => summarize(c, store.fingerprints, now));
  const verifyError = socket.authorized ? null : String(socket.authorizationError ?? 'UNKNOWN');
  const requiredName = ctx.tls.mode === 'domain-validation' ? ctx.tls.domain : null;
  const leaf = chain[0];
  const nameMatches = requiredName && leaf ? leaf.names.some((n) => nameMatchesTlsDomain(requiredName, n)) : null;
  return { check: { chain, trusted: socket.authorized, verifyError, requiredName, nameMatches, findings: [] }, x509 };
}

/** Throws the StageFailure for a described chain that fails the connector's TLS mode. */
function judge(ctx: ProbeContext, check: CertificateCheck, x509: X509Certificate[]): void {
  const leaf = check.chain[0];
  if (!validatesCertificate(ctx.tls.mode)) return;
  if (!leaf) throw new StageFailure('certificate', 'certificate', say('cert.none-presented'), { reason: 'invalid' });
  if (check.verifyError) {
    const { reason, text } = reasonFor(check.verifyError, x509);
    throw new StageFailure('certificate', 'certificate', text, { reason, errno: check.verifyError, thumbprint: leaf.thumbprint });
  }
  if (check.requiredName && !check.nameMatches) {
    throw new StageFailure(
      'certificate',
      'certificate',
      say('cert.name-mismatch', { names: leaf.names.length ? leaf.names.join(', ') : say('cert.no-names'), required: check.requiredName }),
      {
        reason: 'name-mismatch',
        expected: check.requiredName,
        presented: leaf.subject,
        presentedNames: leaf.names,
        thumbprint: leaf.thumbprint,
      },
    );
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
  const { check, x509 } = describeChain(ctx, socket, trustStore(ctx.tls.ca), now);
  judge(ctx, check, x509);
  return check;
}

/** Hashes no CA may sign with any more (CA/Browser Forum Baseline Requirements §7.1.3). */
const WEAK_HASHES = new Set(['md2', 'md5', 'sha1']);

/**
 * Weak keys and signatures in what the server sent (trust anchors are the client's own
 * and their self-signatures are never checked, RFC 5280 §6.1). The probe's TLS client
 * runs at OpenSSL security level 0 so that such a chain still completes and is named
 * here, instead of failing as an unexplained "UNSPECIFIED" verification error.
 */
export function weaknesses(chain: readonly CertificateSummary[]): CertificateFinding[] {
  const findings: CertificateFinding[] = [];
  // Said only for a finding: a sound chain (every probe of a healthy fleet) says nothing.
  const which = (cert: CertificateSummary): Said => say(cert === chain[0] ? 'cert.the-certificate-named' : 'cert.chain-certificate', { subject: cert.subject });
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i] as CertificateSummary;
    if (cert.anchor) continue;
    if (cert.signatureHash && WEAK_HASHES.has(cert.signatureHash)) {
      findings.push(finding('weak-signature', cert.subject, say('cert.weak-signature', { which: which(cert), hash: cert.signatureHash.toUpperCase(), algorithm: cert.signatureAlgorithm })));
    }
    const rsaLike = cert.keyType === 'rsa' || cert.keyType === 'rsa-pss' || cert.keyType === 'dsa';
    if (cert.keyBits !== null && ((rsaLike && cert.keyBits < 2048) || (cert.keyType === 'ec' && cert.keyBits < 256))) {
      findings.push(finding('weak-key', cert.subject, say('cert.weak-key', { which: which(cert), bits: cert.keyBits, type: (cert.keyType ?? '').toUpperCase() })));
    }
  }
  return findings;
}

export interface InspectOptions {
  /** Default: the context's TLS policy, else soft. */
  revocation?: RevocationMode;
  /** The OCSP response the server stapled to the handshake (RFC 6066 §8), if any. */
  staple?: Uint8Array | null;
  now?: number;
  /** Gets the described chain before it is judged, so a failing stage still reports every certificate. */
  onCheck?: (check: CertificateCheck) => void;
}

/**
 * The whole certificate stage: `checkCertificate` (chain, validity, name), then weak keys
 * and signatures, then revocation (stapled OCSP, else the CRL) under `--revocation`:
 * revoked fails with reason `revoked`; a status nobody could establish is a warning
 * (soft) or fails with reason `revocation-unknown` (hard). Certificates the connector's
 * TLS mode does not validate are described, never judged.
 */
export async function inspectCertificate(ctx: ProbeContext, socket: tls.TLSSocket, options: InspectOptions = {}): Promise<CertificateCheck> {
  const now = options.now ?? Date.now();
  const mode = options.revocation ?? ctx.tls.revocation ?? 'soft';
  const { check, x509 } = describeChain(ctx, socket, trustStore(ctx.tls.ca), now);
  options.onCheck?.(check);
  judge(ctx, check, x509);
  const leaf = check.chain[0];
  if (!leaf || !validatesCertificate(ctx.tls.mode)) {
    check.revocation = uncheckedRevocation(mode, say('cert.revocation-not-checked', { mode: ctx.tls.mode }));
    return check;
  }
  const weak = weaknesses(check.chain);
  if (weak.length) check.findings.push(...weak);
  // Awaited only when it is a promise (a staple to verify, a CRL to fetch): a CRL held fresh
  // answers at once, with no microtask between the stage and its next step.
  const asked = revocationOf(ctx, x509[0] as X509Certificate, x509[1], options.staple ?? null, mode, now, leaf.serialNumber);
  const revocation = asked instanceof Promise ? await asked : asked;
  check.revocation = revocation;
  if (mode !== 'off') {
    // Windows checks the whole chain except the root; so do we, for what the server sent.
    const intermediates: IntermediateRevocation[] = [];
    for (let i = 1; i < x509.length - 1; i++) {
      const cert = check.chain[i];
      if (!cert || cert.anchor || cert.selfIssued) continue;
      const pending = revocationOf(ctx, x509[i] as X509Certificate, x509[i + 1], null, mode, now, cert.serialNumber);
      const found = pending instanceof Promise ? await pending : pending;
      intermediates.push(Object.assign({ subject: cert.subject }, found));
    }
    if (intermediates.length) revocation.intermediates = intermediates;
  }
  // The answers, by index: the leaf's (0), then each intermediate's. `which` is said only
  // when a text names the certificate: a healthy probe's answers are good and say nothing.
  const above = revocation.intermediates ?? [];
  const answer = (i: number): RevocationCheck => (i === 0 ? revocation : (above[i - 1] as IntermediateRevocation));
  const subjectOf = (i: number): string => (i === 0 ? leaf.subject : (above[i - 1] as IntermediateRevocation).subject);
  const which = (i: number): Said => (i === 0 ? say('cert.the-certificate') : say('cert.intermediate', { subject: subjectOf(i) }));
  for (let i = 0; i <= above.length; i++) {
    const r = answer(i);
    if (r.status !== 'revoked') continue;
    throw new StageFailure('certificate', 'certificate', say('cert.revoked', { which: which(i), detail: r.detail }), {
      reason: 'revoked',
      thumbprint: leaf.thumbprint,
      ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}),
    });
  }
  for (let i = 0; i <= above.length; i++) {
    const r = answer(i);
    if (r.status !== 'unknown') continue;
    if (mode === 'hard') {
      throw new StageFailure(
        'certificate',
        'certificate',
        say('cert.revocation-unknown-hard', { which: which(i), detail: r.detail }),
        { reason: 'revocation-unknown', thumbprint: leaf.thumbprint },
      );
    }
    // Soft: a certificate that names no revocation source (private CAs) is not worth a
    // warning; one whose staple or CRL could not be used is, since Exchange checks them.
    if (r.ocsp || r.crl.length) {
      check.findings.push(finding('revocation-unavailable', subjectOf(i), say('cert.revocation-unavailable', { which: which(i), detail: r.detail })));
    }
  }
  return check;
}
