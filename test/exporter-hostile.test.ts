/**
 * The exporter under hostile clients and hostile names (issue 16): slow headers get 408
 * by the configured header timeout, idle connections cannot crowd out a scrape, and no
 * IPv6 form that embeds or translates a special-purpose IPv4 address gets probed.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { certSet, noBanner, startDns, startRaw, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { forbiddenAddress } from '../src/exporter/address-policy.js';
import { startExporter, type Exporter, type ExporterOptions } from '../src/exporter/server.js';
import type { ProbeOptions } from '../src/core/options.js';
import { parseTargetsFile } from '../src/fleet/targets.js';

let dns: DnsServer;
let smtp: SmtpFixture;

// Each embeds 127.0.0.1 (7f00:1) in the way its prefix defines.
const FORMS: [string, string, RegExp][] = [
  ['IPv4-compatible, hex', '::7f00:1', /^::7f00:1 is IPv4-compatible \(deprecated, RFC 4291\), ::\/96, holding 127\.0\.0\.1$/],
  ['IPv4-compatible, dotted', '::127.0.0.1', /^::127\.0\.0\.1 is IPv4-compatible \(deprecated, RFC 4291\), ::\/96, holding 127\.0\.0\.1$/],
  ['IPv4-mapped', '::ffff:7f00:1', /^::ffff:7f00:1 holds 127\.0\.0\.1, which is loopback \(RFC 1122\), 127\.0\.0\.0\/8$/],
  ['NAT64 well-known prefix', '64:ff9b::7f00:1', /^64:ff9b::7f00:1 holds 127\.0\.0\.1, which is loopback \(RFC 1122\), 127\.0\.0\.0\/8$/],
  ['NAT64 local-use prefix', '64:ff9b:1::7f00:1', /^64:ff9b:1::7f00:1 is NAT64 local-use \(RFC 8215\), 64:ff9b:1::\/48$/],
  ['6to4', '2002:7f00:1::1', /^2002:7f00:1::1 is 6to4 \(RFC 3056\), 2002::\/16$/],
  ['Teredo', '2001:0:7f00:1::1', /^2001:0:7f00:1::1 is Teredo \(RFC 4380\), 2001::\/32$/],
  ['IPv4-translated', '::ffff:0:7f00:1', /^::ffff:0:7f00:1 is IPv4-translated \(RFC 6145\), ::ffff:0:0:0\/96$/],
];

beforeAll(async () => {
  certSet().valid();
  const zone: Record<string, { AAAA: string[] }> = {};
  FORMS.forEach(([, ip], i) => (zone[`form${i}.demo.test`] = { AAAA: [ip] }));
  dns = await startDns(zone);
  smtp = await startSmtp();
});
afterAll(async () => {
  await Promise.all([dns?.close(), smtp?.close()]);
});

function defaults(): ProbeOptions {
  return { resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 5000, deadlineMs: 10_000, port: smtp.port };
}

async function exporter(extra: Partial<ExporterOptions> = {}, lines: string[] = ['127.0.0.1 name=local port=1']): Promise<Exporter> {
  const targets = parseTargetsFile(lines.join('\n'), 'targets.txt', defaults());
  const e = await startExporter({ targets, defaults: defaults(), port: 0, ...extra });
  onTestFinished(() => e.close());
  return e;
}

/** A raw client: connects, and records what it receives and when the server closed it. */
async function rawClient(port: number): Promise<{ socket: net.Socket; received: () => string; closed: Promise<number>; isClosed: () => boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  onTestFinished(() => void socket.destroy());
  let data = '';
  let done = false;
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => ((done = true), resolve(performance.now()))));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, received: () => data, closed, isClosed: () => done };
}

describe('the address policy: every IANA special-purpose block, and IPv4 inside IPv6', () => {
  it.each(FORMS)('refuses %s (%s)', (_, ip, why) => {
    expect(forbiddenAddress(ip)).toMatch(why);
  });

  it.each([
    ['255.255.255.255', /^255\.255\.255\.255 is broadcast \(RFC 919\), 255\.255\.255\.255\/32$/],
    ['192.88.99.1', /^192\.88\.99\.1 is reserved/],
    ['198.18.0.1', /benchmarking \(RFC 2544\), 198\.18\.0\.0\/15$/],
    ['2001:2::1', /^2001:2::1 is /],
    ['fec0::1', /^fec0::1 is /],
    ['3fff::1', /documentation/],
    ['5f00::1', /^5f00::1 is /],
    ['4000::1', /^4000::1 is not global unicast \(outside 2000::\/3, RFC 4291\)$/],
  ])('refuses %s', (ip, why) => {
    expect(forbiddenAddress(ip)).toMatch(why);
  });

  it.each(['8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows public %s (embedded public IPv4 included)', (ip) => {
    expect(forbiddenAddress(ip)).toBeNull();
  });
});

describe('--allow-any-target without --allow-private', () => {
  it.each(FORMS)('a literal %s is 403 and no SMTP session reaches the fixture', async (_, ip) => {
    const e = await exporter({ allowAnyTarget: true });
    const before = smtp.sessions.length;
    const res = await fetch(`${e.url}/probe?target=${encodeURIComponent(ip)}`);
    expect({ status: res.status, body: await res.text() }).toMatchObject({ status: 403, body: expect.stringMatching(/^refused to probe /) });
    expect(smtp.sessions.length).toBe(before);
  });

  it.each(FORMS.map(([what, ip], i) => [what, ip, `form${i}.demo.test`]))('a name whose AAAA is %s (%s) is 403 after DNS', async (_, _ip, name) => {
    const e = await exporter({ allowAnyTarget: true });
    const before = smtp.sessions.length;
    const res = await fetch(`${e.url}/probe?target=${name}`);
    expect(res.status).toBe(403);
    // The address as the resolver wrote it (::7f00:1 comes back as ::127.0.0.1), then why.
    expect(await res.text()).toMatch(new RegExp(`^refused to probe ${name.replace(/\./g, '\\.')}: [0-9a-f:.]+ (is|holds) .* \\(start the exporter with --allow-private to allow it\\)\n$`));
    expect(smtp.sessions.length).toBe(before);
    expect(dns.queries.some((q) => q.name === name && q.type === 'AAAA')).toBe(true);
  });
});

describe('hostile HTTP clients', () => {
  it('a client that drips its headers gets 408 by the header timeout plus the checking interval', async () => {
    const e = await exporter({ headersTimeoutMs: 1000 });
    const c = await rawClient(e.port);
    const started = performance.now();
    c.socket.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\n');
    const drip = setInterval(() => c.socket.writable && c.socket.write('X'), 200);
    onTestFinished(() => clearInterval(drip));
    const closedAt = await c.closed;
    clearInterval(drip);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // 1 s of header timeout, checked every 250 ms, plus 400 ms for a busy machine.
    expect(closedAt - started).toBeGreaterThan(950);
    expect(closedAt - started).toBeLessThan(1000 + 250 + 400);
  });

  it('idle connections over the cap are shed, oldest first, and a scrape still succeeds', async () => {
    const e = await exporter({ maxConnections: 4 });
    const idle: Awaited<ReturnType<typeof rawClient>>[] = [];
    for (let i = 0; i < 5; i++) idle.push(await rawClient(e.port));
    await expect.poll(() => idle.map((c) => c.isClosed()), { timeout: 2000 }).toEqual([true, false, false, false, false]);
    const res = await fetch(`${e.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP/m);
    // The scrape's connection took the place of the next oldest idle one.
    expect(idle.map((c) => c.isClosed())).toEqual([true, true, false, false, false]);
    expect(idle.every((c) => c.received() === '')).toBe(true);
  });

  it('when every connection is busy, one more gets a clear 503 and is closed', async () => {
    const silent = await startRaw(noBanner);
    onTestFinished(() => silent.close());
    const e = await exporter({ maxConnections: 2 }, [`127.0.0.1 name=slow port=${silent.port} timeout=3000 deadline=3000`]);
    const slow = [fetch(`${e.url}/probe?target=slow`), fetch(`${e.url}/probe?target=slow`)];
    await expect.poll(() => silent.connections(), { timeout: 5000 }).toBe(2);
    const c = await rawClient(e.port);
    c.socket.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\n\r\n');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*\r\n\r\ntoo many connections \(2 open, all busy\); try again\n$/);
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);
  });
});
