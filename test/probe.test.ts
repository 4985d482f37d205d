/**
 * The engine end to end, against real loopback servers that really behave each way:
 * every Exchange code, healthy and degraded, and each TLS mode.
 */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  banner421,
  certSet,
  closeDuringHandshake,
  closedPort,
  ehloRejected,
  garbageBanner,
  noBanner,
  noStarttls,
  resetAfterEhlo,
  smtpScript,
  startBlackhole,
  startDns,
  startRaw,
  startSmtp,
  starttls454,
  type DnsServer,
  type Leaf,
  type RawHandler,
  loopbackProbeOptions,
  timeWithLag,
} from './fixtures/index.js';
import { probe } from '../src/core/engine.js';
import type { ProbeOptions } from '../src/core/options.js';
import type { ProbeResult } from '../src/core/result.js';

let dns: DnsServer;

beforeAll(async () => {
  dns = await startDns({
    'smarthost.demo.test': { MX: [{ preference: 10, exchange: 'mx1.demo.test' }] },
    'mx1.demo.test': { A: ['127.0.0.1'] },
    'direct.demo.test': { A: ['127.0.0.1'] },
    'two.demo.test': { A: ['127.0.0.1', '127.0.0.2'] },
    'servfail.demo.test': 'SERVFAIL',
    'slow.demo.test': 'TIMEOUT',
    'nullmx.demo.test': { MX: [{ preference: 0, exchange: '.' }] },
    'noaddress.demo.test': { TXT: ['v=spf1 -all'] },
    'lostmx.demo.test': { MX: [{ preference: 10, exchange: 'gone.demo.test' }] },
    'twomx.demo.test': {
      MX: [
        { preference: 20, exchange: 'mx2.demo.test' },
        { preference: 10, exchange: 'mx1.demo.test' },
      ],
    },
    'mx2.demo.test': { A: ['127.0.0.2'] },
    'v6.demo.test': { AAAA: ['::1'] },
  });
});
afterAll(() => dns.close());

/** Options every test shares: our DNS, our root, short timeouts. */
function options(port: number, extra: ProbeOptions = {}): ProbeOptions {
  return { ...loopbackProbeOptions(dns, port, { timeoutMs: 1500, deadlineMs: 8000 }), ...extra };
}

async function smtp(leaf?: Leaf, host?: string) {
  const server = await startSmtp({ ...(leaf ? { tls: { key: leaf.key, cert: leaf.fullchain } } : {}), ...(host ? { host } : {}) });
  onTestFinished(async () => {
    // Every path destroys its socket: the server ends with no open connection.
    await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
    await server.close();
  });
  return server;
}

async function raw(handler: RawHandler) {
  const server = await startRaw(handler);
  onTestFinished(async () => {
    await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
    await server.close();
  });
  return server;
}

function failureOf(result: ProbeResult) {
  const path = result.paths[0];
  return { stage: path?.failure?.stage, kind: path?.failure?.kind, code: result.code };
}

describe('healthy', () => {
  it('resolves MX, talks SMTP, upgrades to TLS and validates the chain', async () => {
    const server = await smtp(certSet().valid(['mx1.demo.test']));
    const result = await probe('smarthost.demo.test', options(server.port));
    expect(result).toMatchObject({
      schema: 'mailflow-probe/result@1',
      verdict: 'healthy',
      code: null,
      status: null,
      message: null,
      diagnosis: null,
      route: 'mx',
      tlsMode: 'certificate-validation',
    });
    const [path] = result.paths;
    expect(path).toMatchObject({ host: 'mx1.demo.test', preference: 10, ip: '127.0.0.1', family: 4, verdict: 'healthy' });
    expect(path?.stages.map((s) => s.name)).toEqual(['dns', 'tcp', 'banner', 'ehlo', 'starttls', 'tls', 'certificate', 'ehlo-tls', 'quit']);
    expect(path?.stages.every((s) => s.ok && s.ms >= 0)).toBe(true);
    expect(path?.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(path?.tls?.cipher).toBeTruthy();
    expect(path?.capabilities).toMatchObject({ greeting: 'ehlo', starttls: true, pipelining: true, eightBitMime: true });
    expect(path?.capabilitiesAfterTls?.starttls).toBe(false);
    expect(path?.certificate?.chain[0]?.names).toContain('mx1.demo.test');
    expect(path?.transcript).toEqual(expect.arrayContaining(['C: EHLO probe.demo.test', 'C: STARTTLS', 'C: QUIT']));
    expect(path?.transcript.some((l) => l.startsWith('S: 220'))).toBe(true);
    // The server saw our EHLO name and SNI for the MX host.
    expect(server.sessions[0]?.hostNameAppearsAs).toBe('probe.demo.test');
    expect(server.sessions[0]?.servername).toBe('mx1.demo.test');
  });

  it('takes an IP literal without DNS', async () => {
    const server = await smtp();
    const before = dns.queries.length;
    const result = await probe('127.0.0.1', options(server.port));
    expect(result.verdict).toBe('healthy');
    expect(result.route).toBe('ip');
    expect(result.paths[0]?.stages[0]?.name).toBe('tcp');
    expect(dns.queries.length).toBe(before);
  });

  it('--no-mx goes straight to A/AAAA', async () => {
    const server = await smtp();
    dns.queries.length = 0;
    const result = await probe('direct.demo.test', options(server.port, { mx: false }));
    expect(result.verdict).toBe('healthy');
    expect(result.route).toBe('address');
    expect(dns.queries.map((q) => q.type)).not.toContain('MX');
  });

  it('falls back to A when the name has no MX', async () => {
    const server = await smtp();
    const result = await probe('direct.demo.test', options(server.port));
    expect(result.route).toBe('address');
    expect(result.verdict).toBe('healthy');
  });

  it('IPv6: an AAAA-only smart host over ::1, with the address bracketed in the message', async () => {
    const server = await smtp(undefined, '::1');
    const result = await probe('v6.demo.test', options(server.port));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]).toMatchObject({ ip: '::1', family: 6 });
    const port = await closedPort('::1');
    const refused = await probe('v6.demo.test', options(port));
    expect(refused.message).toContain(`[LastAttemptedIP=[::1]:${port}]`);
  });

  it('probes every smart host a connector lists', async () => {
    const server = await smtp();
    const result = await probe(['mx1.demo.test', 'direct.demo.test'], options(server.port, { mx: false }));
    expect(result.paths.map((p) => p.host)).toEqual(['mx1.demo.test', 'direct.demo.test']);
    expect(result.verdict).toBe('healthy');
  });
});

describe('degraded', () => {
  it('one of two addresses refused: mail still flows, the failing path is named', async () => {
    const server = await smtp(undefined, '127.0.0.1');
    const result = await probe('two.demo.test', options(server.port));
    expect(result.verdict).toBe('degraded');
    expect(result.paths.map((p) => [p.ip, p.verdict, p.code])).toEqual([
      ['127.0.0.1', 'healthy', null],
      ['127.0.0.2', 'failing', '4.4.316'],
    ]);
    expect(result.code).toBe('4.4.316');
    expect(result.warnings.some((w) => w.kind === 'path-failed' && w.ip === '127.0.0.2')).toBe(true);
  });

  it('the headline follows MX preference, not listing order', async () => {
    const port = await closedPort();
    const result = await probe('twomx.demo.test', options(port));
    expect(result.paths.map((p) => [p.host, p.preference])).toEqual([
      ['mx1.demo.test', 10],
      ['mx2.demo.test', 20],
    ]);
    expect(result.verdict).toBe('failing');
    expect(result.message).toContain('[LastAttemptedServerName=mx1.demo.test]');
  });

  it('a certificate expiring within --warn-days', async () => {
    const { issueLeaf } = await import('../src/loopback/certs.js');
    const soon = issueLeaf(certSet().intermediate, {
      dnsNames: ['mx1.demo.test'],
      notBefore: new Date(Date.now() - 86_400_000),
      // 10 days and 12 hours: 10 whole days left however long the test takes (under 12 h)
      notAfter: new Date(Date.now() + 10.5 * 86_400_000),
    });
    const server = await smtp(soon);
    const warned = await probe('mx1.demo.test', options(server.port, { warnDays: 30 }));
    expect(warned.verdict).toBe('degraded');
    expect(warned.code).toBeNull();
    expect(warned.warnings[0]).toMatchObject({ kind: 'certificate-expiring' });
    expect(warned.warnings[0]?.message).toMatch(/\(10 days left\)/);
    const quiet = await probe('mx1.demo.test', options(server.port, { warnDays: 5 }));
    expect(quiet.verdict).toBe('healthy');
  });
});

describe('4.4.312 DNS query failed', () => {
  it.each([
    ['gone.demo.test', 'dns-nxdomain', /does not exist \(NXDOMAIN\)/],
    ['servfail.demo.test', 'dns-servfail', /SERVFAIL/],
    ['slow.demo.test', 'dns-timeout', /no DNS answer|did not answer/],
    ['nullmx.demo.test', 'dns-null-mx', /null MX/],
    ['noaddress.demo.test', 'dns-no-address', /no A or AAAA/],
    ['lostmx.demo.test', 'dns-nxdomain', /gone\.demo\.test/],
  ])('%s → %s', async (name, kind, message) => {
    const result = await probe(name, options(25, { timeoutMs: 800 }));
    expect(failureOf(result)).toEqual({ stage: 'dns', kind, code: '4.4.312' });
    expect(result.verdict).toBe('failing');
    expect(result.status).toBe('450 4.4.312 DNS query failed');
    expect(result.paths[0]?.failure?.message).toMatch(message);
    expect(result.paths[0]?.ip).toBeNull();
    expect(result.message).toMatch(/^450 4\.4\.312 DNS query failed \[Message=ErrorRetry\] \[LastAttemptedServerName=[a-z0-9.]+\]$/);
    expect(result.diagnosis?.fixes.length).toBeGreaterThan(0);
  });
});

describe('4.4.315 Connection timed out', () => {
  it('a SYN that is never answered', async () => {
    const hole = await startBlackhole();
    onTestFinished(() => hole.close());
    const { value: result, ms, lagMs } = await timeWithLag(() => probe(hole.host, options(hole.port, { timeoutMs: 700 })));
    expect(failureOf(result)).toEqual({ stage: 'tcp', kind: 'connect-timeout', code: '4.4.315' });
    expect(ms).toBeLessThan(700 + 1000 + lagMs);
    expect(result.message).toContain('[Message=Socket error code 10060]');
  });
});

describe('4.4.316 Connection refused', () => {
  it('nothing listens on the port', async () => {
    const port = await closedPort();
    const result = await probe('mx1.demo.test', options(port));
    expect(failureOf(result)).toEqual({ stage: 'tcp', kind: 'connect-refused', code: '4.4.316' });
    expect(result.message).toBe(
      `450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=127.0.0.1:${port}]`,
    );
  });
});

describe('4.4.317 Cannot connect to remote server', () => {
  it('a 421 greeting', async () => {
    const server = await raw(banner421);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'reply', code: '4.4.317' });
    expect(result.message).toBe(
      `450 4.4.317 Cannot connect to remote server [Message=421 4.3.2 Service not available] [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=127.0.0.1:${server.port}]`,
    );
    expect(result.diagnosis?.serverSaid).toBe('421 4.3.2 Service not available');
  });

  it('EHLO and HELO both rejected', async () => {
    const server = await raw(ehloRejected(true));
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'ehlo', kind: 'reply', code: '4.4.317' });
    expect(result.paths[0]?.transcript).toEqual(expect.arrayContaining(['C: EHLO probe.demo.test', 'C: HELO probe.demo.test']));
  });

  it('TLS required but STARTTLS not offered', async () => {
    const server = await raw(noStarttls);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'starttls', kind: 'starttls-not-offered', code: '4.4.317' });
  });

  it('STARTTLS refused with 454', async () => {
    const server = await raw(starttls454);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'starttls', kind: 'reply', code: '4.4.317' });
    expect(result.message).toContain('[Message=454 4.7.0 TLS not available due to temporary reason]');
  });

  it('a server that only speaks TLS 1.1', async () => {
    const server = await raw(smtpScript({ tlsOptions: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }));
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'tls', kind: 'tls-version', code: '4.4.317' });
    expect(result.paths[0]?.failure?.message).toMatch(/TLS 1\.2/);
  });
});

describe('4.4.318 Connection was closed abruptly', () => {
  it('no greeting before the timeout', async () => {
    const server = await raw(noBanner);
    const { value: result, ms, lagMs } = await timeWithLag(() => probe('mx1.demo.test', options(server.port, { timeoutMs: 600 })));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'timeout', code: '4.4.318' });
    expect(ms).toBeLessThan(600 + 1000 + lagMs);
  });

  it('reset after EHLO', async () => {
    const server = await raw(resetAfterEhlo);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'ehlo', kind: 'reset', code: '4.4.318' });
  });

  it('closed during the TLS handshake', async () => {
    const server = await raw(closeDuringHandshake);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'tls', kind: 'closed', code: '4.4.318' });
  });
});

describe('4.7.320 Certificate validation failed', () => {
  it.each([
    ['expired', () => certSet().expired, 'expired', 'NotTimeValid'],
    ['not yet valid', () => certSet().notYetValid, 'not-yet-valid', 'NotTimeValid'],
    ['self-signed', () => certSet().selfSigned, 'self-signed', 'UntrustedRoot'],
    ['unknown CA', () => certSet().unknownCa, 'unknown-issuer', 'PartialChain'],
    ['intermediate not sent', () => certSet().withoutIntermediate, 'incomplete-chain', 'PartialChain'],
  ])('%s', async (_name, leaf, reason, status) => {
    const server = await smtp(leaf());
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'certificate', kind: 'certificate', code: '4.7.320' });
    expect(result.paths[0]?.failure?.reason).toBe(reason);
    expect(result.message).toContain(`[Message=${status}: `);
    expect(result.diagnosis?.firstFix).toBeTruthy();
  });

  it('a name mismatch under domain-validation, worded as Exchange words it', async () => {
    const server = await smtp(certSet().wrongName);
    const result = await probe('mx1.demo.test', options(server.port, { tlsDomain: 'mx1.demo.test' }));
    expect(failureOf(result)).toEqual({ stage: 'certificate', kind: 'certificate', code: '4.7.320' });
    expect(result.paths[0]?.failure).toMatchObject({ reason: 'name-mismatch', expected: 'mx1.demo.test', presentedNames: ['wrong-name.invalid'] });
    expect(result.message).toContain('[Message=SubjectMismatch Expected Subject: mx1.demo.test. Presented Subject: CN=wrong-name.invalid');
    expect(result.diagnosis?.note).toMatch(/4\.4\.317/);
  });
});

describe('other', () => {
  it('a service on port 25 that does not speak SMTP', async () => {
    const server = await raw(garbageBanner);
    const result = await probe('mx1.demo.test', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'protocol', code: 'other' });
    expect(result.status).toBeNull();
    expect(result.paths[0]?.failure?.evidence).toMatch(/^HTTP\/1\.1 400/);
    expect(result.message).toMatch(/^other: /);
  });
});

describe('TLS modes', () => {
  it('opportunistic: no STARTTLS is healthy, with a note that mail goes unencrypted (issue 14)', async () => {
    const server = await raw(noStarttls);
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'opportunistic' }));
    expect([result.verdict, result.code, result.warnings]).toEqual(['healthy', null, []]);
    expect(result.notes).toEqual(['mx1.demo.test at 127.0.0.1 does not offer STARTTLS: mail goes unencrypted, as an opportunistic connector allows']);
  });

  it('opportunistic: any certificate, even an expired one', async () => {
    const server = await smtp(certSet().expired);
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'opportunistic' }));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.certificate?.trusted).toBe(false);
  });

  it('opportunistic: a failed upgrade falls back, with a warning', async () => {
    const server = await raw(starttls454);
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'opportunistic' }));
    expect(result.verdict).toBe('degraded');
    expect(result.warnings.map((w) => w.kind)).toEqual(['tls-fallback']);
  });

  it('opportunistic: HELO after a rejected EHLO', async () => {
    const server = await raw(ehloRejected(false));
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'opportunistic' }));
    expect(result.paths[0]?.capabilities?.greeting).toBe('helo');
    // HELO has no STARTTLS: plaintext, as the opportunistic connector allows (issue 14).
    expect([result.verdict, result.notes?.length]).toEqual(['healthy', 1]);
  });

  it('encryption-only: TLS required, any certificate', async () => {
    const server = await smtp(certSet().selfSigned);
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'encryption-only' }));
    expect(result.verdict).toBe('healthy');
    const plain = await raw(noStarttls);
    const refused = await probe('mx1.demo.test', options(plain.port, { tlsMode: 'encryption-only' }));
    expect(refused.code).toBe('4.4.317');
  });

  it('certificate-validation: a trusted chain, whatever its name', async () => {
    const server = await smtp(certSet().wrongName);
    const result = await probe('mx1.demo.test', options(server.port, { tlsMode: 'certificate-validation' }));
    expect(result.verdict).toBe('healthy');
  });

  it.each([
    ['mx1.demo.test', ['mx1.demo.test'], 'healthy'],
    ['*.demo.test', ['mx1.demo.test'], 'healthy'],
    ['mx1.demo.test', ['*.demo.test'], 'healthy'],
    ['*.demo.test', ['*.demo.test'], 'healthy'],
    ['mx1.demo.test', ['smtp.fabrikam.test', 'mx1.demo.test', 'mail.demo.test'], 'healthy'],
    ['*.fabrikam.test', ['mx1.demo.test'], 'failing'],
  ])('domain-validation: TlsDomain %s, certificate %j → %s', async (tlsDomain, names, verdict) => {
    const server = await smtp(certSet().valid(names));
    const result = await probe('mx1.demo.test', options(server.port, { tlsDomain }));
    expect(result.verdict).toBe(verdict);
  });
});

describe('cancellation', () => {
  it('a cancelled probe says so and carries no code', async () => {
    const server = await raw(noBanner);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await probe('mx1.demo.test', options(server.port, { timeoutMs: 5000, signal: controller.signal }));
    expect(result.cancelled).toBe(true);
    expect(result.code).toBeNull();
    expect(result.paths[0]?.failure?.kind).toBe('cancelled');
  });
});

describe('TLS trust anchors', () => {
  it('without --ca-file our test root is not trusted', async () => {
    const server = await smtp();
    const result = await probe('mx1.demo.test', { ...options(server.port), ca: [] });
    expect(result.code).toBe('4.7.320');
    expect(tls.rootCertificates.length).toBeGreaterThan(10);
  });
});
