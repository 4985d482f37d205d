/**
 * The exporter's metrics as blackbox_exporter names them (names, labels, label values),
 * its build info, values without float noise, and the Grafana dashboard in contrib/: every
 * metric its queries name is in a real scrape against loopback targets.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { certSet, closedPort, startDns, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { startExporter, type Exporter } from '../src/exporter/server.js';
import { ipAddrHash, tlsVersionLabel } from '../src/exporter/metrics.js';
import { parseTargetsFile } from '../src/fleet/targets.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const dashboard = JSON.parse(readFileSync(new URL('../contrib/grafana/mailflow-probe.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let dns: DnsServer;
let smtp: SmtpFixture;
let refused: number;

beforeAll(async () => {
  certSet().valid();
  [dns, smtp, refused] = await Promise.all([startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } }), startSmtp(), closedPort()]);
});
afterAll(async () => {
  await Promise.all([dns?.close(), smtp?.close()]);
});

async function exporter(): Promise<Exporter> {
  const targets = parseTargetsFile([`mx1.demo.test name=healthy port=${smtp.port}`, `127.0.0.1 name=refused port=${refused}`].join('\n'), 'targets.txt', {
    resolvers: [dns.address],
    ca: [certSet().root.cert],
    ehloName: 'probe.demo.test',
    timeoutMs: 5000,
  });
  const e = await startExporter({ targets, port: 0 });
  onTestFinished(() => e.close());
  return e;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: string;
}

function samples(body: string): Sample[] {
  return body
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
      return { name: m[1]!, labels, value: m[3]! };
    });
}

function only(list: Sample[], name: string): Sample {
  const found = list.filter((s) => s.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

describe("blackbox_exporter's metrics, with its names, labels and values", () => {
  it('a healthy smart host over TLS 1.3', async () => {
    const e = await exporter();
    const list = samples(await (await fetch(`${e.url}/probe?target=healthy`)).text());
    const leaf = new X509Certificate(certSet().valid().cert);
    const chain = [leaf, new X509Certificate(certSet().intermediate.cert), new X509Certificate(certSet().root.cert)];

    expect(only(list, 'probe_success').value).toBe('1');
    expect(only(list, 'probe_ip_protocol').value).toBe('4');
    // FNV-1a 32 of the bytes 127 0 0 1, as blackbox_exporter's ipHash computes it
    expect(only(list, 'probe_ip_addr_hash').value).toBe('3668918509');
    const dnsTime = Number(only(list, 'probe_dns_lookup_time_seconds').value);
    expect(dnsTime).toBeGreaterThan(0);
    expect(list.find((s) => s.name === 'probe_phase_duration_seconds' && s.labels.phase === 'dns')?.value).toBe(String(dnsTime));
    expect(only(list, 'probe_tls_version_info')).toEqual({ name: 'probe_tls_version_info', labels: { version: 'TLS 1.3' }, value: '1' });
    expect(only(list, 'probe_tls_cipher_info')).toEqual({ name: 'probe_tls_cipher_info', labels: { cipher: 'TLS_AES_256_GCM_SHA384' }, value: '1' });
    expect(only(list, 'probe_ssl_earliest_cert_expiry').value).toBe(String(Date.parse(leaf.validTo) / 1000));
    expect(only(list, 'probe_ssl_last_chain_expiry_timestamp_seconds').value).toBe(String(Math.min(...chain.map((c) => Date.parse(c.validTo))) / 1000));
    expect(only(list, 'probe_ssl_last_chain_info')).toEqual({
      name: 'probe_ssl_last_chain_info',
      labels: {
        fingerprint_sha256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
        subject: 'CN=mx1.demo.test',
        issuer: leaf.issuer.split('\n').reverse().join(','),
        subjectalternative: 'mx1.demo.test,localhost',
        serialnumber: BigInt(`0x${leaf.serialNumber}`).toString(16),
      },
      value: '1',
    });
  });

  it('a refused connection: success 0, the address facts, no TLS or certificate series', async () => {
    const e = await exporter();
    const list = samples(await (await fetch(`${e.url}/probe?target=refused`)).text());
    expect(only(list, 'probe_success').value).toBe('0');
    expect(only(list, 'probe_ip_protocol').value).toBe('4');
    expect(only(list, 'probe_dns_lookup_time_seconds').value).toBe('0');
    for (const name of ['probe_tls_version_info', 'probe_tls_cipher_info', 'probe_ssl_earliest_cert_expiry', 'probe_ssl_last_chain_info', 'probe_ssl_last_chain_expiry_timestamp_seconds']) {
      expect(list.filter((s) => s.name === name), name).toEqual([]);
    }
  });

  it('no float noise in any value: at most microseconds', async () => {
    const e = await exporter();
    for (const target of ['healthy', 'refused']) {
      for (const s of samples(await (await fetch(`${e.url}/probe?target=${target}`)).text())) {
        expect(s.value, `${s.name} ${s.value}`).toMatch(/^-?\d+(\.\d{1,6})?$/);
      }
    }
  });

  it('the helpers: address hash for IPv6 and mapped IPv4, TLS version labels', () => {
    expect(ipAddrHash('::ffff:127.0.0.1')).toBe(ipAddrHash('127.0.0.1'));
    expect(ipAddrHash('::1')).toBe(1751717746);
    expect(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map(tlsVersionLabel)).toEqual(['TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3']);
  });

  it('/metrics: mailflow_probe_build_info{version,nodeversion,platform,arch} 1', async () => {
    const e = await exporter();
    const info = only(samples(await (await fetch(`${e.url}/metrics`)).text()), 'mailflow_probe_build_info');
    expect(info).toEqual({
      name: 'mailflow_probe_build_info',
      labels: { version: pkg.version, nodeversion: process.version, platform: process.platform, arch: process.arch },
      value: '1',
    });
  });
});

/** Every string under a key named `key`, anywhere in the JSON. */
function collect(node: unknown, key: string, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collect(item, key, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key && typeof v === 'string') out.push(v);
      else collect(v, key, out);
    }
  }
  return out;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/** The metric names a PromQL expression selects (not its functions, labels or keywords). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...stripped.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)].map((m) => m[1]!).filter((w) => !PROMQL_WORDS.has(w));
}

describe('the Grafana dashboard (contrib/grafana/mailflow-probe.json)', () => {
  it('metricNames reads PromQL as intended', () => {
    expect(metricNames('sum by (verdict) (rate(mailflow_exporter_probes_total{a="b c"}[$__rate_interval]))')).toEqual(['mailflow_exporter_probes_total']);
    expect(metricNames('(probe_ssl_earliest_cert_expiry{instance=~"$target"} - time()) / 86400')).toEqual(['probe_ssl_earliest_cert_expiry']);
    expect(metricNames('a_total / on(instance) group_left(code) b_info * 1000')).toEqual(['a_total', 'b_info']);
  });

  it('every metric a query names is in a real scrape of the exporter', async () => {
    const e = await exporter();
    const bodies = await Promise.all([`${e.url}/probe?target=healthy`, `${e.url}/probe?target=refused`].map(async (u) => (await fetch(u)).text()));
    bodies.push(await (await fetch(`${e.url}/metrics`)).text());
    const emitted = new Set(bodies.flatMap((b) => samples(b).map((s) => s.name)));

    const exprs = collect(dashboard.panels, 'expr');
    const variables = collect(dashboard.templating, 'query').map((q) => /^label_values\((\w+),\s*\w+\)$/.exec(q)?.[1] ?? q);
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    const used = new Set([...exprs.flatMap(metricNames), ...variables.filter((v) => v !== 'prometheus')]);
    expect(used.size).toBeGreaterThanOrEqual(15);
    const missing = [...used].filter((name) => !emitted.has(name));
    expect(missing).toEqual([]);
  });

  it('is importable: unique panel ids, every query on the datasource variable, a target variable', () => {
    const panels = dashboard.panels as { id: number; targets: { datasource: { uid: string }; refId: string }[] }[];
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) {
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) expect(t.datasource.uid).toBe('${datasource}');
    }
    expect(collect(dashboard.templating, 'name')).toEqual(['datasource', 'target']);
  });
});
