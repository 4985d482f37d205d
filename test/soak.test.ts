/**
 * The soak (bench/soak.ts) at a size for every test run: 600 seeded sessions against
 * loopback servers that misbehave at random, 16 probes in flight. It runs as its own
 * node process with --expose-gc, so the heap after a forced GC and the open file
 * descriptors are the prober's alone. The full 10 000 sessions: `npm run soak`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOAK = fileURLToPath(new URL('../dist/bench/soak.js', import.meta.url));

interface SoakReport {
  seed: number;
  sessions: number;
  sessionsPerSecond: number;
  deadline: { late: number; starved: number; starvedBound: number; maxOvershootMs: number };
  verdicts: { mismatches: number; slow: number; slowBound: number; codes: Record<string, number>; behaviours: Record<string, number> };
  output: { sessions: number; rendered: number; injected: number; rawControls: number; firstRaw: string[] };
  heap: { growthMb: number; boundMb: number };
  fds: { beforeServers: number; baseline: number; final: number; afterClose: number; serversIdle: boolean };
  unhandledRejections: number;
  uncaughtExceptions: number;
  warnings: string[];
  ok: boolean;
}

function runSoak(args: string[]): Promise<{ code: number | null; report: SoakReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', SOAK, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, report: JSON.parse(stdout) as SoakReport, stderr });
      } catch (err) {
        reject(new Error(`soak printed no report (exit ${code}): ${stdout}${stderr}`, { cause: err }));
      }
    });
  });
}

describe('soak', () => {
  it('600 hostile sessions: verdicts by the deadline, as the behaviour calls for; no leak', { timeout: 120_000 }, async () => {
    const { code, report, stderr } = await runSoak(['--sessions', '600', '--seed', '42', '--workers', '16']);
    expect(stderr).toBe('');
    expect(report.sessions).toBe(600);
    // Every behaviour was drawn, and the verdicts cover every way a session can end.
    expect(Object.keys(report.verdicts.behaviours).sort()).toEqual(
      ['drip', 'endless', 'error-banner', 'firewall', 'garbage', 'healthy', 'oversize', 'plain', 'silent', 'stall-after-banner', 'tls-garbage', 'tls-stall', 'truncate'].sort(),
    );
    expect(Object.keys(report.verdicts.codes)).toEqual(expect.arrayContaining(['null', '4.4.312', '4.4.317', '4.4.318', 'other']));
    expect(report.deadline.late).toBe(0);
    expect(report.deadline.starved).toBeLessThanOrEqual(report.deadline.starvedBound);
    expect(report.verdicts.mismatches).toBe(0);
    // Injected terminal escapes, CR, NUL, C1 and bidi controls reached no report raw.
    expect(report.output.injected).toBeGreaterThan(20);
    expect(report.output.sessions).toBeGreaterThan(100);
    expect(report.output.rendered).toBe(2 * report.output.sessions);
    expect(report.output).toMatchObject({ rawControls: 0, firstRaw: [] });
    expect(report.verdicts.slow).toBeLessThanOrEqual(report.verdicts.slowBound);
    expect(report.heap.growthMb).toBeLessThanOrEqual(report.heap.boundMb);
    expect(report.fds.serversIdle).toBe(true);
    expect(report.fds.final).toBeLessThanOrEqual(report.fds.baseline);
    expect(report.fds.afterClose).toBeLessThanOrEqual(report.fds.beforeServers);
    expect(report.unhandledRejections).toBe(0);
    expect(report.uncaughtExceptions).toBe(0);
    expect(report.warnings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  });

  it('the same seed draws the same sessions', { timeout: 120_000 }, async () => {
    const [a, b] = await Promise.all([
      runSoak(['--sessions', '60', '--seed', '9', '--workers', '4']),
      runSoak(['--sessions', '60', '--seed', '9', '--workers', '4']),
    ]);
    expect(a.report.verdicts.behaviours).toEqual(b.report.verdicts.behaviours);
    expect(a.report.ok && b.report.ok).toBe(true);
  });
});
