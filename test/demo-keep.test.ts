/**
 * `probe demo`: after the table, one failure in full; `probe demo --keep` keeps its
 * loopback DNS server and smart hosts up and prints the exact probe, verify and serve
 * commands to try — which are run here, as printed — until Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));

/** The words of a printed command, as a POSIX shell splits them (single quotes only). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!));
}

function start(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function runProbe(words: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = start(words);
  return p.exited.then((code) => ({ code, stdout: p.stdout(), stderr: p.stderr() }));
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('probe demo --keep', () => {
  it('prints commands that work against the running servers, and stops them on Ctrl-C', async () => {
    const demo = start(['demo', '--keep', '--no-color']);
    onTestFinished(() => {
      if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
    });
    await expect.poll(() => demo.stdout(), { timeout: 45_000, interval: 100 }).toMatch(/^ {2}probe serve .*$/m);
    const out = demo.stdout();

    // the table, then one case in full, then the commands
    expect(out).toMatch(/^certificate expired\s+failing\s+4\.7\.320 /m);
    expect(out).toContain('One case in full (certificate expired), as probe reports it:');
    expect(out).toMatch(/^Diagnosis: 450 4\.7\.320 Certificate validation failed$/m);
    expect(out).toMatch(/^ {2}What happened {2}the certificate expired on \d{4}-\d\d-\d\d \(stage: certificate\)$/m);
    expect(out.indexOf('One case in full')).toBeGreaterThan(out.indexOf('not an SMTP server'));
    expect(out).toContain('The demo servers stay up until Ctrl-C (DNS and smart hosts on loopback).');

    const after = (comment: string): string[] => {
      const lines = out.split('\n');
      const i = lines.findIndex((l) => l.startsWith(`  # ${comment}`));
      expect(i, comment).toBeGreaterThan(-1);
      const words = shellWords(lines[i + 1]!.trim());
      expect(words[0]).toBe('probe');
      return words.slice(1);
    };

    // probe, exactly as printed: the expired certificate gives 4.7.320
    const expired = after('certificate expired → 4.7.320');
    expect(expired).toEqual(expect.arrayContaining(['--resolver', '--port', '--ca-file']));
    const resolver = expired[expired.indexOf('--resolver') + 1]!;
    expect(resolver).toMatch(/^127\.0\.0\.1:\d+$/);
    const probed = await runProbe([...expired, '--json']);
    expect(probed.code).toBe(2);
    expect(JSON.parse(probed.stdout)).toMatchObject({ verdict: 'failing', code: '4.7.320', diagnosis: { stage: 'certificate' } });
    const closedCase = await runProbe([...after('port 25 closed → 4.4.316'), '--json']);
    expect([closedCase.code, JSON.parse(closedCase.stdout).code]).toEqual([2, '4.4.316']);

    // verify the healthy smart host: it passes the checklist but for SIZE (35 MiB < 36 MB)
    const verify = await runProbe([...after('the pre-migration checklist'), '--json']);
    expect(verify.code).toBe(1);
    const report = JSON.parse(verify.stdout);
    expect(report.connectors[0].checks.filter((c: { status: string }) => c.status !== 'pass').map((c: { id: string }) => c.id)).toEqual(['size']);

    // serve every case: /probe?target=certificate-expired answers with the code
    const serve = start(after('the exporter over every case'));
    onTestFinished(() => {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    });
    await expect.poll(() => serve.stderr(), { timeout: 15_000, interval: 100 }).toMatch(/serving 9 targets on http:\/\/127\.0\.0\.1:\d+/);
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.stderr())![1];
    const metrics = await (await fetch(`${url}/probe?target=certificate-expired`)).text();
    expect(metrics).toMatch(/^probe_mailflow_code_info\{code="4\.7\.320",stage="certificate",host="mx1\.demo\.test",ip="127\.0\.0\.1"\} 1$/m);
    serve.child.kill('SIGINT');
    await expect(serve.exited).resolves.toBe(0);

    // Ctrl-C: exit 0 (every case matched), and the smart hosts are gone
    const port = Number(expired[expired.indexOf('--port') + 1]);
    await expect(refuses(port)).resolves.toBe(false);
    demo.child.kill('SIGINT');
    await expect(demo.exited).resolves.toBe(0);
    await expect(refuses(port)).resolves.toBe(true);
    expect(demo.stderr()).toBe('');
  }, 120_000);
});
