/**
 * The certificate and TLS stage in depth, end to end against real loopback servers:
 * every 4.7.320 reason for RSA and ECDSA leaves, revocation by CRL (over a loopback HTTP
 * server) and by stapled OCSP, weak keys and signatures, the TLS versions a server
 * offers, expiry warnings through the CLI, and no false alarm on good chains.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  certSet,
  closedPort,
  createCa,
  createIntermediate,
  issueEcdsaLeaf,
  issueLeaf,
  makeCrl,
  makeOcspResponse,
  OCSP_SIGNING,
  selfSigned,
  serialOf,
  smtpScript,
  startDns,
  startHttp,
  startRaw,
  type DnsServer,
  type HttpFixture,
  type HttpRoute,
  type LeafOptions,
  type SmtpScript,
  timeWithLag,
} from './fixtures/index.js';
import { defaultRevocationCache } from '../probes/revocation-cache.js';
import { probe } from '../src/core/engine.js';
import type { ProbeOptions } from '../src/core/options.js';
import { renderJson } from '../src/report/json.js';
import { renderText } from '../src/report/text.js';
import type { ProbeResult } from '../src/core/result.js';

const DAY = 86_400_000;
const NAMES = ['mx1.demo.test', 'localhost', '127.0.0.1', '::1'];
const AIA = 'http://127.0.0.1/intermediate.crt';

let dns: DnsServer;
let http: HttpFixture;

beforeAll(async () => {
  dns = await startDns({
    'mx1.demo.test': { A: ['127.0.0.1'] },
    'two.demo.test': { A: ['127.0.0.1', '127.0.0.2'] },
  });
  http = await startHttp();
});
afterAll(async () => {
  await dns.close();
  await http.close();
});
// The probes share the process-wide CRL cache: each test starts from an empty one.
beforeEach(() => defaultRevocationCache().clear());

function options(port: number, extra: ProbeOptions = {}): ProbeOptions {
  return { port, resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 1500, deadlineMs: 8000, ...extra };
}

/** A loopback smart host serving `material` (PEM key + chain), optionally stapling an OCSP response. */
async function serve(material: { key: string; fullchain: string }, script: SmtpScript = {}, host?: string) {
  const server = await startRaw(smtpScript({ tls: { key: material.key, cert: material.fullchain }, ...script }), host ? { host } : {});
  onTestFinished(async () => {
    await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
    await server.close();
  });
  return server;
}

/** A leaf of the given key type, issued by the shared intermediate unless told. */
type KeyKind = 'rsa' | 'ecdsa';
async function leafOf(kind: KeyKind, opts: LeafOptions, issuer = certSet().intermediate) {
  if (kind === 'ecdsa') return issueEcdsaLeaf(issuer, { aiaCaIssuersUrl: AIA, ...opts });
  const leaf = issueLeaf(issuer, { aiaCaIssuersUrl: AIA, ...opts });
  return { ...leaf, serial: serialOf(leaf.cert) };
}

let routeId = 0;
/** Publishes a CRL (or a handler) on the loopback HTTP server; returns its URL. */
function publish(route: HttpRoute): string {
  const path = `/crl/${++routeId}.crl`;
  http.routes[path] = route;
  return http.url(path);
}

function fact(result: ProbeResult) {
  const path = result.paths[0];
  return { stage: path?.failure?.stage, kind: path?.failure?.kind, reason: path?.failure?.reason, code: result.code, verdict: result.verdict };
}

const KINDS: KeyKind[] = ['rsa', 'ecdsa'];

describe.each(KINDS)('%s leaf', (kind) => {
  it('healthy: every certificate field is in the JSON and the text report', async () => {
    // 89 days and 12 hours: 89 whole days left however long the test takes (under 12 h)
    const leaf = await leafOf(kind, { dnsNames: NAMES, notAfter: new Date(Date.now() + 89.5 * DAY) });
    const server = await serve(leaf);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('healthy');
    expect(result.warnings).toEqual([]);
    const cert = result.paths[0]?.certificate;
    expect(cert?.chain.map((c) => c.anchor)).toEqual([false, false, true]);
    const [first, intermediate] = cert?.chain ?? [];
    expect(first).toMatchObject({
      subject: 'CN=mx1.demo.test',
      issuer: 'CN=mailflow-probe Test Intermediate, O=mailflow-probe fixtures',
      names: ['mx1.demo.test', 'localhost'],
      keyType: kind === 'rsa' ? 'rsa' : 'ec',
      keyBits: kind === 'rsa' ? 2048 : 256,
      curve: kind === 'rsa' ? null : 'prime256v1',
      // the RSA intermediate signs both
      signatureAlgorithm: 'sha256WithRSAEncryption',
      signatureHash: 'sha256',
      serialNumber: leaf.serial.toUpperCase(),
      isCa: false,
      crlUrls: [],
      ocspUrls: [],
    });
    expect(first?.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(first?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(first?.daysLeft).toBe(89);
    expect(Date.parse(first?.validTo ?? '') - Date.parse(first?.validFrom ?? '')).toBeGreaterThan(90 * DAY - 60_000);
    expect(intermediate).toMatchObject({ isCa: true, keyType: 'rsa', signatureAlgorithm: 'sha256WithRSAEncryption' });
    expect(cert?.revocation).toMatchObject({ mode: 'soft', status: 'unknown', source: null, ocsp: null, crl: [] });
    // JSON carries it all; the text report shows a block per certificate
    const json = JSON.parse(renderJson(result)) as ProbeResult;
    expect(json.paths[0]?.certificate?.chain[0]).toEqual(first);
    const text = renderText(result);
    expect(text).toContain(`[0] CN=mx1.demo.test (leaf)`);
    expect(text).toContain(`thumbprint ${first?.thumbprint}`);
    expect(text).toContain(`serial     ${first?.serialNumber}`);
    expect(text).toMatch(kind === 'rsa' ? /key {8}RSA 2048 · signed sha256WithRSAEncryption/ : /key {8}EC 256 \(prime256v1\) · signed sha256WithRSAEncryption/);
    expect(text).toContain('(trust anchor, not sent)');
  });

  it.each([
    ['expired', { notBefore: new Date(Date.now() - 120 * DAY), notAfter: new Date(Date.now() - 30 * DAY) }, 'expired', 'NotTimeValid', /expired on \d{4}-\d\d-\d\d/],
    ['not yet valid', { notBefore: new Date(Date.now() + 30 * DAY), notAfter: new Date(Date.now() + 120 * DAY) }, 'not-yet-valid', 'NotTimeValid', /not valid before/],
  ] as const)('%s → 4.7.320 %s', async (_name, validity, reason, status, message) => {
    const server = await serve(await leafOf(kind, { dnsNames: NAMES, ...validity }));
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason, code: '4.7.320', verdict: 'failing' });
    expect(result.paths[0]?.failure?.message).toMatch(message);
    expect(result.message).toContain(`[Message=${status}: `);
  });

  it('self-signed → 4.7.320 self-signed', async () => {
    const leaf =
      kind === 'ecdsa'
        ? await issueEcdsaLeaf(null, { dnsNames: NAMES })
        : (() => {
            const l = selfSigned({ commonName: 'mx1.demo.test', dnsNames: NAMES });
            return { ...l, serial: serialOf(l.cert) };
          })();
    const server = await serve(leaf);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'self-signed', code: '4.7.320', verdict: 'failing' });
    expect(result.message).toContain('[Message=UntrustedRoot: the certificate is self-signed]');
    expect(result.diagnosis?.firstFix).toMatch(/public certificate authority/);
    if (kind === 'ecdsa') expect(result.paths[0]?.certificate?.chain[0]?.signatureAlgorithm).toBe('ecdsa-with-SHA256');
  });

  it('untrusted root → 4.7.320 untrusted-root', async () => {
    // the server sends its whole chain, root included, but nobody trusts that root
    const otherRoot = createCa({ commonName: 'Private Test Root' });
    const leaf = await leafOf(kind, { dnsNames: NAMES }, createIntermediate(otherRoot, { commonName: 'Private Test Intermediate' }));
    const server = await serve({ key: leaf.key, fullchain: leaf.fullchain + otherRoot.cert });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'untrusted-root', code: '4.7.320', verdict: 'failing' });
    expect(result.paths[0]?.failure?.message).toContain('Private Test Root');
  });

  it('issuer neither sent nor trusted → 4.7.320 unknown-issuer', async () => {
    const otherRoot = createCa({ commonName: 'Unknown Test Root' });
    const leaf = await leafOf(kind, { dnsNames: NAMES, aiaCaIssuersUrl: '' }, createIntermediate(otherRoot, { commonName: 'Unknown Test Intermediate' }));
    const server = await serve({ key: leaf.key, fullchain: leaf.cert });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'unknown-issuer', code: '4.7.320', verdict: 'failing' });
  });

  it('intermediate not sent → 4.7.320 incomplete-chain, fixed on the server', async () => {
    const leaf = await leafOf(kind, { dnsNames: NAMES });
    const server = await serve({ key: leaf.key, fullchain: leaf.cert });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'incomplete-chain', code: '4.7.320', verdict: 'failing' });
    expect(result.paths[0]?.failure?.message).toMatch(/does not send the intermediate certificate \(CN=mailflow-probe Test Intermediate/);
    expect(result.diagnosis?.firstFix).toMatch(/the fix is on the server/);
    expect(result.message).toContain('[Message=PartialChain: ');
  });

  it('name mismatch → 4.7.320 name-mismatch naming both sides', async () => {
    const server = await serve(await leafOf(kind, { dnsNames: ['smtp.fabrikam.test', 'mail.fabrikam.test'] }));
    const result = await probe('mx1.demo.test', options(server.port, { tlsDomain: '*.demo.test' }));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'name-mismatch', code: '4.7.320', verdict: 'failing' });
    expect(result.paths[0]?.failure).toMatchObject({ expected: '*.demo.test', presentedNames: ['smtp.fabrikam.test', 'mail.fabrikam.test'] });
    expect(result.paths[0]?.failure?.message).toBe('the certificate is for smtp.fabrikam.test, mail.fabrikam.test, not *.demo.test');
    const thumbprint = result.paths[0]?.certificate?.chain[0]?.thumbprint;
    expect(thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(result.paths[0]?.failure?.thumbprint).toBe(thumbprint);
    expect(result.message).toContain(`[Message=SubjectMismatch Expected Subject: *.demo.test. Presented Subject: CN=smtp.fabrikam.test. Thumbprint: ${thumbprint}.]`);
  });

  it('revoked, by the CRL at its distribution point → 4.7.320 revoked', async () => {
    const leafUrl = publish(Buffer.alloc(0));
    const leaf = await leafOf(kind, { dnsNames: NAMES, crlUrl: leafUrl });
    http.routes[new URL(leafUrl).pathname] = await makeCrl(certSet().intermediate, { revoked: ['1234', leaf.serial] });
    const server = await serve(leaf);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'revoked', code: '4.7.320', verdict: 'failing' });
    expect(result.paths[0]?.failure?.message).toMatch(/^the certificate has been revoked by its CA: it is no longer valid \(the CRL at http:\/\/127\.0\.0\.1:\d+\/crl\/\d+\.crl lists/);
    expect(result.paths[0]?.failure?.revokedAt).toMatch(/^\d{4}-/);
    expect(result.message).toContain('[Message=Revoked: ');
    expect(result.diagnosis?.firstFix).toMatch(/revoked by its CA and is no longer valid/);
    // the chain is still reported, with what the revocation check found
    expect(result.paths[0]?.certificate?.chain[0]?.crlUrls).toEqual([leafUrl]);
    expect(result.paths[0]?.certificate?.revocation).toMatchObject({ status: 'revoked', source: 'crl' });
  });

  it('revoked, by the OCSP response the server staples → 4.7.320 revoked', async () => {
    const leaf = await leafOf(kind, { dnsNames: NAMES });
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'revoked' });
    const server = await serve(leaf, { staple });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'revoked', code: '4.7.320', verdict: 'failing' });
    expect(result.paths[0]?.failure?.message).toMatch(/the stapled OCSP response says revoked since \d{4}-/);
  });

  it('a good stapled OCSP response settles it without fetching the CRL', async () => {
    const crlUrl = publish(await makeCrl(certSet().intermediate));
    const leaf = await leafOf(kind, { dnsNames: NAMES, crlUrl });
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'good' });
    const server = await serve(leaf, { staple });
    const before = http.requests.length;
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.certificate?.revocation).toMatchObject({ status: 'good', source: 'ocsp-staple', ocsp: { status: 'good' }, crl: [] });
    expect(http.requests.length).toBe(before);
    expect(renderText(result)).toContain('revocation good (ocsp-staple): the stapled OCSP response says good');
  });

  it('a good CRL: healthy, fetched and verified', async () => {
    const crlUrl = publish(await makeCrl(certSet().intermediate, { revoked: ['0badc0de'] }));
    const server = await serve(await leafOf(kind, { dnsNames: NAMES, crlUrl }));
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('healthy');
    expect(result.warnings).toEqual([]);
    expect(result.paths[0]?.stages.find((s) => s.name === 'certificate')?.detail).toMatch(/; not revoked \(crl\)$/);
    expect(result.paths[0]?.certificate?.chain[0]?.crlUrls).toEqual([crlUrl]);
    expect(result.paths[0]?.certificate?.revocation).toMatchObject({ status: 'good', source: 'crl', crl: [{ url: crlUrl, status: 'good' }] });
    expect(http.requests).toContain(new URL(crlUrl).pathname);
  });

  it('valid wildcard and multi-SAN chains: healthy, no warning', async () => {
    for (const [tlsDomain, names] of [
      ['*.demo.test', ['*.demo.test']],
      ['mx1.demo.test', ['*.demo.test']],
      ['mx1.demo.test', ['smtp.fabrikam.test', 'mx1.demo.test', 'mail.demo.test']],
      ['*.demo.test', ['smtp.fabrikam.test', 'mail.demo.test']],
    ] as const) {
      const server = await serve(await leafOf(kind, { dnsNames: [...names] }));
      const result = await probe('mx1.demo.test', options(server.port, { tlsDomain }));
      expect({ tlsDomain, names, verdict: result.verdict, warnings: result.warnings }).toEqual({ tlsDomain, names, verdict: 'healthy', warnings: [] });
      expect(result.paths[0]?.certificate?.nameMatches).toBe(true);
    }
  });
});

describe('revocation modes', () => {
  async function unreachable() {
    const port = await closedPort();
    const crlUrl = `http://127.0.0.1:${port}/missing.crl`;
    return serve(await leafOf('rsa', { dnsNames: NAMES, crlUrl }));
  }

  it('soft (default): an unreachable CRL is a warning, the verdict degraded', async () => {
    const server = await unreachable();
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('degraded');
    expect(result.code).toBeNull();
    expect(result.warnings.map((w) => w.kind)).toEqual(['revocation-unavailable']);
    expect(result.warnings[0]?.message).toMatch(/could not be fetched: ECONNREFUSED/);
    expect(result.paths[0]?.certificate?.revocation).toMatchObject({ mode: 'soft', status: 'unknown', crl: [{ status: 'unavailable' }] });
  });

  it('hard: an unreachable CRL fails with 4.7.320 revocation-unknown', async () => {
    const server = await unreachable();
    const result = await probe('mx1.demo.test', options(server.port, { revocation: 'hard' }));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'revocation-unknown', code: '4.7.320', verdict: 'failing' });
    expect(result.message).toContain('[Message=RevocationStatusUnknown: the revocation status of the certificate cannot be established (--revocation hard)');
  });

  it('hard: a certificate that names no revocation source fails too', async () => {
    const server = await serve(await leafOf('ecdsa', { dnsNames: NAMES }));
    const result = await probe('mx1.demo.test', options(server.port, { revocation: 'hard' }));
    expect(fact(result)).toMatchObject({ reason: 'revocation-unknown', code: '4.7.320' });
    expect(result.paths[0]?.failure?.message).toMatch(/names no CRL distribution point or OCSP responder/);
  });

  it('off: nothing is fetched, even for a revoked certificate', async () => {
    const leafUrl = publish(Buffer.alloc(0));
    const leaf = await leafOf('rsa', { dnsNames: NAMES, crlUrl: leafUrl });
    http.routes[new URL(leafUrl).pathname] = await makeCrl(certSet().intermediate, { revoked: [leaf.serial] });
    const server = await serve(leaf);
    const before = http.requests.length;
    const result = await probe('mx1.demo.test', options(server.port, { revocation: 'off' }));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.certificate?.revocation).toMatchObject({ mode: 'off', status: 'unchecked' });
    expect(http.requests.length).toBe(before);
  });

  it('a CRL signed by another CA is not believed', async () => {
    const other = createIntermediate(certSet().root, { commonName: 'Other Test Intermediate' });
    const leafUrl = publish(Buffer.alloc(0));
    const leaf = await leafOf('rsa', { dnsNames: NAMES, crlUrl: leafUrl });
    // names the right issuer, but the signature is another CA's: the "revoked" is ignored
    http.routes[new URL(leafUrl).pathname] = await makeCrl(certSet().intermediate, { revoked: [leaf.serial], signer: other });
    const server = await serve(leaf);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('degraded');
    expect(result.paths[0]?.certificate?.revocation?.crl).toMatchObject([{ status: 'invalid', detail: expect.stringMatching(/not signed by the certificate's issuer/) }]);
  });

  it('a stale CRL is not believed', async () => {
    const crlUrl = publish(await makeCrl(certSet().intermediate, { thisUpdate: new Date(Date.now() - 20 * DAY), nextUpdate: new Date(Date.now() - 10 * DAY) }));
    const server = await serve(await leafOf('rsa', { dnsNames: NAMES, crlUrl }));
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.warnings.map((w) => w.kind)).toEqual(['revocation-unavailable']);
    expect(result.warnings[0]?.message).toMatch(/is stale/);
  });

  it('a CRL larger than the bound is refused without reading it all', async () => {
    const crlUrl = publish((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pkix-crl' });
      const chunk = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const server = await serve(await leafOf('rsa', { dnsNames: NAMES, crlUrl }));
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.warnings[0]?.message).toMatch(/larger than 10485760 bytes/);
  });

  it('a CRL server that never answers costs at most the stage timeout', async () => {
    const crlUrl = publish(() => {
      // never answers
    });
    const server = await serve(await leafOf('rsa', { dnsNames: NAMES, crlUrl }));
    const { value: result, ms, lagMs } = await timeWithLag(() => probe('mx1.demo.test', options(server.port, { timeoutMs: 700 })));
    expect(ms).toBeLessThan(700 * 2 + 1500 + lagMs);
    expect(result.warnings[0]?.message).toMatch(/could not be fetched: no answer in time/);
    expect(result.verdict).toBe('degraded');
  });

  it('a stapled response for another certificate is ignored, and the CRL decides', async () => {
    const crlUrl = publish(await makeCrl(certSet().intermediate));
    const leaf = await leafOf('rsa', { dnsNames: NAMES, crlUrl });
    const other = await leafOf('rsa', { dnsNames: ['other.demo.test'] });
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'revoked', about: other.cert });
    const server = await serve(leaf, { staple });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.certificate?.revocation).toMatchObject({ status: 'good', source: 'crl', ocsp: { status: 'invalid', detail: 'the stapled OCSP response is about another certificate' } });
  });

  it('a forged stapled response is ignored', async () => {
    const leaf = await leafOf('ecdsa', { dnsNames: NAMES });
    const forger = createIntermediate(certSet().root, { commonName: 'Forger Test Intermediate' });
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'revoked', signer: forger });
    const server = await serve(leaf, { staple });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('degraded');
    expect(result.warnings.map((w) => w.kind)).toEqual(['revocation-unavailable']);
    expect(result.paths[0]?.certificate?.revocation?.ocsp?.status).toBe('invalid');
  });
});

describe('revocation of the chain and of odd CRLs', () => {
  it('an intermediate revoked by its root → 4.7.320 revoked, naming the intermediate', async () => {
    const rootCrl = publish(Buffer.alloc(0));
    const intermediate = createIntermediate(certSet().root, { commonName: 'Revoked Test Intermediate', crlUrl: rootCrl });
    http.routes[new URL(rootCrl).pathname] = await makeCrl(certSet().root, { revoked: [serialOf(intermediate.cert)] });
    const leafCrl = publish(await makeCrl(intermediate));
    const server = await serve(await leafOf('ecdsa', { dnsNames: NAMES, crlUrl: leafCrl }, intermediate));
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'certificate', kind: 'certificate', reason: 'revoked', code: '4.7.320', verdict: 'failing' });
    expect(result.paths[0]?.failure?.message).toMatch(/^the intermediate certificate CN=Revoked Test Intermediate, O=mailflow-probe fixtures has been revoked by its CA: it is no longer valid/);
    expect(result.paths[0]?.certificate?.revocation).toMatchObject({
      status: 'good',
      source: 'crl',
      intermediates: [{ subject: 'CN=Revoked Test Intermediate, O=mailflow-probe fixtures', status: 'revoked', source: 'crl' }],
    });
  });

  it('hard: healthy when the leaf and every intermediate have a verified status', async () => {
    const rootCrl = publish(await makeCrl(certSet().root));
    const intermediate = createIntermediate(certSet().root, { commonName: 'Checked Test Intermediate', crlUrl: rootCrl });
    const leafCrl = publish(await makeCrl(intermediate));
    const server = await serve(await leafOf('rsa', { dnsNames: NAMES, crlUrl: leafCrl }, intermediate));
    const result = await probe('mx1.demo.test', options(server.port, { revocation: 'hard' }));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.certificate?.revocation).toMatchObject({ mode: 'hard', status: 'good', intermediates: [{ status: 'good' }] });
    expect(renderText(result)).toContain('revocation of CN=Checked Test Intermediate, O=mailflow-probe fixtures: good (crl)');
  });

  it('hard: an intermediate that names no revocation source fails', async () => {
    const leafCrl = publish(await makeCrl(certSet().intermediate));
    const server = await serve(await leafOf('rsa', { dnsNames: NAMES, crlUrl: leafCrl }));
    const result = await probe('mx1.demo.test', options(server.port, { revocation: 'hard' }));
    expect(fact(result)).toMatchObject({ reason: 'revocation-unknown', code: '4.7.320' });
    expect(result.paths[0]?.failure?.message).toMatch(/^the revocation status of the intermediate certificate CN=mailflow-probe Test Intermediate/);
  });

  it('a CRL of 4 000 entries (more ASN.1 nodes than asn1js parses by default) is read', async () => {
    const leafUrl = publish(Buffer.alloc(0));
    const leaf = await leafOf('rsa', { dnsNames: NAMES, crlUrl: leafUrl });
    const others = Array.from({ length: 3999 }, (_, i) => (0x200000 + i).toString(16));
    http.routes[new URL(leafUrl).pathname] = await makeCrl(certSet().intermediate, { revoked: [...others.slice(0, 2000), leaf.serial, ...others.slice(2000)] });
    const server = await serve(leaf);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toMatchObject({ reason: 'revoked', code: '4.7.320' });
    expect(result.paths[0]?.certificate?.revocation?.crl[0]?.bytes).toBeGreaterThan(80_000);
  });

  it('a PEM CRL behind a redirect is followed and read', async () => {
    const leafUrl = publish(Buffer.alloc(0));
    const leaf = await leafOf('rsa', { dnsNames: NAMES, crlUrl: leafUrl });
    const der = await makeCrl(certSet().intermediate, { revoked: [leaf.serial] });
    const pem = `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END X509 CRL-----\n`;
    const target = publish(Buffer.from(pem));
    http.routes[new URL(leafUrl).pathname] = (_req, res) => void res.writeHead(302, { location: new URL(target).pathname }).end();
    const server = await serve(leaf);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toMatchObject({ reason: 'revoked', code: '4.7.320' });
    expect(result.paths[0]?.failure?.message).toContain(`the CRL at ${leafUrl} lists the certificate as revoked`);
  });

  it('a delegated OCSP responder (id-kp-OCSPSigning) is believed', async () => {
    const leaf = await leafOf('rsa', { dnsNames: NAMES });
    const responder = await issueEcdsaLeaf(certSet().intermediate, { commonName: 'OCSP Responder', keyPurposes: [OCSP_SIGNING] });
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'revoked', responder });
    const server = await serve(leaf, { staple });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toMatchObject({ reason: 'revoked', code: '4.7.320' });
  });

  it('a responder without id-kp-OCSPSigning is not', async () => {
    const leaf = await leafOf('rsa', { dnsNames: NAMES });
    const responder = await issueEcdsaLeaf(certSet().intermediate, { commonName: 'Not A Responder' });
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'revoked', responder });
    const server = await serve(leaf, { staple });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('degraded');
    expect(result.paths[0]?.certificate?.revocation?.ocsp).toMatchObject({ status: 'invalid', detail: expect.stringMatching(/not signed by the certificate's issuer or its responder/) });
  });

  it('a stale staple is not believed', async () => {
    const leaf = await leafOf('rsa', { dnsNames: NAMES });
    const staple = await makeOcspResponse(certSet().intermediate, leaf.cert, { status: 'good', thisUpdate: new Date(Date.now() - 20 * DAY), nextUpdate: new Date(Date.now() - 10 * DAY) });
    const server = await serve(leaf, { staple });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.paths[0]?.certificate?.revocation?.ocsp).toMatchObject({ status: 'invalid', detail: expect.stringMatching(/stale/) });
    expect(result.warnings.map((w) => w.kind)).toEqual(['revocation-unavailable']);
  });
});

describe('expiry ahead', () => {
  it('an intermediate expiring within --warn-days is named, with its date and days left', async () => {
    const intermediate = createIntermediate(certSet().root, { commonName: 'Expiring Test Intermediate', notAfter: new Date(Date.now() + 12 * DAY) });
    const server = await serve(await leafOf('ecdsa', { dnsNames: NAMES, notAfter: new Date(Date.now() + 11 * DAY) }, intermediate));
    const result = await probe('mx1.demo.test', options(server.port, { warnDays: 30 }));
    expect(result.verdict).toBe('degraded');
    expect(result.code).toBeNull();
    expect(result.warnings.map((w) => w.kind)).toEqual(['certificate-expiring', 'certificate-expiring']);
    expect(result.warnings[1]?.message).toMatch(
      /^the certificate CN=Expiring Test Intermediate, O=mailflow-probe fixtures expires on \d{4}-\d\d-\d\d \((11|12) days left\): renew it before then, or Exchange Online will report 450 4\.7\.320$/,
    );
  });
});

describe('weak keys and signatures', () => {
  it('a SHA-1-signed leaf: the chain completes, degraded with the fix', async () => {
    const leaf = issueLeaf(certSet().intermediate, { dnsNames: NAMES, hash: 'sha1' });
    const server = await startRaw(smtpScript({ tls: leaf }));
    onTestFinished(() => server.close());
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('degraded');
    expect(result.code).toBeNull();
    expect(result.paths[0]?.certificate?.trusted).toBe(true);
    expect(result.paths[0]?.certificate?.chain[0]).toMatchObject({ signatureAlgorithm: 'sha1WithRSAEncryption', signatureHash: 'sha1' });
    expect(result.warnings.map((w) => w.kind)).toEqual(['weak-signature']);
    expect(result.warnings[0]?.message).toMatch(/signed with SHA1 \(sha1WithRSAEncryption\).*Reissue it signed with SHA-256/);
  });

  it('a 1024-bit RSA key: degraded with the fix', async () => {
    const leaf = issueLeaf(certSet().intermediate, { dnsNames: NAMES, keyBits: 1024 });
    const server = await serve(leaf);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(result.verdict).toBe('degraded');
    expect(result.paths[0]?.certificate?.chain[0]).toMatchObject({ keyType: 'rsa', keyBits: 1024 });
    expect(result.warnings.map((w) => w.kind)).toEqual(['weak-key']);
    expect(result.warnings[0]?.message).toMatch(/1024-bit RSA key.*2048 bits or more/);
  });

  it('not judged when the connector does not validate certificates', async () => {
    const leaf = issueLeaf(certSet().intermediate, { dnsNames: NAMES, keyBits: 1024 });
    const server = await serve(leaf);
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'encryption-only' }));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.certificate?.revocation?.status).toBe('unchecked');
  });
});

describe('TLS versions', () => {
  it.each([
    ['TLSv1.1', 'TLSv1.1', ['TLSv1.1'], 'the server offers only TLS 1.1; Exchange Online requires TLS 1.2 or later'],
    ['TLSv1', 'TLSv1.1', ['TLSv1', 'TLSv1.1'], 'the server offers only TLS 1.0 and TLS 1.1; Exchange Online requires TLS 1.2 or later'],
    ['TLSv1', 'TLSv1', ['TLSv1'], 'the server offers only TLS 1.0; Exchange Online requires TLS 1.2 or later'],
  ] as const)('a server speaking %s to %s', async (minVersion, maxVersion, offered, message) => {
    const server = await startRaw(smtpScript({ tlsOptions: { minVersion, maxVersion, ciphers: 'DEFAULT@SECLEVEL=0' } }));
    onTestFinished(async () => {
      await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
      await server.close();
    });
    const result = await probe('mx1.demo.test', options(server.port));
    expect(fact(result)).toEqual({ stage: 'tls', kind: 'tls-version', reason: undefined, code: '4.4.317', verdict: 'failing' });
    expect(result.paths[0]?.failure?.message).toBe(message);
    expect(result.paths[0]?.failure?.offeredVersions).toEqual(offered);
    expect(result.paths[0]?.transcript.at(-1)).toMatch(/^\* probed TLS 1\.0, TLS 1\.1 on new connections: offered/);
    expect(result.diagnosis?.firstFix).toMatch(/Enable TLS 1\.2/);
  });

  it('opportunistic: the fallback warning says which versions the server offers', async () => {
    const server = await startRaw(smtpScript({ tlsOptions: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }));
    onTestFinished(() => server.close());
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'opportunistic' }));
    expect(result.verdict).toBe('degraded');
    expect(result.warnings.map((w) => [w.kind, w.message])).toEqual([
      ['tls-fallback', 'the TLS upgrade failed (the server offers only TLS 1.1; Exchange Online requires TLS 1.2 or later): Exchange Online would fall back to delivering without encryption'],
    ]);
  });

  it('protocol version and cipher are recorded for every path', async () => {
    const leaf = certSet().valid();
    const a = await serve({ key: leaf.key, fullchain: leaf.fullchain }, { tlsOptions: { maxVersion: 'TLSv1.2' } }, '127.0.0.1');
    // the same port on 127.0.0.2, since the probe uses one port for every address
    const b = await startRaw(smtpScript({ tls: leaf }), { host: '127.0.0.2', port: a.port });
    onTestFinished(() => b.close());
    const result = await probe('two.demo.test', options(a.port));
    expect(result.paths.map((p) => [p.ip, p.tls?.protocol])).toEqual([
      ['127.0.0.1', 'TLSv1.2'],
      ['127.0.0.2', 'TLSv1.3'],
    ]);
    expect(result.paths.every((p) => Boolean(p.tls?.cipher))).toBe(true);
  });
});

describe('the probe command', () => {
  const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'mailflow-probe-'));
  const caFile = join(dir, 'root.pem');

  function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    writeFileSync(caFile, certSet().root.cert);
    return new Promise((resolve) => {
      execFile(process.execPath, [bin, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      });
    });
  }

  it('a certificate expiring in 10 days: degraded (exit 1) with --warn-days 30, healthy (exit 0) with --warn-days 5', async () => {
    const leaf = issueLeaf(certSet().intermediate, { dnsNames: NAMES, notAfter: new Date(Date.now() + 10.5 * DAY) });
    const server = await serve({ key: leaf.key, fullchain: leaf.fullchain });
    const common = ['mx1.demo.test', '--port', String(server.port), '--resolver', dns.address, '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--no-color'];
    const warned = await run([...common, '--warn-days', '30']);
    expect(warned.code).toBe(1);
    expect(warned.stdout).toMatch(/^DEGRADED/m);
    expect(warned.stdout).toMatch(/expires on \d{4}-\d\d-\d\d \(10 days left\)/);
    const quiet = await run([...common, '--warn-days', '5', '--json']);
    expect(quiet.code).toBe(0);
    expect((JSON.parse(quiet.stdout) as ProbeResult).verdict).toBe('healthy');
  });

  it('--revocation takes off, soft or hard; anything else is a usage error (exit 3)', async () => {
    const bad = await run(['mx1.demo.test', '--revocation', 'sometimes']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^probe: .*'sometimes'.*off, soft, hard/m);
  });
});
