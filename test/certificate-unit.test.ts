/**
 * probes/certificate.ts without the rest of a probe: a loopback TLS server and a
 * `tls.connect` client, then the certificate stage's functions on the client's socket.
 * ECDSA chains made by the fixtures (a P-384 root, a P-256 intermediate and leaf: quick
 * to make and sign), each reason OpenSSL can give with its whole failure; summaries with a
 * fixed clock; weak keys and signatures from summaries; revocation from a cache the test
 * fills (no CRL server). The same stage inside real probes is test/certificate-deep.test.ts.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  certificateNames,
  checkCertificate,
  describeCertificate,
  formatDn,
  inspectCertificate,
  peerChain,
  summarize,
  validatesCertificate,
  weaknesses,
  type CertificateSummary,
} from '../probes/certificate.js';
import { RevocationCache, type CrlDownload } from '../probes/revocation-cache.js';
import { StageFailure, type ProbeContext, type TlsMode } from '../probes/stage.js';
import { issueEcdsaLeaf, makeCrl, makeOcspResponse, pemToDer, type PkiLeaf } from './fixtures/index.js';

const DAY = 86_400_000;
const SECOND = 1000;
const NOW = Math.floor(Date.now() / SECOND) * SECOND;

let root: PkiLeaf;
let intermediate: PkiLeaf;
let leaf: PkiLeaf;
/** Not a CA (basicConstraints cA false), trusted as an anchor: what it issues fails as INVALID_CA. */
let notCa: PkiLeaf;

const issuerOf = (ca: PkiLeaf) => ({ cert: ca.cert, key: ca.key, chain: ca.chain });

beforeAll(async () => {
  root = await issueEcdsaLeaf(null, { commonName: 'Unit Root', curve: 'secp384r1', isCa: true });
  intermediate = await issueEcdsaLeaf(issuerOf(root), { commonName: 'Unit Intermediate', isCa: true, notBefore: new Date(NOW - 10 * DAY), notAfter: new Date(NOW + 400 * DAY) });
  // chain: [intermediate] (the fixture puts the issuer's own chain after it; root.chain is [root])
  intermediate.chain = [intermediate.cert];
  leaf = await issueEcdsaLeaf(issuerOf(intermediate), { dnsNames: ['mx1.demo.test', 'MX2.demo.test', '127.0.0.1'], notBefore: new Date(NOW - DAY), notAfter: new Date(NOW + 30 * DAY + 12 * 3600_000) });
  notCa = await issueEcdsaLeaf(null, { commonName: 'Not A CA', curve: 'secp384r1' });
});

/** A TLS server on loopback sending `chain` (PEMs, leaf first) with `key`. */
async function serve(key: string, chain: string[]): Promise<number> {
  const server = tls.createServer({ key, cert: chain.join('') }, (socket) => socket.on('error', () => {}).end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

/** A client socket after the handshake, trusting `ca` only; not rejecting, as the prober does not. */
async function connect(port: number, ca: string[], extra: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  // The name is judged by the stage (TlsDomain), not by Node's checkServerIdentity, as in the prober.
  const socket = tls.connect({ host: '127.0.0.1', port, ca, rejectUnauthorized: false, servername: 'mx1.demo.test', checkServerIdentity: () => undefined, ...extra });
  socket.on('error', () => {});
  onTestFinished(() => void socket.destroy());
  await once(socket, 'secureConnect');
  return socket;
}

function context(mode: TlsMode, opts: { domain?: string; ca?: string[]; revocation?: 'off' | 'soft' | 'hard'; cache?: RevocationCache } = {}): ProbeContext {
  return {
    signal: new AbortController().signal,
    cancel: new AbortController().signal,
    deadline: performance.now() + 10_000,
    stageTimeoutMs: 5_000,
    resolvers: [],
    tls: { mode, domain: opts.domain ?? null, ca: opts.ca ?? [root.cert], ...(opts.revocation ? { revocation: opts.revocation } : {}) },
    revocationCache: opts.cache ?? new RevocationCache(),
  } as unknown as ProbeContext;
}

/** What a StageFailure carries: its record. */
function failureOf(run: () => unknown): Record<string, unknown> {
  try {
    run();
  } catch (err) {
    if (err instanceof StageFailure) return err.toJSON() as unknown as Record<string, unknown>;
    throw err;
  }
  throw new Error('expected a StageFailure');
}
async function failureOfAsync(run: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await run();
  } catch (err) {
    if (err instanceof StageFailure) return err.toJSON() as unknown as Record<string, unknown>;
    throw err;
  }
  throw new Error('expected a StageFailure');
}

/** A text given as an argument of another, by id (probes/messages.ts). */
const ref = (id: string, args: Record<string, unknown> = {}) => ({ id, args });

const thumbprint = (pem: string) => new X509Certificate(pem).fingerprint.replace(/:/g, '');

describe('pure parts', () => {
  it('formatDn: most specific first, blank lines dropped', () => {
    expect(formatDn('C=US\nO=Contoso\nCN=mail.contoso.com')).toBe('CN=mail.contoso.com, O=Contoso, C=US');
    expect(formatDn('C=US\n\nCN=x\n')).toBe('CN=x, C=US');
    expect(formatDn('')).toBe('');
  });

  it('validatesCertificate: only certificate-validation and domain-validation', () => {
    expect((['opportunistic', 'encryption-only', 'certificate-validation', 'domain-validation'] as TlsMode[]).map(validatesCertificate)).toEqual([false, false, true, true]);
  });

  it('certificateNames: the DNS SANs lower-cased; the CN only without a DNS SAN', async () => {
    expect(certificateNames(new X509Certificate(leaf.cert))).toEqual(['mx1.demo.test', 'mx2.demo.test']);
    const ipOnly = await issueEcdsaLeaf(null, { commonName: 'Only.IP.demo.test', dnsNames: ['127.0.0.1'] });
    expect(certificateNames(new X509Certificate(ipOnly.cert))).toEqual(['only.ip.demo.test']);
  });

  const summary = (over: Partial<CertificateSummary>): CertificateSummary =>
    ({ subject: 'CN=x', anchor: false, signatureHash: 'sha256', signatureAlgorithm: 'sha256WithRSAEncryption', keyType: 'rsa', keyBits: 2048, ...over }) as CertificateSummary;

  it.each([
    ['md5', 'MD5'],
    ['md2', 'MD2'],
    ['sha1', 'SHA1'],
  ])('weaknesses: a %s signature on the leaf', (hash, upper) => {
    expect(weaknesses([summary({ signatureHash: hash, signatureAlgorithm: `${hash}WithRSAEncryption` })])).toEqual([
      {
        kind: 'weak-signature',
        subject: 'CN=x',
        message: `the certificate CN=x is signed with ${upper} (${hash}WithRSAEncryption): public CAs stopped issuing such certificates in 2016, Microsoft no longer trusts them for TLS, and OpenSSL at its default security level rejects the chain; Exchange Online may refuse it with 450 4.7.320. Reissue it signed with SHA-256.`,
        id: 'cert.weak-signature',
        args: { which: ref('cert.the-certificate-named', { subject: 'CN=x' }), hash: upper, algorithm: `${hash}WithRSAEncryption` },
      },
    ]);
  });

  it.each([
    ['rsa', 2047, true],
    ['rsa', 2048, false],
    ['rsa-pss', 1024, true],
    ['dsa', 1024, true],
    ['dsa', 2048, false],
    ['ec', 255, true],
    ['ec', 256, false],
    ['ed25519', 128, false],
  ])('weaknesses: a %s key of %i bits is weak: %s', (keyType, keyBits, weak) => {
    const found = weaknesses([summary({ subject: 'CN=leaf' }), summary({ subject: 'CN=mid', keyType, keyBits })]);
    expect(found).toEqual(
      weak
        ? [
            {
              kind: 'weak-key',
              subject: 'CN=mid',
              message: `the chain certificate CN=mid has a ${keyBits}-bit ${keyType.toUpperCase()} key: CAs require at least 2048-bit RSA (or ECDSA P-256) and modern TLS stacks refuse shorter keys. Generate a new key of 2048 bits or more and reissue the certificate.`,
              id: 'cert.weak-key',
              args: { which: ref('cert.chain-certificate', { subject: 'CN=mid' }), bits: keyBits, type: keyType.toUpperCase() },
            },
          ]
        : [],
    );
  });

  it('weaknesses: anchors are not judged; a key of unknown size or type is not weak; no hash is not weak', () => {
    expect(weaknesses([summary({ signatureHash: 'sha1', keyBits: 1024, anchor: true })])).toEqual([]);
    expect(weaknesses([summary({ keyBits: null })])).toEqual([]);
    expect(weaknesses([summary({ keyType: null, keyBits: 512 })])).toEqual([]);
    expect(weaknesses([summary({ signatureHash: null })])).toEqual([]);
    expect(weaknesses([summary({ signatureHash: 'sha1', keyBits: 1024 })]).map((f) => f.kind)).toEqual(['weak-signature', 'weak-key']);
  });

  it('summarize: a key the DER reading leaves to Node (secp256k1) is described by Node', async () => {
    const k1 = await keyCertificate(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'der' }));
    expect(summarize(new X509Certificate(k1), new Set(), NOW)).toMatchObject({ keyType: 'ec', keyBits: null, curve: 'secp256k1' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(summarize(new X509Certificate(await keyCertificate(p256.publicKey.export({ type: 'spki', format: 'der' }))), new Set(), NOW)).toMatchObject({ keyType: 'ec', keyBits: 256, curve: 'prime256v1' });
  });
});

/** A certificate for another subject key (ECDSA-signed by the root's key: the signature is not the point). */
async function keyCertificate(spki: Buffer): Promise<string> {
  return buildCertificate({ subject: [[CN, 'k1.demo.test']], spki, signer: root.key, notAfter: new Date(NOW + DAY) });
}

/** Attribute OIDs of a distinguished name. */
const CN = '2.5.4.3';
const O = '2.5.4.10';

/** The SHA-1 of a key's bits: the key identifier the fixtures write (RFC 5280 §4.2.1.2, method 1). */
function keyId(spki: Buffer): Buffer {
  return createHash('sha1').update(new Uint8Array(pkijs.PublicKeyInfo.fromBER(new Uint8Array(spki)).subjectPublicKey.valueBlock.valueHexView)).digest();
}

const spkiOf = (key: string | KeyObject): Buffer => (typeof key === 'string' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });

/**
 * A certificate with what the fixtures do not write: any names in any order (or none), an
 * authorityKeyIdentifier, any subject key. Names are [attribute OID, value], issuer-most first
 * (as OpenSSL prints them); `issuer` is the issuing certificate (PEM), default self-issued;
 * `signer` is the EC private key (PEM) that signs. PEM.
 */
async function buildCertificate(o: {
  subject: Array<[string, string]>;
  issuer?: string;
  spki: Buffer;
  signer: string;
  dnsNames?: string[];
  isCa?: boolean;
  /** authorityKeyIdentifier's keyIdentifier; with it, the certificate's own subjectKeyIdentifier is written too. */
  aki?: Buffer;
  notAfter?: Date;
}): Promise<string> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array([0x11, ...randomBytes(15)]) });
  // one attribute per RDN (pkijs would put them all in one, a multi-valued RDN)
  const rdns = o.subject.map(([type, value]) => new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema()] }));
  cert.subject = pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER(false));
  cert.issuer = o.issuer ? pkijs.Certificate.fromBER(pemToDer(o.issuer)).subject : cert.subject;
  cert.notBefore.value = new Date(NOW - DAY);
  cert.notAfter.value = o.notAfter ?? new Date(NOW + 400 * DAY);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(new Uint8Array(o.spki));
  const extensions: pkijs.Extension[] = [];
  const ext = (extnID: string, value: asn1js.BaseBlock, critical = false) => extensions.push(new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) }));
  if (o.isCa !== undefined) ext(pkijs.id_BasicConstraints, new pkijs.BasicConstraints({ cA: o.isCa }).toSchema(), true);
  if (o.dnsNames) ext(pkijs.id_SubjectAltName, new pkijs.GeneralNames({ names: o.dnsNames.map((value) => new pkijs.GeneralName({ type: 2, value })) }).toSchema());
  if (o.aki) {
    ext(pkijs.id_SubjectKeyIdentifier, new asn1js.OctetString({ valueHex: new Uint8Array(keyId(o.spki)) }));
    ext(pkijs.id_AuthorityKeyIdentifier, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: new Uint8Array(o.aki) }) }).toSchema());
  }
  if (extensions.length) cert.extensions = extensions;
  const signer = createPrivateKey(o.signer);
  const namedCurve = signer.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
  const key = await webcrypto.subtle.importKey('pkcs8', signer.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve }, false, ['sign']);
  await cert.sign(key as never, 'SHA-256');
  return new X509Certificate(Buffer.from(cert.toSchema(true).toBER(false))).toString();
}

describe('describeCertificate on a TLS socket', () => {
  it('a good chain: every field of every certificate, the anchor added from the trust store', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [root.cert]);
    const check = describeCertificate(context('domain-validation', { domain: '*.demo.test' }), socket, NOW);
    const x = new X509Certificate(leaf.cert);
    expect(check.chain[0]).toEqual({
      subject: 'CN=mx1.demo.test',
      issuer: 'CN=Unit Intermediate',
      names: ['mx1.demo.test', 'mx2.demo.test'],
      validFrom: new Date(NOW - DAY).toISOString(),
      validTo: new Date(NOW + 30 * DAY + 12 * 3600_000).toISOString(),
      daysLeft: 30,
      fingerprint256: x.fingerprint256,
      thumbprint: x.fingerprint.replace(/:/g, ''),
      serialNumber: leaf.serial.toUpperCase().replace(/^(00)+/, ''),
      keyType: 'ec',
      keyBits: 256,
      curve: 'prime256v1',
      signatureAlgorithm: 'ecdsa-with-SHA256',
      signatureHash: 'sha256',
      crlUrls: [],
      ocspUrls: [],
      isCa: false,
      selfIssued: false,
      anchor: false,
    });
    expect(check.chain.map((c) => ({ subject: c.subject, isCa: c.isCa, selfIssued: c.selfIssued, anchor: c.anchor, keyBits: c.keyBits }))).toEqual([
      { subject: 'CN=mx1.demo.test', isCa: false, selfIssued: false, anchor: false, keyBits: 256 },
      { subject: 'CN=Unit Intermediate', isCa: true, selfIssued: false, anchor: false, keyBits: 256 },
      { subject: 'CN=Unit Root', isCa: true, selfIssued: true, anchor: true, keyBits: 384 },
    ]);
    expect({ ...check, chain: check.chain.length }).toEqual({ chain: 3, trusted: true, verifyError: null, requiredName: '*.demo.test', nameMatches: true, findings: [] });
    // a summary is a fresh object each time: the cached facts are not shared out
    const again = describeCertificate(context('domain-validation', { domain: '*.demo.test' }), socket, NOW + DAY);
    expect(again.chain[0]?.daysLeft).toBe(29);
    expect(again.chain[0]?.names).not.toBe(check.chain[0]?.names);
    expect(again.chain[0]?.crlUrls).not.toBe(check.chain[0]?.crlUrls);
    expect(checkCertificate(context('certificate-validation', { domain: 'mail.contoso.com' }), socket, NOW)).toMatchObject({ trusted: true, requiredName: null, nameMatches: null });
    // one name of the leaf is enough
    expect(describeCertificate(context('domain-validation', { domain: 'mx2.demo.test' }), socket, NOW)).toMatchObject({ requiredName: 'mx2.demo.test', nameMatches: true });
  });

  it('the server sends the root itself: it is not added twice, and marked as an anchor', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert, root.cert]), [root.cert]);
    const chain = describeCertificate(context('certificate-validation'), socket, NOW).chain;
    expect(chain.map((c) => [c.subject, c.anchor])).toEqual([
      ['CN=mx1.demo.test', false],
      ['CN=Unit Intermediate', false],
      ['CN=Unit Root', true],
    ]);
    expect(peerChain(socket).map((c) => c.subject)).toEqual(['CN=mx1.demo.test', 'CN=Unit Intermediate', 'CN=Unit Root']);
  });

  it('an issuer not among the anchors: no anchor added', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [notCa.cert]);
    expect(peerChain(socket, [notCa.cert]).map((c) => c.subject)).toEqual(['CN=mx1.demo.test', 'CN=Unit Intermediate']);
    expect(describeCertificate(context('certificate-validation', { ca: [notCa.cert, 'not a PEM'] }), socket, NOW).chain).toHaveLength(2);
  });
});

describe('the reasons a chain fails, each with its whole failure', () => {
  const cv = (ctxOpts: Parameters<typeof context>[1] = {}) => context('certificate-validation', ctxOpts);

  it('a name mismatch under domain-validation; no match is not judged under certificate-validation', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [root.cert]);
    expect(failureOf(() => checkCertificate(context('domain-validation', { domain: 'mail.contoso.com' }), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: 'the certificate is for mx1.demo.test, mx2.demo.test, not mail.contoso.com',
      id: 'cert.name-mismatch',
      args: { names: 'mx1.demo.test, mx2.demo.test', required: 'mail.contoso.com' },
      reason: 'name-mismatch',
      expected: 'mail.contoso.com',
      presented: 'CN=mx1.demo.test',
      presentedNames: ['mx1.demo.test', 'mx2.demo.test'],
      thumbprint: thumbprint(leaf.cert),
    });
    expect(checkCertificate(cv(), socket, NOW)).toMatchObject({ trusted: true });
  });

  it('a certificate with no DNS name and a CN that does not match: "(no names)" is never said when the CN counts', async () => {
    const ipOnly = await issueEcdsaLeaf(issuerOf(intermediate), { commonName: 'other.demo.test', dnsNames: ['127.0.0.1'] });
    const socket = await connect(await serve(ipOnly.key, [ipOnly.cert, intermediate.cert]), [root.cert]);
    expect(failureOf(() => checkCertificate(context('domain-validation', { domain: 'mx1.demo.test' }), socket, NOW))).toMatchObject({
      message: 'the certificate is for other.demo.test, not mx1.demo.test',
      presentedNames: ['other.demo.test'],
    });
  });

  it('expired: the leaf, with its date', async () => {
    const expired = await issueEcdsaLeaf(issuerOf(intermediate), { dnsNames: ['mx1.demo.test'], notBefore: new Date(NOW - 90 * DAY), notAfter: new Date(NOW - 30 * DAY) });
    const socket = await connect(await serve(expired.key, [expired.cert, intermediate.cert]), [root.cert]);
    const date = new Date(NOW - 30 * DAY).toISOString().slice(0, 10);
    expect(failureOf(() => checkCertificate(cv(), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: `the certificate expired on ${date}`,
      id: 'cert.expired',
      args: { which: ref('cert.the-certificate'), date },
      reason: 'expired',
      errno: 'CERT_HAS_EXPIRED',
      thumbprint: thumbprint(expired.cert),
    });
  });

  it('expired: an intermediate, named, while the leaf is still valid', async () => {
    const old = await issueEcdsaLeaf(issuerOf(root), { commonName: 'Old Intermediate', isCa: true, notBefore: new Date(NOW - 400 * DAY), notAfter: new Date(NOW - 2 * DAY) });
    const under = await issueEcdsaLeaf({ cert: old.cert, key: old.key, chain: [old.cert] }, { dnsNames: ['mx1.demo.test'] });
    const socket = await connect(await serve(under.key, [under.cert, old.cert]), [root.cert]);
    const date = new Date(NOW - 2 * DAY).toISOString().slice(0, 10);
    expect(failureOf(() => checkCertificate(cv(), socket, NOW))).toMatchObject({
      message: `the chain certificate CN=Old Intermediate expired on ${date}`,
      args: { which: ref('cert.chain-certificate', { subject: 'CN=Old Intermediate' }), date },
      reason: 'expired',
    });
  });

  it('not yet valid, with the date it starts', async () => {
    const early = await issueEcdsaLeaf(issuerOf(intermediate), { dnsNames: ['mx1.demo.test'], notBefore: new Date(NOW + 3 * DAY), notAfter: new Date(NOW + 90 * DAY) });
    const socket = await connect(await serve(early.key, [early.cert, intermediate.cert]), [root.cert]);
    const date = new Date(NOW + 3 * DAY).toISOString().slice(0, 10);
    expect(failureOf(() => checkCertificate(cv(), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: `the certificate is not valid before ${date}`,
      id: 'cert.not-yet-valid',
      args: { date },
      reason: 'not-yet-valid',
      errno: 'CERT_NOT_YET_VALID',
      thumbprint: thumbprint(early.cert),
    });
  });

  it('self-signed', async () => {
    const self = await issueEcdsaLeaf(null, { dnsNames: ['mx1.demo.test'] });
    const socket = await connect(await serve(self.key, [self.cert]), [root.cert]);
    expect(failureOf(() => checkCertificate(cv(), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: 'the certificate is self-signed',
      id: 'cert.self-signed',
      args: {},
      reason: 'self-signed',
      errno: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      thumbprint: thumbprint(self.cert),
    });
  });

  it('a root that is not trusted, sent by the server: named', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert, root.cert]), [notCa.cert]);
    expect(failureOf(() => checkCertificate(cv({ ca: [notCa.cert] }), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: 'the chain ends in a root that is not trusted (CN=Unit Root)',
      id: 'cert.untrusted-root',
      args: { subject: 'CN=Unit Root' },
      reason: 'untrusted-root',
      errno: 'SELF_SIGNED_CERT_IN_CHAIN',
      thumbprint: thumbprint(leaf.cert),
    });
  });

  it('the issuer neither sent nor trusted: unknown-issuer; with an AIA caIssuers URL, the missing intermediate', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert]), [root.cert]);
    expect(failureOf(() => checkCertificate(cv(), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: 'the issuer CN=Unit Intermediate is not a trusted root and the server did not send it: an untrusted CA, or a missing intermediate',
      id: 'cert.unknown-issuer',
      args: { issuer: 'CN=Unit Intermediate' },
      reason: 'unknown-issuer',
      errno: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      thumbprint: thumbprint(leaf.cert),
    });
    const pointing = await issueEcdsaLeaf(issuerOf(intermediate), { dnsNames: ['mx1.demo.test'], aiaCaIssuersUrl: 'http://127.0.0.1/intermediate.crt' });
    const alone = await connect(await serve(pointing.key, [pointing.cert]), [root.cert]);
    expect(failureOf(() => checkCertificate(cv(), alone, NOW))).toMatchObject({
      message: 'the server does not send the intermediate certificate (CN=Unit Intermediate) that links its certificate to a trusted root',
      id: 'cert.missing-intermediate',
      reason: 'incomplete-chain',
      errno: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    // the top certificate sent decides: an intermediate sent without its root's AIA is unknown-issuer
    const top = await connect(await serve(pointing.key, [pointing.cert, intermediate.cert]), [notCa.cert]);
    expect(failureOf(() => checkCertificate(cv({ ca: [notCa.cert] }), top, NOW))).toMatchObject({ reason: 'unknown-issuer', args: { issuer: 'CN=Unit Root' } });
  });

  it('a signature that does not verify', async () => {
    const wrongKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const forged = await issueEcdsaLeaf({ cert: intermediate.cert, key: wrongKey, chain: [intermediate.cert] }, { dnsNames: ['mx1.demo.test'] });
    const socket = await connect(await serve(forged.key, [forged.cert, intermediate.cert]), [root.cert]);
    expect(failureOf(() => checkCertificate(cv(), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: 'a signature in the certificate chain does not verify (the certificate was altered, or is paired with the wrong issuer)',
      id: 'cert.bad-signature',
      args: {},
      reason: 'invalid',
      errno: 'CERT_SIGNATURE_FAILURE',
      thumbprint: thumbprint(forged.cert),
    });
  });

  it('revoked, as OpenSSL reports it when given the CRL', async () => {
    const pem = (der: Buffer) => `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`;
    // OpenSSL then wants a CRL for every certificate below the root
    const crls = [pem(await makeCrl(intermediate, { revoked: [leaf.serial] })), pem(await makeCrl(root))];
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [root.cert], { crl: crls });
    expect(failureOf(() => checkCertificate(cv(), socket, NOW))).toMatchObject({
      message: 'the certificate has been revoked by its CA: it is no longer valid',
      id: 'cert.revoked-verify',
      reason: 'revoked',
      errno: 'CERT_REVOKED',
    });
  });

  it('any other error: invalid, naming it', async () => {
    const under = await issueEcdsaLeaf({ cert: notCa.cert, key: notCa.key, chain: [] }, { dnsNames: ['mx1.demo.test'] });
    const socket = await connect(await serve(under.key, [under.cert]), [notCa.cert]);
    const failure = failureOf(() => checkCertificate(cv({ ca: [notCa.cert] }), socket, NOW));
    expect(failure).toMatchObject({ reason: 'invalid', id: 'cert.invalid', message: `the certificate chain did not verify (${String(failure.errno)})`, args: { error: failure.errno } });
    // OpenSSL's code for an issuer that is no CA reaches Node as one this stage has no reason for
    expect(typeof failure.errno).toBe('string');
    expect(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_REVOKED', 'CERT_SIGNATURE_FAILURE']).not.toContain(failure.errno);
  });

  it('modes that do not validate describe the failing chain and do not judge it', async () => {
    const self = await issueEcdsaLeaf(null, { dnsNames: ['mx1.demo.test'] });
    const socket = await connect(await serve(self.key, [self.cert]), [root.cert]);
    for (const mode of ['opportunistic', 'encryption-only'] as TlsMode[]) {
      expect(checkCertificate(context(mode), socket, NOW)).toMatchObject({ trusted: false, verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT', requiredName: null, nameMatches: null });
      const check = await inspectCertificate(context(mode), socket, { now: NOW, revocation: 'hard' });
      expect(check.revocation).toEqual({
        mode: 'hard',
        status: 'unchecked',
        source: null,
        ocsp: null,
        crl: [],
        detail: `revocation not checked: TLS mode ${mode} does not validate the certificate`,
        detailId: 'cert.revocation-not-checked',
        detailArgs: { mode },
        revokedAt: null,
      });
      expect(check.findings).toEqual([]);
    }
  });
});

describe('inspectCertificate: weak keys, then revocation of the leaf and of the intermediates', () => {
  const crlUrl = 'http://crl.demo.test/unit-intermediate.crl';
  const rootCrlUrl = 'http://crl.demo.test/unit-root.crl';

  /** A cache that already holds `crls` by URL. */
  async function holding(crls: Record<string, Buffer>): Promise<RevocationCache> {
    const cache = new RevocationCache();
    for (const [url, der] of Object.entries(crls)) await cache.crl(url, async (): Promise<CrlDownload> => ({ body: der, etag: null, lastModified: null }));
    return cache;
  }

  it('soft, by default: a leaf naming no source is not worth a warning; the onCheck hook sees the chain first', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [root.cert]);
    const seen: number[] = [];
    const check = await inspectCertificate(context('certificate-validation'), socket, { now: NOW, onCheck: (c) => seen.push(c.chain.length) });
    expect(seen).toEqual([3]);
    expect(check.revocation).toMatchObject({ mode: 'soft', status: 'unknown', detailId: 'rev.no-source' });
    expect(check.revocation?.intermediates).toEqual([
      expect.objectContaining({ subject: 'CN=Unit Intermediate', mode: 'soft', status: 'unknown', detailId: 'rev.no-source' }),
    ]);
    expect(check.findings).toEqual([]);
  });

  it('the context\'s mode applies when none is given; hard: a leaf naming no source fails', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [root.cert]);
    expect(await failureOfAsync(() => inspectCertificate(context('certificate-validation', { revocation: 'hard' }), socket, { now: NOW }))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message:
        'the revocation status of the certificate cannot be established (--revocation hard): the certificate names no CRL distribution point or OCSP responder, and the server staples no OCSP response',
      id: 'cert.revocation-unknown-hard',
      args: { which: ref('cert.the-certificate'), detail: 'the certificate names no CRL distribution point or OCSP responder, and the server staples no OCSP response' },
      reason: 'revocation-unknown',
      thumbprint: thumbprint(leaf.cert),
    });
  });

  it('a leaf issued by the root itself: no intermediates listed', async () => {
    const direct = await issueEcdsaLeaf(issuerOf(root), { dnsNames: ['mx1.demo.test'] });
    const socket = await connect(await serve(direct.key, [direct.cert]), [root.cert]);
    const check = await inspectCertificate(context('certificate-validation'), socket, { now: NOW, revocation: 'soft' });
    expect(check.revocation).toMatchObject({ status: 'unknown', detailId: 'rev.no-source' });
    expect(check.revocation?.intermediates).toBeUndefined();
  });

  it('off: nothing checked, no intermediates listed', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [root.cert]);
    const check = await inspectCertificate(context('certificate-validation', { revocation: 'hard' }), socket, { now: NOW, revocation: 'off' });
    expect(check.revocation).toMatchObject({ mode: 'off', status: 'unchecked', detailId: 'rev.off' });
    expect(check.revocation?.intermediates).toBeUndefined();
  });

  it('a leaf listed in its CRL: revoked, with the date; a good CRL for the leaf and an intermediate listed in the root\'s: the intermediate is named', async () => {
    const mid = await issueEcdsaLeaf(issuerOf(root), { commonName: 'Listed Intermediate', isCa: true, crlUrl: rootCrlUrl });
    const midIssuer = { cert: mid.cert, key: mid.key, chain: [mid.cert] };
    const listedLeaf = await issueEcdsaLeaf(midIssuer, { dnsNames: ['mx1.demo.test'], crlUrl });
    const serve1 = await serve(listedLeaf.key, [listedLeaf.cert, mid.cert]);

    const leafRevoked = await holding({ [crlUrl]: await makeCrl(mid, { revoked: [listedLeaf.serial] }), [rootCrlUrl]: await makeCrl(root) });
    const failure = await failureOfAsync(async () => inspectCertificate(context('certificate-validation', { cache: leafRevoked }), await connect(serve1, [root.cert]), { now: NOW, revocation: 'soft' }));
    expect(failure).toMatchObject({ stage: 'certificate', kind: 'certificate', reason: 'revoked', id: 'cert.revoked', args: { which: ref('cert.the-certificate') }, thumbprint: thumbprint(listedLeaf.cert) });
    expect(String(failure.message)).toMatch(/^the certificate has been revoked by its CA: it is no longer valid \(the CRL at http:\/\/crl\.demo\.test\/unit-intermediate\.crl lists the certificate as revoked since \d{4}-\d\d-\d\d\)$/);
    expect(typeof failure.revokedAt).toBe('string');

    const midRevoked = await holding({ [crlUrl]: await makeCrl(mid), [rootCrlUrl]: await makeCrl(root, { revoked: [mid.serial] }) });
    const failure2 = await failureOfAsync(async () => inspectCertificate(context('certificate-validation', { cache: midRevoked }), await connect(serve1, [root.cert]), { now: NOW, revocation: 'hard' }));
    expect(failure2).toMatchObject({ reason: 'revoked', args: { which: ref('cert.intermediate', { subject: 'CN=Listed Intermediate' }) }, thumbprint: thumbprint(listedLeaf.cert) });
    expect(String(failure2.message)).toMatch(/^the intermediate certificate CN=Listed Intermediate has been revoked by its CA/);

    const allGood = await holding({ [crlUrl]: await makeCrl(mid), [rootCrlUrl]: await makeCrl(root) });
    const check = await inspectCertificate(context('certificate-validation', { cache: allGood }), await connect(serve1, [root.cert]), { now: NOW, revocation: 'hard' });
    expect(check.revocation).toMatchObject({ status: 'good', source: 'crl' });
    expect(check.revocation?.intermediates?.map((r) => [r.subject, r.status, r.source])).toEqual([['CN=Listed Intermediate', 'good', 'crl']]);
    expect(check.findings).toEqual([]);
  });

  it('soft: a CRL that cannot be used is a finding for the certificate it is about', async () => {
    const withCrl = await issueEcdsaLeaf(issuerOf(intermediate), { dnsNames: ['mx1.demo.test'], crlUrl, ocspUrl: 'http://ocsp.demo.test/' });
    const cache = await holding({ [crlUrl]: await makeCrl(root) }); // signed by the root, not the leaf's issuer
    const socket = await connect(await serve(withCrl.key, [withCrl.cert, intermediate.cert]), [root.cert]);
    const check = await inspectCertificate(context('certificate-validation', { cache }), socket, { now: NOW });
    const detail = `the CRL at ${crlUrl} is not signed by the certificate's issuer`;
    expect({ crlUrls: check.chain[0]?.crlUrls, ocspUrls: check.chain[0]?.ocspUrls }).toEqual({ crlUrls: [crlUrl], ocspUrls: ['http://ocsp.demo.test/'] });
    expect(check.findings).toEqual([
      {
        kind: 'revocation-unavailable',
        subject: 'CN=mx1.demo.test',
        message: `the revocation status of the certificate could not be established: ${detail}. Exchange Online checks revocation; make the CRL reachable over HTTP (or staple a valid OCSP response).`,
        id: 'cert.revocation-unavailable',
        args: { which: ref('cert.the-certificate'), detail },
      },
    ]);
  });
});

describe('what the first mutation run of probes/certificate.ts left (issue 20)', () => {
  const cv = (ctxOpts: Parameters<typeof context>[1] = {}) => context('certificate-validation', ctxOpts);
  /** The P-256 key every fixture leaf and the intermediate share (test/fixtures/pki.ts keeps one per curve). */
  const p256 = () => spkiOf(intermediate.key);

  it('certificateNames: the CN found after other names; no CN and no DNS name: no names', async () => {
    const orgFirst = await buildCertificate({ subject: [[O, 'Demo Org'], [CN, 'Mail.Demo.Test']], spki: p256(), signer: root.key });
    expect(new X509Certificate(orgFirst).subject).toBe('O=Demo Org\nCN=Mail.Demo.Test');
    expect(certificateNames(new X509Certificate(orgFirst))).toEqual(['mail.demo.test']);
    const nameless = await buildCertificate({ subject: [[O, 'Demo Org']], spki: p256(), signer: root.key });
    expect(certificateNames(new X509Certificate(nameless))).toEqual([]);
  });

  it('a trusted certificate with no names at all, under domain-validation: "(no names)"', async () => {
    const nameless = await buildCertificate({ subject: [[O, 'Nameless']], issuer: intermediate.cert, spki: p256(), signer: intermediate.key });
    const socket = await connect(await serve(intermediate.key, [nameless, intermediate.cert]), [root.cert]);
    expect(failureOf(() => checkCertificate(context('domain-validation', { domain: 'mx1.demo.test' }), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: 'the certificate is for (no names), not mx1.demo.test',
      id: 'cert.name-mismatch',
      args: { names: ref('cert.no-names'), required: 'mx1.demo.test' },
      reason: 'name-mismatch',
      expected: 'mx1.demo.test',
      presented: 'O=Nameless',
      presentedNames: [],
      thumbprint: thumbprint(nameless),
    });
  });

  it('summarize: a DSA key, whose size only Node reads', async () => {
    const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).publicKey.export({ type: 'spki', format: 'der' });
    const summary = summarize(new X509Certificate(await keyCertificate(dsa)), new Set(), NOW);
    expect({ keyType: summary.keyType, keyBits: summary.keyBits, curve: summary.curve }).toEqual({ keyType: 'dsa', keyBits: 1024, curve: null });
    expect(weaknesses([summary]).map((f) => [f.kind, f.args])).toEqual([['weak-key', { which: ref('cert.the-certificate-named', { subject: 'CN=k1.demo.test' }), bits: 1024, type: 'DSA' }]]);
  });

  it('peerChain adds the anchor the socket was not given: after a leaf sent alone, and after an intermediate', async () => {
    const direct = await issueEcdsaLeaf(issuerOf(root), { dnsNames: ['mx1.demo.test'] });
    // the socket trusts another CA, so Node's own peer chain stops at what the server sent
    const alone = await connect(await serve(direct.key, [direct.cert]), [notCa.cert]);
    expect(peerChain(alone).map((c) => c.subject)).toEqual(['CN=mx1.demo.test']);
    expect(peerChain(alone, [root.cert]).map((c) => c.subject)).toEqual(['CN=mx1.demo.test', 'CN=Unit Root']);
    expect(describeCertificate(cv({ ca: [root.cert] }), alone, NOW).chain.map((c) => [c.subject, c.anchor])).toEqual([
      ['CN=mx1.demo.test', false],
      ['CN=Unit Root', true],
    ]);
    const two = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [notCa.cert]);
    expect(peerChain(two, [root.cert]).map((c) => c.subject)).toEqual(['CN=mx1.demo.test', 'CN=Unit Intermediate', 'CN=Unit Root']);
  });

  it('two anchors with the issuer\'s subject: the one whose key signed it, among one with another key and one that may not sign certificates', async () => {
    const otherKey = await issueEcdsaLeaf(null, { commonName: 'Unit Root', isCa: true }); // P-256: not the root's key
    const mayNotSign = await issueEcdsaLeaf(null, { commonName: 'Unit Root', curve: 'secp384r1' }); // the root's key, no keyCertSign
    expect(new X509Certificate(intermediate.cert).verify(new X509Certificate(mayNotSign.cert).publicKey)).toBe(true);
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [notCa.cert]);
    const chain = peerChain(socket, [otherKey.cert, mayNotSign.cert, root.cert]);
    expect(chain.map((c) => c.fingerprint256)).toEqual([leaf.cert, intermediate.cert, root.cert].map((pem) => new X509Certificate(pem).fingerprint256));
  });

  it('an intermediate trusted as an anchor without its root: UNABLE_TO_GET_ISSUER_CERT is unknown-issuer, naming the root', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert]), [intermediate.cert]);
    expect(failureOf(() => checkCertificate(cv({ ca: [intermediate.cert] }), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: 'the issuer CN=Unit Root is not a trusted root and the server did not send it: an untrusted CA, or a missing intermediate',
      id: 'cert.unknown-issuer',
      args: { issuer: 'CN=Unit Root' },
      reason: 'unknown-issuer',
      errno: 'UNABLE_TO_GET_ISSUER_CERT',
      thumbprint: thumbprint(leaf.cert),
    });
  });

  it('a server that presents no certificate (an anonymous cipher suite): none presented, invalid; described as an empty chain', async () => {
    const anon = { ciphers: 'aNULL:@SECLEVEL=0', maxVersion: 'TLSv1.2' } as const;
    const server = tls.createServer(anon, (s) => s.on('error', () => {}).end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const socket = await connect((server.address() as { port: number }).port, [root.cert], anon);
    expect(failureOf(() => checkCertificate(cv(), socket, NOW))).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      message: 'the server presented no certificate',
      id: 'cert.none-presented',
      args: {},
      reason: 'invalid',
    });
    expect(describeCertificate(context('opportunistic'), socket, NOW)).toEqual({
      chain: [],
      trusted: false,
      verifyError: String(socket.authorizationError),
      requiredName: null,
      nameMatches: null,
      findings: [],
    });
  });

  it('inspectCertificate counts days from options.now', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [root.cert]);
    const later = await inspectCertificate(cv(), socket, { now: NOW + 10 * DAY, revocation: 'off' });
    expect(later.chain.map((c) => c.daysLeft)).toEqual([20, 390, Math.floor((Date.parse(new X509Certificate(root.cert).validTo) - NOW - 10 * DAY) / DAY)]);
    expect((await inspectCertificate(cv(), socket, { revocation: 'off' })).chain[0]?.daysLeft).toBe(30);
  });

  it('inspectCertificate checks the staple it is given: a good one passes --revocation hard', async () => {
    const direct = await issueEcdsaLeaf(issuerOf(root), { dnsNames: ['mx1.demo.test'], ocspUrl: 'http://ocsp.demo.test/' });
    const staple = await makeOcspResponse(root, direct.cert, { status: 'good' });
    const socket = await connect(await serve(direct.key, [direct.cert]), [root.cert]);
    const check = await inspectCertificate(cv(), socket, { now: NOW, revocation: 'hard', staple });
    expect(check.revocation).toMatchObject({ mode: 'hard', status: 'good', source: 'ocsp-staple', revokedAt: null });
    expect(check.revocation?.intermediates).toBeUndefined();
    // the same without it: nobody can say, and hard fails
    expect(await failureOfAsync(() => inspectCertificate(cv(), socket, { now: NOW, revocation: 'hard' }))).toMatchObject({ reason: 'revocation-unknown' });
  });

  it('an intermediate that is itself a trust anchor is not checked for revocation', async () => {
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert]), [root.cert, intermediate.cert]);
    const check = await inspectCertificate(cv({ ca: [root.cert, intermediate.cert] }), socket, { now: NOW, revocation: 'soft' });
    expect(check.chain.map((c) => [c.subject, c.anchor])).toEqual([
      ['CN=mx1.demo.test', false],
      ['CN=Unit Intermediate', true],
      ['CN=Unit Root', true],
    ]);
    expect(check.revocation).toMatchObject({ status: 'unknown', detailId: 'rev.no-source' });
    expect(check.revocation?.intermediates).toBeUndefined();
  });

  it('a self-issued certificate inside the chain (a root key rollover) is not checked for revocation', async () => {
    const rootSpki = spkiOf(root.key);
    const newRoot = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const newRootPem = newRoot.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    // "CN=Unit Root" on the new key, signed with the old one: self-issued, not self-signed (RFC 5280 §6.1)
    const rollover = await buildCertificate({ subject: [[CN, 'Unit Root']], issuer: root.cert, spki: spkiOf(newRoot.publicKey), signer: root.key, isCa: true, aki: keyId(rootSpki) });
    const mid = await buildCertificate({ subject: [[CN, 'Rollover Intermediate']], issuer: rollover, spki: p256(), signer: newRootPem, isCa: true, aki: keyId(spkiOf(newRoot.publicKey)) });
    const under = await issueEcdsaLeaf({ cert: mid, key: intermediate.key, chain: [mid] }, { dnsNames: ['mx1.demo.test'] });
    // the old root sent too: Node's peer chain (what was sent, in issuer order) stops at a self-issued top otherwise
    const socket = await connect(await serve(under.key, [under.cert, mid, rollover, root.cert]), [root.cert]);
    const check = await inspectCertificate(cv(), socket, { now: NOW, revocation: 'soft' });
    expect(check.chain.map((c) => [c.subject, c.selfIssued, c.anchor])).toEqual([
      ['CN=mx1.demo.test', false, false],
      ['CN=Rollover Intermediate', false, false],
      ['CN=Unit Root', true, false],
      ['CN=Unit Root', true, true],
    ]);
    expect(check.trusted).toBe(true);
    expect(check.revocation?.intermediates?.map((r) => [r.subject, r.status])).toEqual([['CN=Rollover Intermediate', 'unknown']]);
    // without the old root: the chain is completed with it, as after any top that is not self-signed
    const withoutRoot = await connect(await serve(under.key, [under.cert, mid, rollover]), [root.cert]);
    expect(describeCertificate(cv(), withoutRoot, NOW).chain.map((c) => [c.subject, c.selfIssued, c.anchor, c.fingerprint256])).toEqual([
      ['CN=mx1.demo.test', false, false, new X509Certificate(under.cert).fingerprint256],
      ['CN=Rollover Intermediate', false, false, new X509Certificate(mid).fingerprint256],
      ['CN=Unit Root', true, false, new X509Certificate(rollover).fingerprint256],
      ['CN=Unit Root', true, true, new X509Certificate(root.cert).fingerprint256],
    ]);
  });

  it('a self-signed top is not completed, even by an anchor with its name and key (a root reissued)', async () => {
    const reissued = await buildCertificate({ subject: [[CN, 'Unit Root']], spki: spkiOf(root.key), signer: root.key, isCa: true });
    expect(new X509Certificate(root.cert).checkIssued(new X509Certificate(reissued))).toBe(true);
    const socket = await connect(await serve(leaf.key, [leaf.cert, intermediate.cert, root.cert]), [notCa.cert]);
    expect(peerChain(socket, [reissued]).map((c) => c.fingerprint256)).toEqual([leaf.cert, intermediate.cert, root.cert].map((pem) => new X509Certificate(pem).fingerprint256));
  });

  it('the anchor that issued the top is not added twice when the server sent it lower down (two CAs cross-signed both ways)', async () => {
    const kx = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ky = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;
    const x = await buildCertificate({ subject: [[CN, 'Cross X']], issuer: await buildCertificate({ subject: [[CN, 'Cross Y']], spki: spkiOf(ky.publicKey), signer: pem(ky.privateKey) }), spki: spkiOf(kx.publicKey), signer: pem(ky.privateKey), isCa: true });
    const y = await buildCertificate({ subject: [[CN, 'Cross Y']], issuer: x, spki: spkiOf(ky.publicKey), signer: pem(kx.privateKey), isCa: true });
    const under = await issueEcdsaLeaf({ cert: x, key: pem(kx.privateKey), chain: [x] }, { dnsNames: ['mx1.demo.test'] });
    const socket = await connect(await serve(under.key, [under.cert, x, y]), [notCa.cert]);
    // Y's issuer is X, an anchor here, and already in the chain
    expect(peerChain(socket, [x]).map((c) => c.subject)).toEqual(['CN=mx1.demo.test', 'CN=Cross X', 'CN=Cross Y']);
  });
});

