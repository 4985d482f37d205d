/**
 * Days left and the expiry warning at their exact boundaries, with the clock fixed where
 * the days are counted: summarize() takes `now`; the engine reads Date.now(), frozen here
 * (only Date is faked: sockets, timers and performance.now() stay real). Certificates
 * carry whole seconds (X.509 UTCTime), so every instant below is a whole second.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { summarize } from '../probes/certificate.js';
import { probe } from '../src/core/engine.js';
import { certSet, issueLeaf, loopbackProbeOptions, startDns, startSmtp, type DnsServer, type Leaf } from './fixtures/index.js';
import { spoken } from './fixtures/spoken.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** A fixed instant (a whole second, a little before the real now, so the leaf is valid for OpenSSL). */
const NOW = Math.floor(Date.now() / SECOND) * SECOND - 10 * SECOND;

let leaf30: Leaf;
let cert30: X509Certificate;

beforeAll(() => {
  // Expires 30 days and 12 hours after NOW: daysLeft is 30 from NOW until 12 hours later.
  leaf30 = issueLeaf(certSet().intermediate, {
    dnsNames: ['mx1.demo.test'],
    notBefore: new Date(NOW - DAY),
    notAfter: new Date(NOW + 30 * DAY + 12 * HOUR),
  });
  cert30 = new X509Certificate(leaf30.cert);
});

describe('daysLeft counts whole days, rounded down', () => {
  const validTo = (): number => NOW + 30 * DAY + 12 * HOUR;
  it.each([
    ['30 days and 12 hours before expiry', 30 * DAY + 12 * HOUR, 30],
    ['exactly 30 days before', 30 * DAY, 30],
    ['one second less than 30 days before', 30 * DAY - SECOND, 29],
    ['one second before expiry', SECOND, 0],
    ['at the instant of expiry', 0, 0],
    ['one second after expiry', -SECOND, -1],
    ['a day and a second after expiry', -DAY - SECOND, -2],
  ])('%s: %s ms left is %i days', (_name, leftMs, days) => {
    expect(Date.parse(cert30.validTo)).toBe(validTo());
    expect(summarize(cert30, new Set(), validTo() - leftMs).daysLeft).toBe(days);
  });
});

describe('the expiry warning holds when daysLeft < warnDays, not at equality', () => {
  let dns: DnsServer;
  let server: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
    server = await startSmtp({ tls: { key: leaf30.key, cert: leaf30.fullchain } });
  });
  afterAll(async () => {
    await server.close();
    await dns.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const probeAt = (warnDays: number) => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    return probe('mx1.demo.test', {
      ...loopbackProbeOptions(dns, server.port, { timeoutMs: 3000, deadlineMs: 8000 }),
      warnDays,
      revocation: 'off',
    });
  };

  it('30 days left, --warn-days 30: healthy, no warning', async () => {
    const result = await probeAt(30);
    expect(result.paths[0]?.certificate?.chain[0]?.daysLeft).toBe(30);
    expect(result.verdict).toBe('healthy');
    expect(result.warnings).toEqual([]);
  });

  it('30 days left, --warn-days 31: degraded, the warning says 30 days', async () => {
    const result = await probeAt(31);
    expect(result.verdict).toBe('degraded');
    expect(result.code).toBeNull();
    expect(result.warnings.map((w) => spoken(w))).toEqual([
      {
        kind: 'certificate-expiring',
        message: `the certificate CN=mx1.demo.test expires on ${new Date(NOW + 30 * DAY + 12 * HOUR).toISOString().slice(0, 10)} (30 days left): renew it before then, or Exchange Online will report 450 4.7.320`,
        host: 'mx1.demo.test',
        ip: '127.0.0.1',
      },
    ]);
  });
});
