/**
 * The scheduled checks' config as the target list of fleet mode and of `probe serve`,
 * whose status page then draws the SQLite history that `probe check` wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { certSet, closedPort, startDns, startSmtp, type DnsServer } from './fixtures/index.js';

const BIN = path.resolve('dist/src/cli/bin.js');
let dns: DnsServer;
let dir: string;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-config-targets-'));
  writeFileSync(path.join(dir, 'root.pem'), certSet().root.cert);
});
afterAll(() => dns.close());

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function config(): Promise<string> {
  const smtp = await startSmtp();
  onTestFinished(() => smtp.close());
  const refused = await closedPort();
  const file = path.join(dir, 'checks.yaml');
  writeFileSync(
    file,
    [
      'database: checks.db',
      'confirm: { retries: 0 }',
      'defaults:',
      `  resolvers: ["${dns.address}"]`,
      '  caFile: root.pem',
      '  ehloName: probe.demo.test',
      '  timeoutMs: 2000',
      'targets:',
      `  - { name: good, host: mx1.demo.test, port: ${smtp.port} }`,
      `  - { name: refused, host: mx1.demo.test, port: ${refused} }`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('the config file as a target list', () => {
  it('fleet mode probes every configured target: one JSON line each, exit = worst verdict', async () => {
    const file = await config();
    const r = await run(['--targets', file, '--json']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; verdict: string; code: string | null });
    expect(lines.map((l) => [l.name, l.verdict, l.code]).sort()).toEqual([
      ['good', 'healthy', null],
      ['refused', 'failing', '4.4.316'],
    ]);
    expect(r.code).toBe(2);
  });

  it('probe serve --config: probes configured targets and draws the history probe check recorded', async () => {
    const file = await config();
    expect((await run(['check', '--config', file])).code).toBe(2);
    const child = spawn(process.execPath, [BIN, 'serve', '--config', file, '--listen', '127.0.0.1:0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect.poll(() => stderr, { timeout: 10_000 }).toMatch(/serving 2 targets on http:\/\/127\.0\.0\.1:\d+/);
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    const metrics = await (await fetch(`${url}/probe?target=good`)).text();
    expect(metrics).toMatch(/^probe_success 1$/m);
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('History: the history of the scheduled checks (');
    expect(page).toContain('refused');
    expect(page).toContain('4.4.316');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('probe verify --config: each configured target verified as a connector, with its own port', async () => {
    const file = await config();
    const r = await run(['verify', '--config', file, '--json']);
    const report = JSON.parse(r.stdout) as {
      source: string;
      connectors: { name: string; verdict: string; code: string | null; checks: { id: string; status: string }[] }[];
    };
    expect(report.source).toBe(file);
    // The fixture announces SIZE 36700160, under Exchange Online's 36 MB: the one warning.
    expect(report.connectors[0]?.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status])).toEqual([['size', 'warn']]);
    expect(report.connectors.map((c) => [c.name, c.verdict, c.code])).toEqual([
      ['good', 'warn', null],
      ['refused', 'fail', '4.4.316'],
    ]);
    expect(r.code).toBe(2);
  });

  it('--config and --targets together is a usage error', async () => {
    const file = await config();
    const r = await run(['serve', '--config', file, '--targets', file]);
    expect(r).toMatchObject({ code: 3, stderr: 'probe: give --config or --targets, not both\n' });
  });
});
