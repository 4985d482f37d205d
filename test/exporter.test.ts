/**
 * `probe serve`: /probe answers for healthy and failing loopback targets with the right
 * metric values, and every safety rule gets its HTTP status — with no probe traffic when
 * a request is refused.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { certSet, closedPort, makeCrl, noBanner, startDns, startRaw, startSmtp, type DnsServer, type SmtpFixture, timeWithLag } from './fixtures/index.js';
import { sample } from './fixtures/prometheus.js';
import { defaultRevocationCache } from '../probes/revocation-cache.js';
import { forbiddenAddress } from '../src/exporter/address-policy.js';
import type { ProbeResult } from '../src/core/result.js';
import { startExporter, type Exporter, type ExporterOptions } from '../src/exporter/server.js';
import { renderHistoryChart } from '../src/exporter/status-page.js';
import type { ProbeOptions } from '../src/core/options.js';
import { parseListen, readToken } from '../src/exporter/cli.js';
import { parseTargetsFile } from '../src/fleet/targets.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
let dns: DnsServer;
let smtp: SmtpFixture;
let refused: number;

beforeAll(async () => {
  certSet().valid();
  dns = await startDns({
    'mx1.demo.test': { A: ['127.0.0.1'] },
    'inside.demo.test': { A: ['127.0.0.1'] },
    'gone.demo.test': 'NXDOMAIN',
  });
  smtp = await startSmtp();
  refused = await closedPort();
});
afterAll(async () => {
  await Promise.all([dns?.close(), smtp?.close()]);
});

function defaults(): ProbeOptions {
  return { resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 10_000, deadlineMs: 20_000 };
}

/** The last result of each target an exporter started by `exporter()` answered with. */
const last = new Map<string, ProbeResult>();

async function exporter(extra: Partial<ExporterOptions> = {}, lines?: string[]): Promise<Exporter> {
  const targets = parseTargetsFile(
    (lines ?? [`mx1.demo.test name=healthy port=${smtp.port}`, `127.0.0.1 name=refused port=${refused}`, `gone.demo.test name=nxdomain port=25`]).join('\n'),
    'targets.txt',
    defaults(),
  );
  const e = await startExporter({ targets, defaults: defaults(), port: 0, onResult: (name, result) => last.set(name, result), ...extra });
  onTestFinished(() => e.close());
  return e;
}

describe('/probe', () => {
  it('a healthy target: success 1, the TLS version, the phases, code "none", path success, cert expiry', async () => {
    const e = await exporter();
    const res = await fetch(`${e.url}/probe?target=healthy`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(sample(body, 'probe_success')).toBe(1);
    expect(sample(body, 'probe_degraded')).toBe(0);
    expect(sample(body, 'probe_mailflow_code_info', { code: 'none', stage: '', host: 'mx1.demo.test', ip: '127.0.0.1' })).toBe(1);
    expect(sample(body, 'probe_tls_version_info', { version: 'TLS 1.3' })).toBe(1);
    expect(sample(body, 'probe_path_success', { host: 'mx1.demo.test', ip: '127.0.0.1' })).toBe(1);
    expect(sample(body, 'probe_paths')).toBe(1);
    const leaf = last.get('healthy')?.paths[0]?.certificate?.chain[0];
    expect(sample(body, 'probe_ssl_earliest_cert_expiry')).toBe(Date.parse(leaf?.validTo ?? '') / 1000);
    for (const phase of ['dns', 'tcp', 'banner', 'ehlo', 'starttls', 'tls', 'certificate', 'ehlo-tls', 'quit']) {
      expect(sample(body, 'probe_phase_duration_seconds', { phase })).toBeGreaterThan(0);
    }
    expect(sample(body, 'probe_duration_seconds')).toBeGreaterThan(0);
  });

  it('a refused target: success 0, code 4.4.316 at the tcp stage, phases it never reached at 0', async () => {
    const e = await exporter();
    const body = await (await fetch(`${e.url}/probe?target=refused`)).text();
    expect(sample(body, 'probe_success')).toBe(0);
    expect(sample(body, 'probe_mailflow_code_info', { code: '4.4.316', stage: 'tcp', host: '127.0.0.1', ip: '127.0.0.1' })).toBe(1);
    expect(sample(body, 'probe_path_success', { ip: '127.0.0.1' })).toBe(0);
    expect(sample(body, 'probe_phase_duration_seconds', { phase: 'tcp' })).toBeGreaterThan(0);
    expect(sample(body, 'probe_phase_duration_seconds', { phase: 'banner' })).toBe(0);
    expect(sample(body, 'probe_ssl_earliest_cert_expiry')).toBeUndefined();
    expect(sample(body, 'probe_tls_version_info', { version: 'TLS 1.3' })).toBeUndefined();
  });

  it('a name that does not resolve: code 4.4.312 at the dns stage', async () => {
    const e = await exporter();
    const body = await (await fetch(`${e.url}/probe?target=nxdomain`)).text();
    expect(sample(body, 'probe_success')).toBe(0);
    expect(sample(body, 'probe_mailflow_code_info', { code: '4.4.312', stage: 'dns', host: 'gone.demo.test', ip: '' })).toBe(1);
  });

  it('an unknown target is 404, a missing one 400; nothing is probed', async () => {
    const e = await exporter();
    const before = smtp.sessions.length;
    const unknown = await fetch(`${e.url}/probe?target=127.0.0.1`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('unknown target "127.0.0.1": this exporter probes only its configured targets (see /)\n');
    expect((await fetch(`${e.url}/probe`)).status).toBe(400);
    expect((await fetch(`${e.url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${e.url}/probe?target=healthy`, { method: 'POST' })).status).toBe(405);
    expect(smtp.sessions.length).toBe(before);
  });
});

describe('--allow-any-target', () => {
  it('refuses a loopback address with 403 and sends nothing', async () => {
    const e = await exporter({ allowAnyTarget: true, defaults: { ...defaults(), port: smtp.port } });
    const before = smtp.sessions.length;
    const res = await fetch(`${e.url}/probe?target=127.0.0.1`);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('refused to probe 127.0.0.1: 127.0.0.1 is loopback (RFC 1122), 127.0.0.0/8 (start the exporter with --allow-private to allow it)\n');
    expect(smtp.sessions.length).toBe(before);
  });

  it('refuses a name that resolves to loopback with 403, after DNS and before any connection', async () => {
    const e = await exporter({ allowAnyTarget: true, defaults: { ...defaults(), port: smtp.port } });
    const before = smtp.sessions.length;
    const res = await fetch(`${e.url}/probe?target=inside.demo.test`);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/^refused to probe inside\.demo\.test: 127\.0\.0\.1 is loopback/);
    expect(smtp.sessions.length).toBe(before);
    expect(dns.queries.some((q) => q.name === 'inside.demo.test')).toBe(true);
  });

  it('probes an unconfigured loopback host when --allow-private says so', async () => {
    const e = await exporter({ allowAnyTarget: true, allowPrivate: true, defaults: { ...defaults(), port: smtp.port } });
    const res = await fetch(`${e.url}/probe?target=inside.demo.test`);
    expect(res.status).toBe(200);
    expect(sample(await res.text(), 'probe_success')).toBe(1);
  });

  it('a request line that is not a URL is 400, and the exporter keeps serving', async () => {
    const e = await exporter();
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(e.port, '127.0.0.1', () => socket.write('GET http://[oops HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${e.url}/probe?target=refused`)).status).toBe(200);
  });

  it('a malformed target is 400', async () => {
    const e = await exporter({ allowAnyTarget: true });
    const res = await fetch(`${e.url}/probe?target=${encodeURIComponent('a b')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^invalid target "a b"/);
  });
});

describe('bearer token, overload, timeouts', () => {
  it('401 without the token or with a wrong one; 200 with it, on every page', async () => {
    const e = await exporter({ token: 's3cret-token' });
    for (const path of ['/probe?target=refused', '/metrics', '/']) {
      const none = await fetch(`${e.url}${path}`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="mailflow-probe"');
      expect((await fetch(`${e.url}${path}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${e.url}${path}`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    }
  });

  it('503 beyond the cap on concurrent probes, and the slot is given back', async () => {
    const silent = await startRaw(noBanner);
    onTestFinished(() => silent.close());
    const e = await exporter({ maxConcurrent: 1 }, [`127.0.0.1 name=slow port=${silent.port} timeout=1500`, `127.0.0.1 name=refused port=${refused}`]);
    const slow = fetch(`${e.url}/probe?target=slow`);
    // wait until the slow probe holds the slot (its connection is open)
    await expect.poll(() => silent.connections(), { timeout: 5000 }).toBe(1);
    const over = await fetch(`${e.url}/probe?target=refused`);
    expect(over.status).toBe(503);
    expect(over.headers.get('retry-after')).toBe('1');
    const slowBody = await (await slow).text();
    expect(sample(slowBody, 'probe_mailflow_code_info', { code: '4.4.318', stage: 'banner' })).toBe(1);
    expect((await fetch(`${e.url}/probe?target=refused`)).status).toBe(200);
    const metrics = await (await fetch(`${e.url}/metrics`)).text();
    expect(sample(metrics, 'mailflow_exporter_requests_total', { path: '/probe', status: '503' })).toBe(1);
    expect(sample(metrics, 'mailflow_exporter_probes_total', { verdict: 'failing' })).toBe(2);
  });

  it("cuts the probe's deadline to Prometheus's scrape timeout", async () => {
    const silent = await startRaw(noBanner);
    onTestFinished(() => silent.close());
    const e = await exporter({}, [`127.0.0.1 name=slow port=${silent.port} timeout=20000 deadline=20000`]);
    const { value: [res, body], ms, lagMs } = await timeWithLag(async () => {
      const response = await fetch(`${e.url}/probe?target=slow`, { headers: { 'x-prometheus-scrape-timeout-seconds': '1.5' } });
      return [response, await response.text()] as const;
    });
    expect(res.status).toBe(200);
    expect(ms).toBeLessThan(10_000 + lagMs);
    expect(sample(body, 'probe_mailflow_code_info', { code: '4.4.318', stage: 'banner' })).toBe(1);
    const failure = last.get('slow')?.paths[0]?.failure;
    expect(failure).toMatchObject({ stage: 'banner', kind: 'timeout' });
    // 1.5 s less the half second kept to answer, less the time DNS and TCP took
    expect(failure?.timeoutMs).toBeGreaterThan(500);
    expect(failure?.timeoutMs).toBeLessThanOrEqual(1000);
  });
});

describe('/metrics and /', () => {
  it("/metrics exposes the exporter's own metrics", async () => {
    const e = await exporter();
    await fetch(`${e.url}/probe?target=refused`);
    const body = await (await fetch(`${e.url}/metrics`)).text();
    expect(sample(body, 'mailflow_exporter_targets')).toBe(3);
    expect(sample(body, 'mailflow_exporter_probes_in_flight')).toBe(0);
    expect(sample(body, 'mailflow_exporter_probe_duration_seconds_count')).toBe(1);
    expect(body).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it("/metrics shows the revocation cache the probes share: hits, misses, bytes, refreshes", async () => {
    const crl = await makeCrl(certSet().intermediate);
    const cache = defaultRevocationCache();
    cache.clear();
    const before = cache.stats();
    const fetchCrl = async () => ({ body: crl, etag: null, lastModified: null });
    await cache.crl('http://crl.demo.test/exporter.crl', fetchCrl);
    await cache.crl('http://crl.demo.test/exporter.crl', fetchCrl);
    const e = await exporter();
    const body = await (await fetch(`${e.url}/metrics`)).text();
    expect(sample(body, 'mailflow_revocation_cache_misses_total')).toBe(before.misses + 1);
    expect(sample(body, 'mailflow_revocation_cache_hits_total')).toBe(before.hits + 1);
    expect(sample(body, 'mailflow_revocation_cache_refreshes_total')).toBe(before.refreshes);
    expect(sample(body, 'mailflow_revocation_cache_downloaded_bytes_total')).toBe(before.downloadedBytes + crl.length);
    expect(sample(body, 'mailflow_revocation_cache_bytes')).toBe(crl.length);
    expect(sample(body, 'mailflow_revocation_cache_entries')).toBe(1);
  });

  it('/ lists every target with its last verdict and code, escaped', async () => {
    const e = await exporter();
    await fetch(`${e.url}/probe?target=refused`);
    const html = await (await fetch(`${e.url}/`)).text();
    expect(html).toContain('<tr data-target="refused"><td class="name">refused</td>');
    expect(html).toMatch(/data-target="refused">.*<span class="verdict failing">failing<\/span><\/td><td class="code">450 4\.4\.316 Connection refused<\/td>/);
    expect(html).toMatch(/data-target="healthy">.*not probed yet/);
    expect(html).toContain('3 targets: 0 healthy, 0 degraded, 1 failing, 2 not probed yet');
  });

  it('the chart takes a plain array of points: a bar per point, coloured by verdict', () => {
    const svg = renderHistoryChart([
      { at: 0, verdict: 'healthy', code: null, status: null, durationMs: 100 },
      { at: 60_000, verdict: 'failing', code: '4.4.316', status: '450 4.4.316 Connection refused', durationMs: 50 },
    ]);
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('data-verdict="failing"');
    expect(svg).toContain('<title>1970-01-01T00:01:00.000Z failing 4.4.316 50 ms</title>');
    expect(renderHistoryChart([])).toContain('aria-label="no history yet"');
  });
});

describe('the address policy', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['10.1.2.3', /private \(RFC 1918\)/],
    ['172.31.255.255', /private/],
    ['192.168.0.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /shared address space/],
    ['0.0.0.0', /"this network"/],
    ['224.0.0.1', /multicast/],
    ['192.0.2.1', /documentation/],
    ['::1', /loopback/],
    ['fe80::1', /link-local/],
    ['fd00::1', /unique local/],
    ['::ffff:192.168.1.1', /private/],
    ['2001:db8::1', /documentation/],
  ])('refuses %s', (ip, why) => {
    expect(forbiddenAddress(ip)).toMatch(why);
  });

  it.each(['8.8.8.8', '172.32.0.1', '2606:4700:4700::1111'])('allows public %s', (ip) => {
    expect(forbiddenAddress(ip)).toBeNull();
  });
});

describe('probe serve (the command)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfp-serve-'));

  it('parses --listen', () => {
    expect(parseListen('127.0.0.1:9125')).toEqual({ host: '127.0.0.1', port: 9125 });
    expect(parseListen('[::1]:9200')).toEqual({ host: '::1', port: 9200 });
    expect(parseListen(':9300')).toEqual({ host: '127.0.0.1', port: 9300 });
    expect(() => parseListen('localhost:9125')).toThrow('invalid listen address "localhost:9125": must be IP:PORT, e.g. 127.0.0.1:9125');
    expect(() => parseListen('127.0.0.1:99999')).toThrow('invalid listen port in "127.0.0.1:99999" "99999"');
  });

  it('reads the token from the environment or a file, and warns when both are set', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'from-file\n');
    const warnings: string[] = [];
    expect(readToken(undefined, { PROBE_EXPORTER_TOKEN: 'from-env' }, (l) => warnings.push(l))).toBe('from-env');
    expect(readToken(file, {}, (l) => warnings.push(l))).toBe('from-file');
    expect(warnings).toEqual([]);
    expect(readToken(file, { PROBE_EXPORTER_TOKEN: 'from-env' }, (l) => warnings.push(l))).toBe('from-file');
    expect(warnings).toEqual(['probe: both PROBE_EXPORTER_TOKEN and --token-file are set; using the token file']);
    expect(readToken(undefined, {}, () => {})).toBeNull();
    expect(() => readToken(join(dir, 'none'), {}, () => {})).toThrow(/^cannot read token file ".*none": ENOENT$/);
  });

  it('serves configured targets on loopback and stops on SIGTERM', async () => {
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, `127.0.0.1 name=refused port=${refused}\n`);
    const child = spawn(process.execPath, [bin, 'serve', '--targets', targets, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect.poll(() => stderr, { timeout: 10_000 }).toMatch(/serving 1 targets on http:\/\/127\.0\.0\.1:\d+/);
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    const body = await (await fetch(`${url}/probe?target=refused`)).text();
    expect(sample(body, 'probe_mailflow_code_info', { code: '4.4.316' })).toBe(1);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 3 on bad input', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, 'serve', '--allow-private', '--targets', join(dir, 'targets.txt')], (err, _out, stderr) =>
        resolve({ code: (err as { code?: number } | null)?.code ?? 0, stderr }),
      ),
    );
    expect(r).toEqual({ code: 3, stderr: 'probe: --allow-private only applies with --allow-any-target\n' });
  });
});
