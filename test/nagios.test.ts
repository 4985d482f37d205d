/**
 * `probe --output nagios` against loopback smart hosts, read back with a strict parser of
 * the plugin output format (Monitoring Plugins development guidelines): the status line,
 * every performance datum `label=value[UOM];[warn];[crit];[min];[max]`, the exit code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certSet, closedPort, loopbackProbeOptions, startDns, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { probe } from '../src/core/engine.js';
import { renderNagios } from '../src/report/nagios.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));

interface PerfDatum {
  label: string;
  value: number | 'U';
  uom: string;
  warn: string;
  crit: string;
  min: string;
  max: string;
}

interface PluginOutput {
  service: string;
  state: 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
  summary: string;
  perfdata: PerfDatum[];
  long: string[];
}

// The guidelines' units: none, s/ms/us, %, B/KB/MB/TB, c (a continuous counter).
const UOM = /^(|s|ms|us|%|B|KB|MB|TB|c)$/;
const NUMBER = /^-?(\d+(\.\d+)?|\.\d+)$/;
// A threshold is a range: [@][start:][end], start may be ~ (negative infinity).
const RANGE = /^@?((-?(\d+(\.\d+)?)|~):)?(-?\d+(\.\d+)?)?$/;

/** Parses one performance datum strictly; throws on anything the guidelines do not allow. */
function parseDatum(text: string): PerfDatum {
  let label: string;
  let rest: string;
  if (text.startsWith("'")) {
    const m = /^'((?:[^']|'')+)'=(.*)$/.exec(text);
    if (!m) throw new Error(`bad quoted label in ${text}`);
    label = m[1]!.replace(/''/g, "'");
    rest = m[2]!;
  } else {
    const m = /^([^'=\s]+)=(.*)$/.exec(text);
    if (!m) throw new Error(`bad label in ${text}`);
    label = m[1]!;
    rest = m[2]!;
  }
  const fields = rest.split(';');
  if (fields.length > 5) throw new Error(`too many fields in ${text}`);
  const [valueUom = '', warn = '', crit = '', min = '', max = ''] = fields;
  const vm = /^(-?[\d.]+|U)([^\d.;-]*)$/.exec(valueUom);
  if (!vm) throw new Error(`bad value in ${text}`);
  const [, raw, uom] = vm as unknown as [string, string, string];
  if (raw !== 'U' && !NUMBER.test(raw)) throw new Error(`bad number ${raw} in ${text}`);
  if (!UOM.test(uom)) throw new Error(`unit ${uom} not allowed in ${text}`);
  for (const t of [warn, crit]) if (t && !RANGE.test(t)) throw new Error(`bad threshold ${t} in ${text}`);
  for (const t of [min, max]) if (t && !NUMBER.test(t)) throw new Error(`bad min/max ${t} in ${text}`);
  // A number without a fraction longer than a microsecond: no float noise.
  if (raw !== 'U' && /\.\d{7,}/.test(raw)) throw new Error(`float noise in ${text}`);
  return { label, value: raw === 'U' ? 'U' : Number(raw), uom, warn, crit, min, max };
}

/** Splits perfdata on spaces outside quoted labels. */
function splitPerf(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    if (ch === ' ' && !quoted) {
      if (current) out.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) throw new Error(`unterminated quote in ${text}`);
  if (current) out.push(current);
  return out;
}

function parsePluginOutput(text: string): PluginOutput {
  expect(text.endsWith('\n')).toBe(true);
  const [first = '', ...long] = text.slice(0, -1).split('\n');
  const m = /^([A-Z][A-Z0-9-]*) (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+?) \| (\S.*)$/.exec(first);
  if (!m) throw new Error(`not a plugin status line: ${first}`);
  for (const line of long) if (line.includes('|')) throw new Error(`unexpected perfdata in long output: ${line}`);
  return { service: m[1]!, state: m[2] as PluginOutput['state'], summary: m[3]!, perfdata: splitPerf(m[4]!).map(parseDatum), long };
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '' }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

let dns: DnsServer;
let good: SmtpFixture;
let expired: SmtpFixture;
let refused: number;
let caFile: string;

beforeAll(async () => {
  [dns, good, expired, refused] = await Promise.all([
    startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } }),
    startSmtp(),
    startSmtp({ tls: certSet().expired }),
    closedPort(),
  ]);
  caFile = join(mkdtempSync(join(tmpdir(), 'mfp-nagios-')), 'root.pem');
  writeFileSync(caFile, certSet().root.cert);
}, 30_000);
afterAll(async () => {
  await Promise.all([dns?.close(), good?.close(), expired?.close()]);
});

const common = (port: number): string[] => ['--resolver', dns.address, '--port', String(port), '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--timeout', '2000'];
const TIMES = ['time', 'dns', 'tcp', 'banner', 'ehlo', 'starttls', 'tls', 'certificate', 'ehlo-tls', 'quit'];

describe('the parser holds the guidelines (it rejects what they forbid)', () => {
  it.each([
    ['cert_days=10d;30;7', /unit d not allowed/],
    ['time=0.019100000000000002s;;;0', /float noise/],
    ["my label=1", /bad label|bad value/],
    ['a=1;2;3;4;5;6', /too many fields/],
    ['a=1;x;3', /bad threshold/],
  ])('%s', (datum, error) => {
    expect(() => parseDatum(datum)).toThrow(error);
  });
  it('accepts a quoted label with a space and an =, and ranges', () => {
    expect(parseDatum("'a b=c'=5%;@10:20;~:30;0;100")).toEqual({ label: 'a b=c', value: 5, uom: '%', warn: '@10:20', crit: '~:30', min: '0', max: '100' });
  });
});

describe('probe --output nagios', () => {
  it('OK for a healthy smart host: every stage timed in seconds, paths, and the days to the earliest expiry (unitless)', async () => {
    const r = await run(['mx1.demo.test', ...common(good.port), '--output', 'nagios']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = parsePluginOutput(r.stdout);
    expect(out.service).toBe('SMTP-CONNECTOR');
    expect(out.state).toBe('OK');
    expect(out.summary).toMatch(/^1 of 1 paths pass; certificate expires in \d+ days$/);
    expect(out.perfdata.map((d) => d.label)).toEqual([...TIMES, 'paths', 'paths_ok', 'cert_days']);
    for (const d of out.perfdata.filter((p) => TIMES.includes(p.label))) {
      expect(d).toMatchObject({ uom: 's', warn: '', crit: '', min: '0', max: '' });
      expect(d.value).toBeGreaterThanOrEqual(0);
      expect(d.value).toBeLessThan(10);
    }
    expect(out.perfdata.find((d) => d.label === 'paths')).toEqual({ label: 'paths', value: 1, uom: '', warn: '', crit: '', min: '0', max: '' });
    expect(out.perfdata.find((d) => d.label === 'paths_ok')).toEqual({ label: 'paths_ok', value: 1, uom: '', warn: '', crit: '', min: '0', max: '1' });
    const days = out.perfdata.find((d) => d.label === 'cert_days')!;
    expect(days).toMatchObject({ uom: '', warn: '30', crit: '7', min: '', max: '' });
    expect(out.summary).toContain(`expires in ${days.value} days`);
    // Issue 14: the long output ends with where the probe ran from.
    expect(out.long).toEqual([`OK: mx1.demo.test 127.0.0.1:${good.port}`, expect.stringMatching(/^from \S+ \(source 127\.0\.0\.1\) · resolvers 127\.0\.0\.1:\d+ · mailflow-probe \S+$/)]);
  });

  it('WARNING and CRITICAL when the certificate has no more days left than -w / -c', async () => {
    const warn = await run(['mx1.demo.test', ...common(good.port), '--output', 'nagios', '-w', '3650', '-c', '1']);
    const warned = parsePluginOutput(warn.stdout);
    expect([warn.code, warned.state]).toEqual([1, 'WARNING']);
    expect(warned.summary).toMatch(/^certificate CN=mx1\.demo\.test expires in \d+ days \(warning at 3650 days\); 1 of 1 paths pass$/);
    expect(warned.perfdata.find((d) => d.label === 'cert_days')).toMatchObject({ warn: '3650', crit: '1' });

    const crit = await run(['mx1.demo.test', ...common(good.port), '--output', 'nagios', '--warning', '3650', '--critical', '3650']);
    const critical = parsePluginOutput(crit.stdout);
    expect([crit.code, critical.state]).toEqual([2, 'CRITICAL']);
    expect(critical.summary).toMatch(/^certificate CN=mx1\.demo\.test expires in \d+ days \(critical at 3650 days\); 1 of 1 paths pass$/);
  });

  it('CRITICAL with the code for a refused connection; no certificate datum', async () => {
    const r = await run(['127.0.0.1', ...common(refused), '--output', 'nagios']);
    expect(r.code).toBe(2);
    const out = parsePluginOutput(r.stdout);
    expect(out.state).toBe('CRITICAL');
    expect(out.summary).toBe(`450 4.4.316 Connection refused at 127.0.0.1:${refused}; 0 of 1 paths pass`);
    expect(out.perfdata.map((d) => d.label)).toEqual(['time', 'tcp', 'paths', 'paths_ok']);
    expect(out.perfdata.find((d) => d.label === 'paths_ok')?.value).toBe(0);
    expect(out.long).toHaveLength(3);
    expect(out.long[0]).toMatch(new RegExp(`^CRITICAL: 127\\.0\\.0\\.1:${refused} 450 4\\.4\\.316 Connection refused \\(tcp: `));
    // Issue 14: refused from outside Microsoft 365's ranges (loopback), so it may differ; and where from.
    expect(out.long.slice(1)).toEqual([
      "NOTE: may differ from Exchange Online's result: probed from outside Microsoft 365's ranges",
      expect.stringMatching(/^from \S+ \(source not connected\) · resolvers 127\.0\.0\.1:\d+ · mailflow-probe \S+$/),
    ]);
  });

  it('an expired certificate under encryption-only: mail flows, but CRITICAL, "expired N days ago", negative days', async () => {
    const r = await run(['mx1.demo.test', ...common(expired.port), '--tls-mode', 'encryption-only', '--output', 'nagios']);
    const out = parsePluginOutput(r.stdout);
    expect([r.code, out.state]).toEqual([2, 'CRITICAL']);
    const days = out.perfdata.find((d) => d.label === 'cert_days')!;
    expect(days.value).toBeLessThan(0);
    expect(out.summary).toBe(`certificate CN=mx1.demo.test expired ${-(days.value as number)} days ago (critical at 7 days); 1 of 1 paths pass`);
  });

  it('--json keeps working, and --output json is the same document', async () => {
    const [a, b] = await Promise.all([
      run(['mx1.demo.test', ...common(good.port), '--json']),
      run(['mx1.demo.test', ...common(good.port), '--output', 'json']),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(JSON.parse(a.stdout).schema).toBe('mailflow-probe/result@1');
    expect(Object.keys(JSON.parse(b.stdout))).toEqual(Object.keys(JSON.parse(a.stdout)));
  });

  it.each([
    [['--output', 'nagios', '-w', 'soon'], 'probe: invalid warning days "soon": must be a whole number from 0 to 3650'],
    [['--output', 'nagios', '-w', '5', '-c', '9'], 'probe: invalid critical days "9": must not exceed the warning days (5); both count days left'],
    [['-c', '5'], 'probe: --critical applies to --output nagios only'],
    [['--output', 'xml'], "probe: option '--output <format>' argument 'xml' is invalid. Allowed choices are text, json, nagios."],
  ])('bad input %j: one line naming the value, exit 3, nothing sent', async (args, message) => {
    const before = dns.queries.length;
    const r = await run(['mx1.demo.test', ...common(good.port), ...args]);
    expect([r.code, r.stdout, r.stderr]).toEqual([3, '', `${message}\n`]);
    expect(dns.queries.length).toBe(before);
  });
});

describe('renderNagios (pure)', () => {
  it('a cancelled probe is UNKNOWN, exit 3', async () => {
    const controller = new AbortController();
    controller.abort(new DOMException('cancelled', 'AbortError'));
    const result = await probe(['mx1.demo.test'], { ...loopbackProbeOptions(dns, good.port, { timeoutMs: 2000, deadlineMs: 5000 }), signal: controller.signal });
    expect(result.cancelled).toBe(true);
    const out = renderNagios(result, { warningDays: 30, criticalDays: 7 });
    expect([out.state, out.exitCode]).toEqual(['UNKNOWN', 3]);
    expect(parsePluginOutput(out.text).summary).toMatch(/^cancelled before every path finished; /);
  });

  it('the certificate stage of an expired leaf under encryption-only says how long ago, not a negative count', async () => {
    const result = await probe(['mx1.demo.test'], { ...loopbackProbeOptions(dns, expired.port, { timeoutMs: 2000, deadlineMs: 5000 }), tlsMode: 'encryption-only' });
    const days = -result.paths[0]!.certificate!.chain[0]!.daysLeft;
    expect(days).toBeGreaterThan(0);
    expect(result.paths[0]!.stages.find((s) => s.name === 'certificate')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(new RegExp(`^CN=mx1\\.demo\\.test; not validated \\(encryption-only\\); expired \\d{4}-\\d\\d-\\d\\d \\(${days} days ago\\)$`)),
    });
  });

  it('remote text cannot break the line: a | or a newline in a failure message is neutralised', async () => {
    const result = await probe(['127.0.0.1'], loopbackProbeOptions(dns, refused, { timeoutMs: 2000, deadlineMs: 5000 }));
    const path = result.paths[0]!;
    path.failure = { ...path.failure!, message: 'evil | perf=1\nCRITICAL fake' };
    path.status = '450 4.4.316 a|b';
    result.status = '450 4.4.316 x|y\nz';
    const out = renderNagios(result, { warningDays: 30, criticalDays: 7 });
    const parsed = parsePluginOutput(out.text);
    expect(parsed.summary).toBe(`450 4.4.316 x/y z at 127.0.0.1:${refused}; 0 of 1 paths pass`);
    expect(parsed.long[0]).toBe(`CRITICAL: 127.0.0.1:${refused} 450 4.4.316 a/b (tcp: evil / perf=1 CRITICAL fake)`);
    expect(parsed.long).toHaveLength(3);
  });
});
