/**
 * Issue 15's scheduled-check bugs, each against real loopback servers: the watch log's
 * order and stamps, the time a recovery (or a confirmed failure) is dated, "failing since"
 * from the first failed attempt, an alert subject that says why, and a failed webhook
 * that says what failed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { probe as realProbe } from '../src/core/engine.js';
import { validateConfig, type MonitorConfig } from '../src/scheduled/config.js';
import { History } from '../src/scheduled/history.js';
import { Monitor } from '../src/scheduled/monitor.js';
import { alertSubject } from '../src/scheduled/alerts/format.js';
import { webhookSender } from '../src/scheduled/alerts/send.js';
import { startWatch } from '../src/scheduled/scheduler.js';
import { certSet, closedPort, startDns, startHttp, startHttps, startRaw, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { failingAlert } from './fixtures/relay.js';
import { startWebhook } from './fixtures/webhook.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-27T07:00:00.000Z');
let dns: DnsServer;
let dir: string;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] }, 'two.demo.test': { A: ['127.0.0.1', '127.0.0.2'] } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-issue15-'));
  writeFileSync(path.join(dir, 'root.pem'), certSet().root.cert);
});
afterAll(() => dns.close());

function config(targets: Record<string, unknown>[], extra: Record<string, unknown> = {}): MonitorConfig {
  return validateConfig(
    {
      database: `i15-${Math.random().toString(36).slice(2)}.db`,
      confirm: { retries: 1, minDelay: '0s', maxDelay: '0s' },
      defaults: { resolvers: [dns.address], caFile: 'root.pem', ehloName: 'probe.demo.test', timeoutMs: 2000 },
      targets,
      ...extra,
    },
    path.join(dir, 'i15.yaml'),
    {},
  );
}

describe('watch logs each pass when it finishes, stamped with that time', () => {
  it('a slow target that started first is logged after a fast one, with a later stamp', async () => {
    // Holds every connection 2.5 s, then closes it: a 4.4.318 that takes 2.5 s.
    const slow = await startRaw((socket) => void setTimeout(() => socket.destroy(), 2500));
    onTestFinished(() => slow.close());
    const refused = await closedPort();
    const cfg = config(
      [
        { name: 'slow', host: 'mx1.demo.test', port: slow.port, timeoutMs: 5000, schedule: '0 0 1 1 *' },
        { name: 'fast', host: 'mx1.demo.test', port: refused, schedule: '0 0 1 1 *' },
      ],
      { confirm: { retries: 0 } },
    );
    const lines: string[] = [];
    const started = Date.now();
    const watcher = startWatch(cfg, { log: (line) => lines.push(line) });
    while (lines.length < 2 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    await watcher.stop();
    expect(lines.map((l) => l.split(' ').slice(1, 4).join(' '))).toEqual(['fast failing 4.4.316', 'slow failing 4.4.318']);
    const stamps = lines.map((l) => Date.parse(l.split(' ')[0]!));
    // In the order they are written, and the slow one stamped when it ended, not when it began.
    expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(1000);
    expect(stamps[1]! - started).toBeGreaterThanOrEqual(2400);
  }, 20_000);
});

describe('a pass is dated when its result was seen; an outage counts from its first failed attempt', () => {
  it('failing confirmed on the second attempt: failing since the first; recovered on a retry: dated at the retry', async () => {
    const port = await closedPort();
    const hook = await startWebhook();
    onTestFinished(() => hook.close());
    const cfg = config([{ name: 'onprem', host: 'mx1.demo.test', port }], { alerts: [{ type: 'webhook', url: hook.url }] });
    let t = T0;
    let server: SmtpFixture | undefined;
    onTestFinished(() => server?.close());
    let upAfterFirstAttempt = false;
    // Each attempt takes a minute of the test's clock; a retry follows at once.
    const monitor = new Monitor(cfg, {
      now: () => new Date(t),
      probe: async (targets, options) => {
        const result = await realProbe(targets, options);
        t += MIN;
        if (upAfterFirstAttempt) server ??= await startSmtp({ port });
        return result;
      },
    });
    onTestFinished(() => monitor.close());

    // 07:00 attempt 1 fails, 07:01 attempt 2 fails: confirmed at 07:01, failing since 07:00.
    const failing = (await monitor.check(cfg.targets[0]!))!;
    expect(failing.attempts).toBe(2);
    expect(failing.alerts.map((a) => a.event)).toMatchObject([
      { kind: 'failing', at: '2026-11-27T07:01:00.000Z', failingSince: '2026-11-27T07:00:00.000Z', bounceAt: '2026-11-28T07:00:00.000Z' },
    ]);
    expect(failing.countdown).toMatchObject({ failingSince: '2026-11-27T07:00:00.000Z', bounceAt: '2026-11-28T07:00:00.000Z', elapsedMs: MIN });

    // 07:10 attempt 1 still fails (the server comes up after it), 07:11 attempt 2 passes.
    t = T0 + 10 * MIN;
    upAfterFirstAttempt = true;
    const recovered = (await monitor.check(cfg.targets[0]!))!;
    expect(recovered.result.verdict).toBe('healthy');
    expect(recovered.alerts.map((a) => a.event)).toMatchObject([{ kind: 'recovered', at: '2026-11-27T07:11:00.000Z', outageMs: 11 * MIN }]);

    await monitor.deliver();
    expect(hook.delivered().map((r) => (r.body as { kind: string; at: string }).at)).toEqual(['2026-11-27T07:01:00.000Z', '2026-11-27T07:11:00.000Z']);
    const history = History.open(cfg.database, { readonly: true });
    onTestFinished(() => history.close());
    expect(history.transitions('onprem', new Date(0)).map((x) => [x.at, x.from, x.to])).toEqual([
      ['2026-11-27T07:01:00.000Z', null, 'failing'],
      ['2026-11-27T07:11:00.000Z', 'failing', 'healthy'],
    ]);
    expect(history.results('onprem', new Date(0)).map((r) => r.at)).toEqual(['2026-11-27T07:01:00.000Z', '2026-11-27T07:11:00.000Z']);
  });

  it('still failing on the next pass: the countdown keeps the first failed attempt', async () => {
    const port = await closedPort();
    const cfg = config([{ name: 'onprem', host: 'mx1.demo.test', port }], { confirm: { retries: 2, minDelay: '0s', maxDelay: '0s' } });
    let t = T0;
    const monitor = new Monitor(cfg, {
      now: () => new Date(t),
      probe: async (targets, options) => {
        const result = await realProbe(targets, options);
        t += MIN;
        return result;
      },
    });
    onTestFinished(() => monitor.close());
    await monitor.check(cfg.targets[0]!);
    t = T0 + 60 * MIN;
    const again = (await monitor.check(cfg.targets[0]!))!;
    expect(again.step.next.failingSince).toBe('2026-11-27T07:00:00.000Z');
    expect(again.countdown).toMatchObject({ failingSince: '2026-11-27T07:00:00.000Z', bounceAt: '2026-11-28T07:00:00.000Z', elapsedMs: 62 * MIN });
    expect(monitor.history.state('onprem').failingSince).toBe('2026-11-27T07:00:00.000Z');
  });
});

describe('an alert subject says why', () => {
  it('names the code, its title and the short reason of the failing path', async () => {
    const port = await closedPort();
    const cfg = config([{ name: 'onprem', host: 'mx1.demo.test', port }], { confirm: { retries: 0 } });
    const monitor = new Monitor(cfg);
    onTestFinished(() => monitor.close());
    const pass = (await monitor.check(cfg.targets[0]!))!;
    expect(alertSubject(pass.alerts[0]!.event)).toBe(`[mailflow-probe] FAILING onprem: 450 4.4.316 Connection refused (port ${port} refused on 127.0.0.1)`);
  });

  it('a degraded target names the path that fails', async () => {
    const smtp = await startSmtp();
    onTestFinished(() => smtp.close());
    const cfg = config([{ name: 'pair', host: 'two.demo.test', port: smtp.port }], { confirm: { retries: 0 } });
    const monitor = new Monitor(cfg);
    onTestFinished(() => monitor.close());
    const pass = (await monitor.check(cfg.targets[0]!))!;
    expect(pass.result.verdict).toBe('degraded');
    expect(alertSubject(pass.alerts[0]!.event)).toBe(`[mailflow-probe] DEGRADED pair: 450 4.4.316 Connection refused (port ${smtp.port} refused on 127.0.0.2)`);
  });

  it("a hostile server's reply is bounded and cannot break the subject line", async () => {
    const junk = `421 ${'\u001b[2J Bcc: victim@demo.test \u0007'.repeat(12)}`;
    const hostile = await startRaw((socket) => socket.end(`${junk}\r\n`));
    onTestFinished(() => hostile.close());
    const cfg = config([{ name: 'onprem', host: 'mx1.demo.test', port: hostile.port }], { confirm: { retries: 0 } });
    const monitor = new Monitor(cfg);
    onTestFinished(() => monitor.close());
    const pass = (await monitor.check(cfg.targets[0]!))!;
    const subject = alertSubject(pass.alerts[0]!.event);
    expect(subject.startsWith('[mailflow-probe] FAILING onprem: 450 4.4.317 Cannot connect to remote server (the server answered 421 ')).toBe(true);
    expect(subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(subject.length).toBeLessThanOrEqual(200);
    expect(subject.endsWith('…)')).toBe(true);
  });
});

describe('a failed webhook says what failed', () => {
  const channel = (url: string, timeoutMs = 5000) => ({ type: 'webhook' as const, name: 'hook', url, urlEnv: null, format: 'generic' as const, timeoutMs });

  it('a refused connection names the address and the error', async () => {
    const port = await closedPort();
    await expect(webhookSender(channel(`http://127.0.0.1:${port}/x`))(failingAlert('t'), 'id-1')).rejects.toThrow(
      `hook: cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)`,
    );
  });

  it('an HTTP error names the status and a bounded, sanitized excerpt of the body', async () => {
    const body = `{"error":"invalid_token \u001b[31mred\u001b[0m",\n"detail":"${'x'.repeat(500)}"}`;
    const http = await startHttp({ '/hook': (_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(body) });
    onTestFinished(() => http.close());
    const err = await webhookSender(channel(http.url('/hook')))(failingAlert('t'), 'id-1').catch((e: Error) => e);
    // Line breaks fold, control characters show escaped, and 200 characters at most are kept.
    const shown = '{"error":"invalid_token \\x1b[31mred\\x1b[0m", "detail":"';
    expect((err as Error).message).toBe(`hook: the webhook answered HTTP 401 Unauthorized: ${shown}${'x'.repeat(200 - shown.length)}…`);
  });

  it('a TLS failure says so, with the reason', async () => {
    const https = await startHttps();
    onTestFinished(() => https.close());
    await expect(webhookSender(channel(`https://127.0.0.1:${https.port}/hook`))(failingAlert('t'), 'id-1')).rejects.toThrow(
      `hook: TLS with 127.0.0.1:${https.port} failed: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)`,
    );
  });

  it('the delivery error lands in the outbox and the watch log', async () => {
    const port = await closedPort();
    const dead = await closedPort();
    const cfg = config([{ name: 'onprem', host: 'mx1.demo.test', port, schedule: '0 0 1 1 *' }], {
      confirm: { retries: 0 },
      alerts: [{ type: 'webhook', name: 'ops', url: `http://127.0.0.1:${dead}/hook` }],
    });
    const lines: string[] = [];
    const watcher = startWatch(cfg, { log: (line) => lines.push(line) });
    const started = Date.now();
    while (!lines.some((l) => l.startsWith('delivery failed')) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    await watcher.stop();
    expect(lines.filter((l) => l.startsWith('delivery failed'))).toEqual([
      expect.stringMatching(new RegExp(`^delivery failed: alert [0-9a-f-]{36}: ops: cannot connect to 127\\.0\\.0\\.1:${dead}: connection refused \\(ECONNREFUSED\\) \\(will retry\\)$`)),
    ]);
    const history = History.open(cfg.database, { readonly: true });
    onTestFinished(() => history.close());
    expect(history.outbox().map((o) => [o.attempts, o.lastError])).toEqual([[1, `ops: cannot connect to 127.0.0.1:${dead}: connection refused (ECONNREFUSED)`]]);
  });
});
