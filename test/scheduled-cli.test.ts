/**
 * The scheduled-check commands as a user runs them: `probe init`, `probe check` (exit
 * code = worst verdict), `probe history`, and `probe watch` stopping cleanly on SIGTERM.
 * The built CLI runs as a child process against loopback servers.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { History } from '../src/scheduled/history.js';
import { certSet, closedPort, noBanner, startDns, startRaw, startSmtp, type DnsServer } from './fixtures/index.js';

const BIN = path.resolve('dist/src/cli/bin.js');
let dns: DnsServer;
let dir: string;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] }, 'two.demo.test': { A: ['127.0.0.1', '127.0.0.2'] } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-cli-'));
  writeFileSync(path.join(dir, 'root.pem'), certSet().root.cert);
});
afterAll(() => dns.close());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (the fixtures live here). */
function probe(args: string[], opts: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function writeConfig(name: string, targets: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      database: `${name}.db`,
      confirm: { retries: 1, minDelay: '0s' },
      defaults: { resolvers: [dns.address], caFile: 'root.pem', ehloName: 'probe.demo.test', timeoutMs: 2000 },
      targets,
      ...extra,
    }),
  );
  return file;
}

describe('probe init', () => {
  it('writes the commented example once and refuses to overwrite it', async () => {
    const first = await probe(['init', 'example.yaml']);
    expect(first.code).toBe(0);
    expect(readFileSync(path.join(dir, 'example.yaml'), 'utf8')).toContain('queueLifetime: 24h');
    const again = await probe(['init', 'example.yaml']);
    expect(again.code).toBe(3);
    expect(again.stderr).toBe('probe: "example.yaml" already exists: not overwriting it\n');
  });
});

describe('probe check exit codes: the worst verdict', () => {
  it('0 when every target is healthy', async () => {
    const smtp = await startSmtp();
    onTestFinished(() => smtp.close());
    const run = await probe(['check', '--config', writeConfig('healthy', [{ name: 'a', host: 'mx1.demo.test', port: smtp.port }])]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('a: healthy\n');
    expect(run.code).toBe(0);
  });

  it('1 when the worst is degraded (one of two addresses refuses)', async () => {
    const smtp = await startSmtp();
    onTestFinished(() => smtp.close());
    const run = await probe(['check', '--config', writeConfig('degraded', [{ name: 'b', host: 'two.demo.test', port: smtp.port }])]);
    expect(run.stdout).toContain('b: degraded');
    expect(run.stdout).toContain('Alert queued: degraded');
    expect(run.code).toBe(1);
  });

  it('2 when one target fails, with the code, the stage, the fix and the countdown', async () => {
    const smtp = await startSmtp();
    onTestFinished(() => smtp.close());
    const closed = await closedPort();
    const file = writeConfig('failing', [
      { name: 'up', host: 'mx1.demo.test', port: smtp.port },
      { name: 'down', host: 'mx1.demo.test', port: closed },
    ]);
    const run = await probe(['check', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^up: healthy\ndown: failing — 450 4\.4\.316 Connection refused \(confirmed in 2 attempts\)\n  Failing stage: tcp — .+\n  Fix first: .+\n  Failing since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(0 s\)\. Mail queued at the start of the outage starts bouncing at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 24 h; queue lifetime 24 h\)\.\n  Alert queued: failing /);

    // --target narrows the pass; --json has the countdown and the alerts.
    const json = await probe(['check', '--config', file, '--target', 'down', '--json']);
    expect(json.code).toBe(2);
    const out = JSON.parse(json.stdout) as { verdict: string; targets: { name: string; verdict: string; attempts: number; countdown: { bounceAt: string; failingSince: string }; alerts: unknown[] }[] };
    expect(out.verdict).toBe('failing');
    expect(out.targets).toHaveLength(1);
    expect(out.targets[0]).toMatchObject({ name: 'down', verdict: 'failing', attempts: 2, alerts: [] });
    expect(Date.parse(out.targets[0]!.countdown.bounceAt) - Date.parse(out.targets[0]!.countdown.failingSince)).toBe(24 * 3_600_000);

    // probe history: the current state, since when, the countdown, the timeline.
    const hist = await probe(['history', 'down', '--config', file, '--json']);
    expect(hist.code).toBe(0);
    const report = JSON.parse(hist.stdout) as { schema: string; targets: { target: string; state: string; checks: number; failingChecks: number; timeline: { to: string; code: string }[]; alerts: { kind: string }[]; countdown: unknown }[] };
    expect(report.schema).toBe('mailflow-probe/history@1');
    expect(report.targets).toHaveLength(1);
    expect(report.targets[0]).toMatchObject({ target: 'down', state: 'failing', checks: 2, failingChecks: 2, timeline: [{ to: 'failing', code: '4.4.316' }], alerts: [{ kind: 'failing' }] });
    expect(report.targets[0]!.countdown).not.toBeNull();
    const text = await probe(['history', '--config', file, '--since', '1h']);
    expect(text.stdout).toMatch(/^down: failing since .+ — 450 4\.4\.316 Connection refused\n  Failing since .+starts bouncing at/m);
    expect(text.stdout).toMatch(/^up: healthy since /m);
    expect(text.stdout).toContain('Certificate expires');
  });

  it('3 for a config error, naming the file, the path and the value; nothing is probed or written', async () => {
    const file = writeConfig('bad', [{ name: 'x', host: 'mx1.demo.test', port: 70000 }]);
    const run = await probe(['check', '--config', file]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`probe: ${file}: targets[0].port: invalid port "70000": must be a whole number from 1 to 65535\n`);
    expect(existsSync(path.join(dir, 'bad.db'))).toBe(false);
    const unknown = await probe(['check', '--config', writeConfig('ok', [{ name: 'x', host: 'mx1.demo.test' }]), '--target', 'y']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe('probe: unknown target "y": the config names "x"\n');
    const since = await probe(['history', '--db', path.join(dir, 'failing.db'), '--since', 'a week']);
    expect(since.code).toBe(3);
    expect(since.stderr).toBe('probe: invalid --since "a week": write a duration such as 90s, 30m, 24h, 7d or 1h30m\n');
  });
});

describe('probe watch', () => {
  it('on SIGTERM finishes the probe in flight, commits it, and exits 0', async () => {
    // A server that accepts and never greets: the probe waits out its stage timeout.
    const silent = await startRaw(noBanner);
    onTestFinished(() => silent.close());
    const file = writeConfig('watch', [{ name: 'slow', host: 'mx1.demo.test', port: silent.port, timeoutMs: 1500, schedule: '0 0 1 1 *' }], {
      confirm: { retries: 0 },
    });
    const child = spawn(process.execPath, [BIN, 'watch', '--config', file], { cwd: dir });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The check at start is in flight once the server has the connection.
    const started = Date.now();
    while (silent.connections() === 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(silent.connections()).toBe(1);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/SIGTERM: finishing in-flight checks\n.* slow failing 4\.4\.318 result #1 attempts 1 .*\nstopped\n$/s);
    const history = History.open(path.join(dir, 'watch.db'), { readonly: true });
    onTestFinished(() => history.close());
    expect(history.results('slow', new Date(0)).map((r) => [r.verdict, r.code, r.stage])).toEqual([['failing', '4.4.318', 'banner']]);
  });
});
