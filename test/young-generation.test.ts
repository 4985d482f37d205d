/**
 * bin/young-generation.cjs: `probe serve` and `probe watch` replace themselves (process.execve,
 * same PID) with `node --max-semi-space-size=8 …` where Node has process.execve; nothing
 * else does, and a user's own setting wins. Runs bin/probe.cjs as the installed command does.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { closedPort } from './fixtures/index.js';
import { sample } from './fixtures/prometheus.js';

const require = createRequire(import.meta.url);
const { youngGenerationArgv } = require('../bin/young-generation.cjs') as {
  youngGenerationArgv: (args: string[], runtime: { execve?: unknown; execPath: string; execArgv: string[]; env: Record<string, string | undefined>; script: string }) => string[] | null;
};
const launcher = fileURLToPath(new URL('../bin/probe.cjs', import.meta.url));
const hasExecve = typeof (process as { execve?: unknown }).execve === 'function';

const runtime = (over: Partial<Parameters<typeof youngGenerationArgv>[1]> = {}): Parameters<typeof youngGenerationArgv>[1] => ({
  execve: () => {},
  execPath: '/opt/node/bin/node',
  execArgv: [],
  env: {},
  script: '/usr/lib/node_modules/mailflow-probe/bin/probe.cjs',
  ...over,
});

describe('youngGenerationArgv', () => {
  it.each([
    [['serve', '--listen', '127.0.0.1:9125'], ['/opt/node/bin/node', '--max-semi-space-size=8', '/usr/lib/node_modules/mailflow-probe/bin/probe.cjs', 'serve', '--listen', '127.0.0.1:9125']],
    [['watch', '--config', 'checks.yaml'], ['/opt/node/bin/node', '--max-semi-space-size=8', '/usr/lib/node_modules/mailflow-probe/bin/probe.cjs', 'watch', '--config', 'checks.yaml']],
  ])('re-execs %j with the flag first and every argument kept', (args, argv) => {
    expect(youngGenerationArgv(args, runtime())).toEqual(argv);
  });

  it("keeps node's own options after the flag", () => {
    expect(youngGenerationArgv(['serve'], runtime({ execArgv: ['--enable-source-maps'] }))).toEqual([
      '/opt/node/bin/node',
      '--max-semi-space-size=8',
      '--enable-source-maps',
      '/usr/lib/node_modules/mailflow-probe/bin/probe.cjs',
      'serve',
    ]);
  });

  it.each([
    ['a one-shot probe', ['smarthost.contoso.com'], runtime()],
    ['fleet mode', ['--targets', 'connectors.txt'], runtime()],
    ['verify', ['verify', 'contoso.com'], runtime()],
    ['check (cron)', ['check', '--config', 'checks.yaml'], runtime()],
    ['no command', [], runtime()],
    ['a command word in second place', ['--lang', 'serve'], runtime()],
    ['a Node without process.execve', ['serve'], runtime({ execve: undefined })],
    ['the flag on node\'s command line', ['serve'], runtime({ execArgv: ['--max-semi-space-size=16'] })],
    ['the flag with underscores', ['serve'], runtime({ execArgv: ['--max_semi_space_size=4'] })],
    ['the flag as a separate value', ['watch'], runtime({ execArgv: ['--max-semi-space-size', '16'] })],
    ['the flag in NODE_OPTIONS', ['serve'], runtime({ env: { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=32' } })],
    ['MAILFLOW_PROBE_NO_REEXEC=1', ['serve'], runtime({ env: { MAILFLOW_PROBE_NO_REEXEC: '1' } })],
  ])('leaves %s alone', (_what, args, rt) => {
    expect(youngGenerationArgv(args, rt)).toBeNull();
  });

  it('does not take a larger semi-space flag name for its own', () => {
    expect(youngGenerationArgv(['serve'], runtime({ execArgv: ['--max-semi-space-size-extra=1'] }))?.[1]).toBe('--max-semi-space-size=8');
  });
});

/** The command line of a running process, from /proc (Linux). */
function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

async function serve(env: NodeJS.ProcessEnv): Promise<{ pid: number; url: string; stop: () => Promise<number | null> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mfp-young-'));
  const targets = join(dir, 'targets.txt');
  writeFileSync(targets, `127.0.0.1 name=refused port=${await closedPort()}\n`);
  const child = spawn(process.execPath, [launcher, 'serve', '--targets', targets, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'], env });
  onTestFinished(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await expect.poll(() => stderr, { timeout: 15_000 }).toMatch(/serving 1 targets on http:\/\/127\.0\.0\.1:\d+/);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid as number,
    url: /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1] as string,
    stop: () => (child.kill('SIGTERM'), exited),
  };
}

describe.runIf(process.platform === 'linux')('probe serve through bin/probe.cjs', () => {
  it(`runs in the PID it was started as, ${hasExecve ? 'with' : 'without (no process.execve in this Node)'} --max-semi-space-size=8, answers, and exits 0 on SIGTERM`, async () => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    delete env.MAILFLOW_PROBE_NO_REEXEC;
    const s = await serve(env);
    expect(cmdline(s.pid)).toEqual([process.execPath, ...(hasExecve ? ['--max-semi-space-size=8'] : []), launcher, 'serve', '--targets', expect.stringMatching(/targets\.txt$/), '--listen', '127.0.0.1:0']);
    const body = await (await fetch(`${s.url}/probe?target=refused`)).text();
    expect(sample(body, 'probe_mailflow_code_info', { code: '4.4.316', stage: 'tcp' })).toBe(1);
    expect(await s.stop()).toBe(0);
  });

  it("keeps the user's semi-space size from NODE_OPTIONS", async () => {
    const s = await serve({ ...process.env, NODE_OPTIONS: '--max-semi-space-size=16' });
    const argv = cmdline(s.pid);
    expect(argv.filter((a) => a.startsWith('--max-semi-space-size'))).toEqual([]);
    expect(argv.slice(1, 3)).toEqual([launcher, 'serve']);
    expect(await s.stop()).toBe(0);
  });

  it('passes bad input through: one line, exit 3', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [launcher, 'serve', '--targets', 'none.txt'], { cwd: tmpdir() }, (err, _out, stderr) =>
        resolve({ code: (err as { code?: number } | null)?.code ?? 0, stderr }),
      ),
    );
    expect(r).toEqual({ code: 3, stderr: 'probe: cannot read targets file "none.txt": ENOENT\n' });
  });
});
