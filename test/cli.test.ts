/**
 * The `probe` command as a user runs it: the built bin, real loopback servers, exit codes,
 * JSON on stdout, one-line errors on stderr.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { certSet, closedPort, noBanner, startDns, startRaw, startSmtp, type DnsServer } from './fixtures/index.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

let dns: DnsServer;
let caFile: string;

beforeAll(async () => {
  dns = await startDns({
    'mx1.demo.test': { A: ['127.0.0.1'] },
    'pair.demo.test': { A: ['127.0.0.1', '127.0.0.2'] },
  });
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  caFile = join(mkdtempSync(join(tmpdir(), 'mfp-')), 'root.pem');
  writeFileSync(caFile, certSet().root.cert);
});
afterAll(() => dns.close());

const common = (port: number): string[] => ['--resolver', dns.address, '--port', String(port), '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--timeout', '1500'];

describe('exit codes', () => {
  it('0 healthy, with a readable report', async () => {
    const server = await startSmtp();
    onTestFinished(() => server.close());
    const r = await run(['mx1.demo.test', ...common(server.port)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HEALTHY/m);
    expect(r.stdout).toMatch(/✓ certificate/);
    expect(r.stderr).toBe('');
  });

  it('1 degraded', async () => {
    const server = await startSmtp({ host: '127.0.0.1' });
    onTestFinished(() => server.close());
    const r = await run(['pair.demo.test', ...common(server.port)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DEGRADED\s+450 4\.4\.316 Connection refused/m);
  });

  it('2 failing, with the diagnosis and the Exchange-style line', async () => {
    const port = await closedPort();
    const r = await run(['mx1.demo.test', ...common(port)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Diagnosis: 450 4.4.316 Connection refused');
    expect(r.stdout).toContain('Fix first');
    expect(r.stdout).toContain('partner');
    expect(r.stdout).toContain(`450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=127.0.0.1:${port}]`);
  });

  it('--json prints the result@1 object and nothing else', async () => {
    const server = await startRaw(noBanner);
    onTestFinished(() => server.close());
    const r = await run(['mx1.demo.test', ...common(server.port), '--timeout', '500', '--json']);
    expect(r.code).toBe(2);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({
      schema: 'mailflow-probe/result@1',
      targets: ['mx1.demo.test'],
      verdict: 'failing',
      code: '4.4.318',
      status: '450 4.4.318 Connection was closed abruptly',
      port: server.port,
      tlsMode: 'certificate-validation',
    });
    for (const key of ['route', 'tlsDomain', 'message', 'startedAt', 'durationMs', 'paths', 'diagnosis', 'warnings']) {
      expect(result).toHaveProperty(key);
    }
    expect(result.paths[0].stages.at(-1)).toMatchObject({ name: 'banner', ok: false, failure: { kind: 'timeout', stage: 'banner' } });
  });

  it('colour only on a terminal and never with --no-color', async () => {
    const port = await closedPort();
    const r = await run(['mx1.demo.test', ...common(port), '--no-color']);
    expect(r.stdout).not.toContain('\u001b[');
  });
});

describe('bad input: one line naming the value, exit 3, nothing sent', () => {
  it.each([
    [['bad_host.demo.test'], /invalid target "bad_host\.demo\.test"/],
    [['mx1.demo.test', '--port', '70000'], /invalid port "70000"/],
    [['mx1.demo.test', '--resolver', 'dns.demo.test'], /invalid resolver "dns\.demo\.test"/],
    [['mx1.demo.test', '--tls-domain', 'm*.demo.test'], /invalid TLS domain "m\*\.demo\.test"/],
    [['mx1.demo.test', '--ehlo-name', 'a\r\nMAIL FROM:<x>'], /invalid EHLO name "a\\r\\nMAIL FROM:<x>"/],
    [['mx1.demo.test', '--timeout', '10s'], /invalid timeout \(ms\) "10s"/],
    [['mx1.demo.test', '--tls-mode', 'strict'], /argument 'strict' is invalid/],
    [['mx1.demo.test', '--frobnicate'], /unknown option '--frobnicate'/],
    [['mx1.demo.test', '--ca-file', '/nonexistent/ca.pem'], /cannot read CA file "\/nonexistent\/ca\.pem": ENOENT/],
    [[], /no target given/],
  ])('%j', async (args, message) => {
    const server = await startSmtp();
    onTestFinished(() => server.close());
    dns.queries.length = 0;
    // Our resolver and server come first, so any packet the bad input let through would show.
    const r = await run(['--resolver', dns.address, '--port', String(server.port), ...args]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^probe: /);
    expect(r.stderr).toMatch(message);
    expect(dns.queries).toEqual([]);
    expect(server.sessions).toEqual([]);
  });

  it('--help shows examples and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('probe demo');
  });

  it('--version, through the package\'s bin (bin/probe.cjs), which also runs the CLI', async () => {
    const launcher = fileURLToPath(new URL('../bin/probe.cjs', import.meta.url));
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const viaBin = (args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        execFile(process.execPath, [launcher, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
        });
      });
    expect(await viaBin(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await run(['--version'])).stdout).toBe(`${version}\n`);
    const port = await closedPort();
    const refused = await viaBin(['127.0.0.1', '--port', String(port), '--json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout).code).toBe('4.4.316');
  });
});

describe('demo', () => {
  it('shows every code against its own loopback servers and exits 0', async () => {
    const r = await run(['demo', '--no-color']);
    expect(r.code).toBe(0);
    for (const code of ['4.4.312', '4.4.315', '4.4.316', '4.4.317', '4.4.318', '4.7.320', 'other']) {
      expect(r.stdout).toContain(code);
    }
    expect(r.stdout).toMatch(/healthy/);
    expect(r.stdout).toMatch(/degraded/);
    expect(r.stdout).toContain('Every case gave the verdict and code Exchange Online would report');
  });
});
