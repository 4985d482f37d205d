/**
 * The command line's manners: a closed standard output ends quietly with the verdict's
 * exit code; a mistyped command is a usage error, not a DNS lookup; colour follows
 * --no-color, FORCE_COLOR, NO_COLOR and TERM=dumb; with --json, usage errors are JSON.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startDns, type DnsServer } from './fixtures/index.js';
import { colorWanted, editDistance, nearMissCommand } from '../src/cli/support.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const ESC = '\u001b[';

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = { ...process.env };
    for (const key of ['FORCE_COLOR', 'NO_COLOR', 'TERM']) delete clean[key];
    execFile(process.execPath, [bin, ...args], { env: { ...clean, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

/** Runs the CLI with its standard output's reader gone before it writes a byte. */
function runClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

let dns: DnsServer;
let refused: number;

beforeAll(async () => {
  [dns, refused] = await Promise.all([startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } }), closedPort()]);
});
afterAll(() => dns.close());

const failing = (): string[] => ['mx1.demo.test', '--resolver', dns.address, '--port', String(refused), '--timeout', '2000'];

describe('a closed standard output', () => {
  it('probe --help with its reader gone: exit 0, no stack trace', async () => {
    await expect(runClosedStdout(['--help'])).resolves.toEqual({ code: 0, stderr: '' });
  });

  it('a failing probe with its reader gone: exit 2 (the verdict), nothing on stderr', async () => {
    await expect(runClosedStdout([...failing(), '--json'])).resolves.toEqual({ code: 2, stderr: '' });
  });

  it('probe … --json | head -c5: head gets the first five bytes, the probe exits with the verdict', async () => {
    const r = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      const quoted = [process.execPath, bin, ...failing(), '--json'].map((a) => `'${a}'`).join(' ');
      execFile('bash', ['-c', `${quoted} | head -c5; echo " \${PIPESTATUS[0]}"`], { timeout: 30_000 }, (_err, stdout, stderr) => resolve({ stdout, stderr }));
    });
    expect(r).toEqual({ stdout: '{\n  " 2\n', stderr: '' });
  });
});

describe('a near miss of a command name', () => {
  it.each([
    ['histroy', 'history'],
    ['explian', 'explain'],
    ['verfy', 'verify'],
    ['serv', 'serve'],
    ['hlep', 'help'],
  ])('probe %s: exit 3, "did you mean probe %s", no DNS query', async (word, meant) => {
    const before = dns.queries.length;
    const r = await run([word, '--resolver', dns.address]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      3,
      '',
      `probe: unknown command "${word}": did you mean "probe ${meant}"? (to probe a host named ${word}, give its full name)\n`,
    ]);
    expect(dns.queries.length).toBe(before);
  });

  it('probe help prints the help (exit 0, nothing sent); probe help verify prints verify\'s', async () => {
    const before = dns.queries.length;
    const [top, verify] = await Promise.all([run(['help', '--resolver', dns.address]), run(['help', 'verify'])]);
    expect([top.code, top.stderr]).toEqual([0, '']);
    expect(top.stdout).toMatch(/^Usage: probe \[options\] \[command\] \[targets\.\.\.\]/);
    expect(top.stdout).toContain('Exit codes: 0 healthy');
    expect([verify.code, verify.stderr]).toEqual([0, '']);
    expect(verify.stdout).toMatch(/^Usage: probe verify /);
    expect(dns.queries.length).toBe(before);
  });

  it('a dotted name that contains a command\'s near miss is still a target', async () => {
    const r = await run(['histroy.demo.test', '--resolver', dns.address, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: '4.4.312', paths: [{ stages: [{ name: 'dns', failure: { kind: 'dns-nxdomain' } }] }] });
  });

  it('nearMissCommand and editDistance', () => {
    expect(editDistance('histroy', 'history')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    const names = ['explain', 'demo', 'verify', 'init', 'check', 'watch', 'history', 'serve', 'help'];
    expect(nearMissCommand('history', names)).toBeNull();
    expect(nearMissCommand('mx1', names)).toBeNull();
    expect(nearMissCommand('contoso', names)).toBeNull();
    expect(nearMissCommand('demos', names)).toBe('demo');
    expect(nearMissCommand('Chekc', names)).toBe('check');
    expect(nearMissCommand('127.0.0.1', names)).toBeNull();
  });
});

describe('colour', () => {
  it.each([
    [{ FORCE_COLOR: '1' }, [], true],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, [], true],
    [{ FORCE_COLOR: '0' }, [], false],
    [{ FORCE_COLOR: '1' }, ['--no-color'], false],
    [{ NO_COLOR: '1' }, [], false],
    [{}, [], false],
  ])('env %j, flags %j: coloured %s (standard output is a pipe)', async (env, flags, coloured) => {
    const r = await run([...failing(), ...flags], env as NodeJS.ProcessEnv);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/450 4\.4\.316/);
    expect(r.stdout.includes(ESC)).toBe(coloured);
  });

  it('colorWanted on a terminal: TERM=dumb and NO_COLOR turn it off, an empty NO_COLOR does not', () => {
    expect(colorWanted(true, {}, true)).toBe(true);
    expect(colorWanted(true, { TERM: 'dumb' }, true)).toBe(false);
    expect(colorWanted(true, { TERM: 'dumb', FORCE_COLOR: '1' }, true)).toBe(true);
    expect(colorWanted(true, { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted(true, { NO_COLOR: '' }, true)).toBe(true);
    expect(colorWanted(true, { FORCE_COLOR: 'false' }, true)).toBe(false);
    expect(colorWanted(false, { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted(true, {}, false)).toBe(false);
  });
});

describe('--json: usage errors are JSON on standard error, exit 3', () => {
  it.each([
    [['--port', '99999'], 'invalid port "99999": must be a whole number from 1 to 65535'],
    [['--bogus'], "unknown option '--bogus'"],
  ])('%j', async (args, message) => {
    const before = dns.queries.length;
    const r = await run(['mx1.demo.test', '--resolver', dns.address, '--json', ...args]);
    expect([r.code, r.stdout]).toEqual([3, '']);
    expect(r.stderr.endsWith('\n') && r.stderr.split('\n').length).toBe(2);
    expect(JSON.parse(r.stderr)).toEqual({ error: { kind: 'usage', message } });
    expect(dns.queries.length).toBe(before);
  });

  it('a near miss with --json', async () => {
    const r = await run(['histroy', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stderr)).toEqual({
      error: { kind: 'usage', message: 'unknown command "histroy": did you mean "probe history"? (to probe a host named histroy, give its full name)' },
    });
  });
});
