/**
 * Nothing lost, nothing twice: a child `probe watch` is killed with SIGKILL in the middle
 * of a delivery and in the middle of passes, restarted each time, and finally stopped.
 * Then the database must hold every result any run reported, one contiguous run of ids,
 * and every alert delivered — acknowledged exactly once by the webhook receiver and
 * received exactly once by the loopback relay.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { expect, it, onTestFinished } from 'vitest';
import { History } from '../src/scheduled/history.js';
import { certSet, closedPort, startDns, startSmtp, type SmtpFixture } from './fixtures/index.js';
import { startWebhook } from './fixtures/webhook.js';

const BIN = path.resolve('dist/src/cli/bin.js');
let debug = (): string => '';

interface Child {
  proc: ChildProcessWithoutNullStreams;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function watch(config: string, cwd: string): Child {
  const proc = spawn(process.execPath, [BIN, 'watch', '--config', config], { cwd });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  onTestFinished(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { proc, stdout: () => out, exited };
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}${debug()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The result ids a run says it committed. */
const reported = (out: string): number[] => [...out.matchAll(/ result #(\d+) /g)].map((m) => Number(m[1]));

it('SIGKILL mid-delivery and mid-pass, restart: every alert delivered once, no history row lost', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-crash-'));
  writeFileSync(path.join(dir, 'root.pem'), certSet().root.cert);
  const dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
  onTestFinished(() => dns.close());
  const hook = await startWebhook();
  onTestFinished(() => hook.close());
  const relay = await startSmtp({ name: 'relay.demo.test' });
  onTestFinished(() => relay.close());
  const port = await closedPort();
  let target: SmtpFixture | undefined;
  onTestFinished(() => target?.close());

  const config = path.join(dir, 'watch.yaml');
  writeFileSync(
    config,
    `
database: history.db
confirm: { retries: 1, minDelay: 400ms, maxDelay: 400ms }
delivery: { minDelay: 1s, maxDelay: 2s }
targets:
  - name: onprem
    host: mx1.demo.test
    port: ${port}
    resolvers: ["${dns.address}"]
    caFile: root.pem
    ehloName: probe.demo.test
    timeoutMs: 2000
    schedule: "* * * * * *"
alerts:
  - type: webhook
    name: hook
    url: ${hook.url}
  - type: email
    name: mail
    host: 127.0.0.1
    port: ${relay.port}
    from: probe@demo.test
    to: [admin@demo.test]
    caFile: root.pem
`,
  );
  const db = path.join(dir, 'history.db');
  const outputs: string[] = [];
  const kinds = (): string[] => hook.delivered().map((r) => (r.body as { kind: string }).kind);
  let current: Child | undefined;
  debug = () => `\nkinds ${kinds().join(',')} mails ${relay.messages.length} requests ${hook.requests.length}\n${current?.stdout() ?? ''}`;

  // Run 1: the target refuses; the "failing" alert is committed, and the process is
  // killed while the webhook holds its delivery (received, never acknowledged).
  hook.hold(true);
  let run = watch(config, dir);
  current = run;
  await until('the held webhook delivery', () => hook.requests.length === 1);
  run.proc.kill('SIGKILL');
  expect((await run.exited).signal).toBe('SIGKILL');
  outputs.push(run.stdout());
  hook.hold(false);
  {
    const history = History.open(db, { readonly: true });
    expect(history.alerts('onprem', new Date(0)).map((a) => a.event.kind)).toEqual(['failing']);
    expect(history.outbox().map((o) => [o.channel, o.deliveredAt])).toEqual([
      ['hook', null],
      ['mail', null],
    ]);
    history.close();
  }

  // Run 2: the restart delivers the committed alert; then the target comes back, the
  // recovery goes out, and the process is killed as the next pass connects.
  run = watch(config, dir);
  current = run;
  await until('the failing alert delivered', () => kinds().length === 1 && relay.messages.length === 1);
  target = await startSmtp({ port });
  await until('the recovery delivered', () => kinds().length === 2 && relay.messages.length === 2);
  const sessions = target.sessions.length;
  await until('a pass in flight', () => target!.sessions.length > sessions);
  run.proc.kill('SIGKILL');
  expect((await run.exited).signal).toBe('SIGKILL');
  outputs.push(run.stdout());

  // Run 3: the target goes away again; killed while a pass waits to confirm the failure
  // (after its first attempt asked DNS, before the retry 400 ms later).
  await target.close();
  target = undefined;
  run = watch(config, dir);
  current = run;
  for (let kill = 0; kill < 3; kill++) {
    const queries = dns.queries.length;
    await until('a pass asking DNS', () => dns.queries.length > queries);
    if (kill < 2) {
      // let a few passes through between kills
      const before = reported(run.stdout()).length;
      await until('a committed pass', () => reported(run.stdout()).length > before);
    }
  }
  run.proc.kill('SIGKILL');
  expect((await run.exited).signal).toBe('SIGKILL');
  outputs.push(run.stdout());

  // Run 4: everything committed goes out; SIGTERM ends it cleanly.
  run = watch(config, dir);
  current = run;
  await until('the second failing alert delivered', () => kinds().length === 3 && relay.messages.length === 3);
  const before = reported(run.stdout()).length;
  await until('one more pass', () => reported(run.stdout()).length > before);
  run.proc.kill('SIGTERM');
  expect(await run.exited).toEqual({ code: 0, signal: null });
  outputs.push(run.stdout());
  expect(outputs[3]).toMatch(/stopped\n$/);

  // The database: intact, every reported result present, ids contiguous (a killed pass
  // left nothing half-written), and the timeline and alerts in step.
  const raw = new Database(db, { readonly: true });
  expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  raw.close();
  const history = History.open(db, { readonly: true });
  onTestFinished(() => history.close());
  const results = history.results('onprem', new Date(0));
  expect(results.map((r) => r.id)).toEqual(results.map((_, i) => i + 1));
  const allReported = outputs.flatMap(reported);
  expect(allReported.length).toBeGreaterThan(4);
  for (const id of allReported) expect(results.some((r) => r.id === id)).toBe(true);
  expect(results.filter((r) => r.verdict === 'failing').every((r) => r.attempts === 2 && r.code === '4.4.316')).toBe(true);
  expect(history.transitions('onprem', new Date(0)).map((t) => [t.from, t.to])).toEqual([
    [null, 'failing'],
    ['failing', 'healthy'],
    ['healthy', 'failing'],
  ]);
  const alerts = history.alerts('onprem', new Date(0));
  expect(alerts.map((a) => a.event.kind)).toEqual(['failing', 'recovered', 'failing']);
  expect(history.outbox().every((o) => o.deliveredAt !== null)).toBe(true);

  // The webhook: each alert acknowledged exactly once; the one held when the process died
  // was sent again with the same Idempotency-Key.
  const ids = alerts.map((a) => a.id);
  expect(hook.delivered().map((r) => r.headers['idempotency-key'])).toEqual(ids);
  expect(hook.requests.filter((r) => r.status === 0).map((r) => r.headers['idempotency-key'])).toEqual([ids[0]]);
  // The relay: each alert received exactly once, in order, over TLS.
  const mails = await Promise.all(relay.messages.map((m) => simpleParser(m.data)));
  expect(mails.map((m) => m.messageId)).toEqual(ids.map((id) => `<${id}@mailflow-probe>`));
  expect(mails.map((m) => m.headers.get('x-mailflow-probe-kind'))).toEqual(['failing', 'recovered', 'failing']);
  expect(relay.messages.every((m) => m.secure)).toBe(true);
  expect(mails[0]!.text).toContain('450 4.4.316 Connection refused');
});
