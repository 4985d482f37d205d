/**
 * Fleet mode: the targets file format, the runner (every result once, bounded, a slow
 * target never holding up the rest), and `probe --targets` as a user runs it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  banner421,
  certSet,
  closedPort,
  noBanner,
  smtpScript,
  startBlackhole,
  startDns,
  startRaw,
  type Blackhole,
  type DnsServer,
  type RawServer,
  timeWithLag,
} from './fixtures/index.js';
import { runFleet, worstVerdict, type FleetEntry } from '../src/fleet/fleet.js';
import { UsageError, type ProbeOptions } from '../src/core/options.js';
import { renderFleetTable } from '../src/report/fleet.js';
import { parseTargetsFile, loadTargetsFile } from '../src/fleet/targets.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mfp-fleet-'));

describe('the --targets file format', () => {
  it('reads hosts, per-line options, comments and names', () => {
    const list = parseTargetsFile(
      [
        '# the connectors of two tenants',
        'mail.contoso.com tls-mode=domain-validation tls-domain=*.contoso.com port=25',
        '',
        'mx1.fabrikam.com mx2.fabrikam.com name=fabrikam tls-mode=encryption-only timeout=5000   # two smart hosts',
        '203.0.113.25 port=2525 mx=no',
      ].join('\n'),
      'connectors.txt',
      { resolvers: ['127.0.0.1:5353'] },
    );
    expect(list.map((t) => [t.name, t.targets, t.source])).toEqual([
      ['mail.contoso.com', ['mail.contoso.com'], 'connectors.txt:2'],
      ['fabrikam', ['mx1.fabrikam.com', 'mx2.fabrikam.com'], 'connectors.txt:4'],
      ['203.0.113.25', ['203.0.113.25'], 'connectors.txt:5'],
    ]);
    expect(list[0]?.options).toMatchObject({ tlsMode: 'domain-validation', tlsDomain: '*.contoso.com', port: 25, resolvers: ['127.0.0.1:5353'] });
    expect(list[1]?.options).toMatchObject({ tlsMode: 'encryption-only', timeoutMs: 5000 });
    expect(list[2]?.options).toMatchObject({ port: 2525, mx: false });
  });

  it.each([
    ['mail.contoso.com port=99999', 'f.txt:1: invalid port "99999": must be a whole number from 1 to 65535'],
    ['a.demo.test\nmail.contoso.com tls-mode=strict', 'f.txt:2: invalid TLS mode "strict": must be one of opportunistic, encryption-only, certificate-validation, domain-validation'],
    ['mail.contoso.com colour=blue', 'f.txt:1: unknown option "colour"'],
    ['tls-mode=encryption-only', 'f.txt:1: no smart host on the line "tls-mode=encryption-only"'],
    ['bad_host!.demo.test', 'f.txt:1: invalid target "bad_host!.demo.test"'],
    ['a.demo.test name=x\nb.demo.test name=x', 'f.txt:2: duplicate name "x" (first defined at f.txt:1)'],
    ['a.demo.test mx=maybe', 'f.txt:1: invalid mx "maybe": must be yes or no'],
    ['a.demo.test ca-file=missing.pem', 'f.txt:1: cannot read CA file "missing.pem": ENOENT'],
    ['# only a comment\n', 'f.txt: no target in the file'],
  ])('rejects %j naming file:line and the value', (text, message) => {
    expect(() => parseTargetsFile(text, 'f.txt')).toThrow(UsageError);
    expect(() => parseTargetsFile(text, 'f.txt')).toThrow(message);
  });

  it('names an unreadable file', () => {
    expect(() => loadTargetsFile(join(dir, 'nope.txt'))).toThrow(`cannot read targets file "${join(dir, 'nope.txt')}": ENOENT`);
  });
});

describe('worstVerdict', () => {
  it.each([
    [[], 'healthy'],
    [['healthy', 'healthy'], 'healthy'],
    [['healthy', 'degraded'], 'degraded'],
    [['degraded', 'failing', 'healthy'], 'failing'],
  ] as const)('%j → %s', (verdicts, worst) => {
    expect(worstVerdict(verdicts)).toBe(worst);
  });
});

describe('a fleet of 200 loopback targets, mixed healthy and failing', () => {
  let dns: DnsServer;
  let healthy: RawServer;
  let rejecting: RawServer;
  let silent: RawServer;
  let blackhole: Blackhole;
  let refusedPort: number;
  let caFile: string;
  let lines: string[];
  /** What each name must come back as: verdict and code. */
  const expected = new Map<string, { verdict: string; code: string | null }>();

  beforeAll(async () => {
    // Made up front: node-forge makes keys synchronously, which would stall the probes.
    certSet().valid();
    dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] }, 'gone.demo.test': 'NXDOMAIN' });
    healthy = await startRaw(smtpScript());
    rejecting = await startRaw(banner421);
    silent = await startRaw(noBanner);
    blackhole = await startBlackhole();
    refusedPort = await closedPort();
    caFile = join(dir, 'root.pem');
    writeFileSync(caFile, certSet().root.cert);
    // 200 lines: healthy through DNS and by IP, refused, 421 banner, NXDOMAIN, and a few
    // slow ones (silent banner, SYN never answered) that each hold a slot for their timeout.
    lines = [];
    for (let i = 0; i < 200; i++) {
      const name = `t${String(i).padStart(3, '0')}`;
      const kind = i % 10;
      if (kind <= 4) {
        lines.push(`${i % 2 ? 'mx1.demo.test' : '127.0.0.1'} name=${name} port=${healthy.port}`);
        expected.set(name, { verdict: 'healthy', code: null });
      } else if (kind === 5) {
        lines.push(`127.0.0.1 name=${name} port=${refusedPort}`);
        expected.set(name, { verdict: 'failing', code: '4.4.316' });
      } else if (kind === 6 || kind === 7) {
        lines.push(`127.0.0.1 name=${name} port=${rejecting.port}`);
        expected.set(name, { verdict: 'failing', code: '4.4.317' });
      } else if (kind === 8) {
        lines.push(`gone.demo.test name=${name} port=${healthy.port}`);
        expected.set(name, { verdict: 'failing', code: '4.4.312' });
      } else if (i % 20 === 9) {
        lines.push(`127.0.0.1 name=${name} port=${silent.port} timeout=2000`);
        expected.set(name, { verdict: 'failing', code: '4.4.318' });
      } else {
        lines.push(`127.0.0.1 name=${name} port=${blackhole.port} timeout=2000`);
        expected.set(name, { verdict: 'failing', code: '4.4.315' });
      }
    }
  });
  afterAll(async () => {
    await Promise.all([dns?.close(), healthy?.close(), rejecting?.close(), silent?.close(), blackhole?.close()]);
  });

  const defaults = (): ProbeOptions => ({ resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 15_000, deadlineMs: 30_000 });

  it('returns every result exactly once, each with its own verdict and code, in bounded time', async () => {
    const list = parseTargetsFile(lines.join('\n'), 'fleet.txt', defaults());
    const seen: string[] = [];
    const { value: entries, ms: wallMs, lagMs } = await timeWithLag(() => runFleet(list, { concurrency: 64, onResult: (e) => seen.push(e.name) }));
    expect(entries).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
    expect(seen).toHaveLength(200);
    expect(entries.map((e) => e.name)).toEqual(list.map((t) => t.name));
    for (const e of entries) expect({ name: e.name, verdict: e.result.verdict, code: e.result.code }).toEqual({ name: e.name, ...expected.get(e.name) });
    // 20 slow targets of 2 s each at 64 in flight: far below 20 × 2 s, since they overlap.
    expect(wallMs).toBeLessThan(45_000 + lagMs);
    const table = renderFleetTable(entries, { wallMs });
    expect(table).toMatch(/^200 targets: 100 healthy, 0 degraded, 100 failing \(20× 4\.4\.312, 10× 4\.4\.315, 20× 4\.4\.316, 40× 4\.4\.317, 10× 4\.4\.318\)/m);
    expect(table.split('\n')[1]).toMatch(/^t0(0|1)\d\s+failing\s+4\.4\.31/);
  }, 60_000);

  it('a target slower than the rest holds one slot, not the fleet', async () => {
    // The first target's server holds its greeting until every other target has finished;
    // with 4 slots the other 40 must all finish while it waits, or this never completes.
    const held: Array<() => void> = [];
    const script = smtpScript();
    const slowServer = await startRaw((socket) => held.push(() => script(socket)));
    const slow = `127.0.0.1 name=slow port=${slowServer.port} timeout=15000`;
    const fast = Array.from({ length: 40 }, (_, i) => `127.0.0.1 name=f${i} port=${healthy.port}`);
    const list = parseTargetsFile([slow, ...fast].join('\n'), 'slow.txt', { ...defaults(), deadlineMs: 20_000 });
    const order: string[] = [];
    const entries = await runFleet(list, {
      concurrency: 4,
      onResult: (e) => {
        order.push(e.name);
        if (order.length === 40) for (const release of held.splice(0)) release();
      },
    });
    await slowServer.close();
    expect(order).toHaveLength(41);
    expect(order.at(-1)).toBe('slow');
    expect(entries.map((e) => e.result.verdict)).toEqual(Array(41).fill('healthy'));
  });

  it('probe --targets --json prints one JSON line per target and exits with the worst verdict', async () => {
    const file = join(dir, 'fleet.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await run(['--targets', file, '--concurrency', '50', '--json', '--resolver', dns.address, '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--timeout', '15000', '--deadline', '30000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const results = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as FleetEntry['result'] & { name: string });
    expect(results).toHaveLength(200);
    expect(new Set(results.map((x) => x.name)).size).toBe(200);
    for (const x of results) {
      expect(x.schema).toBe('mailflow-probe/result@1');
      expect({ verdict: x.verdict, code: x.code }).toEqual(expected.get(x.name));
    }
  }, 60_000);

  it('probe --targets prints the summary table; exit 0 when all are healthy', async () => {
    const file = join(dir, 'healthy.txt');
    writeFileSync(file, lines.filter((l) => l.includes(`port=${healthy.port}`) && !l.startsWith('gone')).slice(0, 20).join('\n'));
    const r = await run(['--targets', file, '--resolver', dns.address, '--ca-file', caFile, '--ehlo-name', 'probe.demo.test']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+VERDICT\s+CODE\s+TIME\s+DETAIL$/m);
    expect(r.stdout).toMatch(/^t000\s+healthy\s+-\s+/m);
    expect(r.stdout).toMatch(/^20 targets: 20 healthy, 0 degraded, 0 failing in /m);
  });
});

describe('probe --targets: bad input', () => {
  it('exits 3 naming file:line and the value, before sending anything', async () => {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, '127.0.0.1 port=25\n127.0.0.1 name=two port=0\n');
    const r = await run(['--targets', file]);
    expect(r).toEqual({ code: 3, stdout: '', stderr: `probe: ${file}:2: invalid port "0": must be a whole number from 1 to 65535\n` });
  });

  it('refuses targets both on the command line and in a file', async () => {
    const r = await run(['--targets', join(dir, 'x.txt'), 'mx1.demo.test']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^probe: give targets either on the command line or in --targets/);
  });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '' }, timeout: 55_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}
