/**
 * The monitor end to end with an injected clock: real probes against loopback servers,
 * a real SQLite history, alerts delivered to a real loopback webhook receiver and a real
 * loopback SMTP relay. Thirty simulated hours take a few seconds.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { validateConfig, type MonitorConfig } from '../src/scheduled/config.js';
import { probe as realProbe } from '../src/core/engine.js';
import { History } from '../src/scheduled/history.js';
import { buildHistory, renderHistory } from '../src/scheduled/history-report.js';
import { Monitor } from '../src/scheduled/monitor.js';
import { certSet, closedPort, serverTls, startDns, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { startWebhook, type WebhookFixture } from './fixtures/webhook.js';

const H = 3_600_000;
const MIN = 60_000;
const T0 = Date.parse('2026-11-27T07:00:00.000Z');
let dns: DnsServer;
let dir: string;

beforeAll(async () => {
  dns = await startDns({ 'relay.demo.test': { A: ['127.0.0.1'] }, 'mx1.demo.test': { A: ['127.0.0.1'] } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-monitor-'));
  writeFileSync(path.join(dir, 'root.pem'), certSet().root.cert);
});
afterAll(() => dns.close());

async function webhook(): Promise<WebhookFixture> {
  const hook = await startWebhook();
  onTestFinished(() => hook.close());
  return hook;
}

function config(port: number, extra: Record<string, unknown> = {}, name = 'sim'): MonitorConfig {
  return validateConfig(
    {
      database: `${name}-${Math.random().toString(36).slice(2)}.db`,
      confirm: { retries: 1, minDelay: '0s', maxDelay: '0s' },
      delivery: { minDelay: '1m', maxDelay: '10m' },
      targets: [{ name: 'onprem', host: 'mx1.demo.test', port, resolvers: [dns.address], caFile: 'root.pem', ehloName: 'probe.demo.test', timeoutMs: 2000 }],
      ...extra,
    },
    path.join(dir, `${name}.yaml`),
    {},
  );
}

/** A clock the test moves. */
function clock(start = T0): { now: () => Date; set(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), set: (ms) => (t = T0 + ms) };
}

type Kind = { kind: string; atMin: number };
const delivered = (hook: WebhookFixture): Kind[] =>
  hook.delivered().map((r) => {
    const body = r.body as { kind: string; at: string };
    return { kind: body.kind, atMin: (Date.parse(body.at) - T0) / MIN };
  });

describe('30 simulated hours of a refused connection', () => {
  it('alerts failing, escalates at 20 h, 12 h and 1 h before the bounce, announces the bounce, reminds, then recovers once', async () => {
    const port = await closedPort();
    const hook = await webhook();
    const cfg = config(port, { alerts: [{ type: 'webhook', url: hook.url }] });
    const time = clock();
    const monitor = new Monitor(cfg, { now: time.now });
    onTestFinished(() => monitor.close());
    let server: SmtpFixture | undefined;
    onTestFinished(() => server?.close());

    const passes = [];
    for (let t = 0; t <= 31 * H; t += 10 * MIN) {
      time.set(t);
      if (t === 30 * H) server = await startSmtp({ port });
      const pass = await monitor.check(cfg.targets[0]!);
      expect(pass).not.toBeNull();
      passes.push(pass!);
      await monitor.deliver();
    }

    expect(delivered(hook)).toEqual([
      { kind: 'failing', atMin: 0 },
      { kind: 'escalation', atMin: 4 * 60 },
      { kind: 'reminder', atMin: 8 * 60 },
      { kind: 'escalation', atMin: 12 * 60 },
      { kind: 'reminder', atMin: 16 * 60 },
      { kind: 'reminder', atMin: 20 * 60 },
      { kind: 'escalation', atMin: 23 * 60 },
      { kind: 'bouncing', atMin: 24 * 60 },
      { kind: 'reminder', atMin: 28 * 60 },
      { kind: 'recovered', atMin: 30 * 60 },
    ]);
    // Every failure was confirmed by a second attempt; the healthy passes took one.
    expect(passes.filter((p) => p.result.verdict === 'failing').every((p) => p.attempts === 2)).toBe(true);
    expect(passes.filter((p) => p.result.verdict === 'healthy').map((p) => p.attempts)).toEqual(Array(7).fill(1));

    const first = hook.delivered()[0]!;
    expect(first.headers['idempotency-key']).toBe((first.body as { id: string }).id);
    expect(first.body).toMatchObject({
      kind: 'failing',
      target: 'onprem',
      state: 'failing',
      code: '4.4.316',
      status: '450 4.4.316 Connection refused',
      stage: 'tcp',
      failingSince: '2026-11-27T07:00:00.000Z',
      bounceAt: '2026-11-28T07:00:00.000Z',
      msUntilBounce: 24 * H,
    });
    expect((first.body as { firstFix: string }).firstFix).toMatch(/\S/);
    expect((first.body as { text: string }).text).toContain('starts bouncing at 2026-11-28 07:00 UTC (in 24 h; queue lifetime 24 h)');
    const recovered = hook.delivered().at(-1)!.body as { outageMs: number; text: string };
    expect(recovered.outageMs).toBe(30 * H);
    expect(recovered.text).toContain('after 30 h of failure');

    // The history has every pass, the timeline and the state.
    const history = History.open(cfg.database, { readonly: true });
    onTestFinished(() => history.close());
    expect(history.results('onprem', new Date(0)).length).toBe(passes.length);
    expect(history.transitions('onprem', new Date(0)).map((t) => [t.at, t.from, t.to, t.code])).toEqual([
      ['2026-11-27T07:00:00.000Z', null, 'failing', '4.4.316'],
      ['2026-11-28T13:00:00.000Z', 'failing', 'healthy', null],
    ]);
    expect(history.outbox().every((o) => o.deliveredAt !== null && o.attempts === 1)).toBe(true);
    const latest = history.latestResult('onprem')!;
    expect(latest.stages[0]!.stages.map((s) => s.name)).toEqual(['dns', 'tcp', 'banner', 'ehlo', 'starttls', 'tls', 'certificate', 'ehlo-tls', 'quit'].filter((n) => latest.stages[0]!.stages.some((s) => s.name === n)));
    expect(latest.certExpires).toBe(new Date(new X509Certificate(certSet().valid().cert).validTo).toISOString());

    // probe history over the last 7 days at T0+31h: 30 of 31 hours failing.
    const report = buildHistory(history, { target: 'onprem', since: new Date(T0 + 31 * H - 7 * 24 * H), now: new Date(T0 + 31 * H), queueLifetimeMs: 24 * H });
    const t = report.targets[0]!;
    expect(t).toMatchObject({ state: 'healthy', stateSince: '2026-11-28T13:00:00.000Z', failingSince: null, countdown: null, knownMs: 31 * H, failingMs: 30 * H });
    expect(t.uptime).toBeCloseTo(1 / 31, 6);
    expect(t.alerts.map((a) => a.kind)).toEqual(delivered(hook).map((k) => k.kind));
    expect(renderHistory(report)).toContain('Uptime over the last 7 d: 3.23% (history covers 31 h); 187 checks, 180 failing');
  });

  it('a transient failure confirmed healthy on the retry alerts nobody', async () => {
    const port = await closedPort();
    const hook = await webhook();
    const cfg = config(port, { alerts: [{ type: 'webhook', url: hook.url }] });
    let server: SmtpFixture | undefined;
    onTestFinished(() => server?.close());
    // The world changes between the attempts: the first probe finds the port closed.
    const monitor = new Monitor(cfg, {
      probe: async (targets, options) => {
        const result = await realProbe(targets, options);
        server ??= await startSmtp({ port });
        return result;
      },
    });
    onTestFinished(() => monitor.close());
    const pass = (await monitor.check(cfg.targets[0]!))!;
    await monitor.deliver();
    expect(pass.attempts).toBe(2);
    expect(pass.result.verdict).toBe('healthy');
    expect(pass.alerts).toEqual([]);
    expect(hook.requests).toEqual([]);
  });

  it('a flapping server is reported once, then once more when it settles', async () => {
    const port = await closedPort();
    const hook = await webhook();
    const cfg = config(port, { alerts: [{ type: 'webhook', url: hook.url }], confirm: { retries: 0 } });
    const time = clock();
    const monitor = new Monitor(cfg, { now: time.now });
    onTestFinished(() => monitor.close());
    let server: SmtpFixture | undefined;
    onTestFinished(() => server?.close());
    for (let i = 0; i < 40; i++) {
      time.set(i * 5 * MIN);
      // up on even passes for the first two hours, then up for good
      const up = i >= 24 || i % 2 === 0;
      if (up && !server) server = await startSmtp({ port });
      if (!up && server) {
        await server.close();
        server = undefined;
      }
      await monitor.check(cfg.targets[0]!);
      await monitor.deliver();
    }
    expect(delivered(hook)).toEqual([
      { kind: 'failing', atMin: 5 },
      { kind: 'recovered', atMin: 10 },
      { kind: 'failing', atMin: 15 },
      { kind: 'flapping', atMin: 20 },
      { kind: 'settled', atMin: 180 },
    ]);
  });
});

describe('delivery', () => {
  it('a webhook that fails is retried with doubling backoff until it takes the alert, once', async () => {
    const port = await closedPort();
    const hook = await webhook();
    hook.setStatus(503);
    const cfg = config(port, { alerts: [{ type: 'webhook', url: hook.url, format: 'slack' }] });
    const time = clock();
    const monitor = new Monitor(cfg, { now: time.now });
    onTestFinished(() => monitor.close());
    await monitor.check(cfg.targets[0]!);
    const attempts: number[] = [];
    for (let t = 0; t <= 20 * MIN; t += MIN) {
      time.set(t);
      if (t === 12 * MIN) hook.setStatus(200);
      const before = hook.requests.length;
      const d = await monitor.deliver();
      if (hook.requests.length > before) attempts.push(t / MIN);
      if (d.failed.length) expect(d.failed[0]!.error).toBe('webhook-1: the webhook answered HTTP 503 Service Unavailable: no');
    }
    // minDelay 1 min doubling: tried at 0, 1, 3, 7, then 15 (after the fix at 12), never again.
    expect(attempts).toEqual([0, 1, 3, 7, 15]);
    expect(hook.delivered().length).toBe(1);
    const body = hook.delivered()[0]!.body as { text: string; blocks: unknown[] };
    expect(body.text).toBe(`[mailflow-probe] FAILING onprem: 450 4.4.316 Connection refused (port ${port} refused on 127.0.0.1)`);
    expect(body.blocks).toHaveLength(2);
  });

  it('Teams and Slack channels get their own shapes, the generic one every field', async () => {
    const port = await closedPort();
    const hook = await webhook();
    const cfg = config(port, {
      confirm: { retries: 0 },
      alerts: [
        { type: 'webhook', name: 'generic', url: `${hook.url}/generic` },
        { type: 'webhook', name: 'teams', url: `${hook.url}/teams`, format: 'teams' },
        { type: 'webhook', name: 'slack', url: `${hook.url}/slack`, format: 'slack' },
      ],
    });
    const monitor = new Monitor(cfg, { now: clock().now });
    onTestFinished(() => monitor.close());
    const pass = (await monitor.check(cfg.targets[0]!))!;
    expect(await monitor.deliver()).toEqual({ delivered: 3, failed: [] });
    const byPath = Object.fromEntries(hook.delivered().map((r) => [r.path, r]));
    expect(Object.keys(byPath).sort()).toEqual(['/hook/generic', '/hook/slack', '/hook/teams']);
    for (const r of hook.delivered()) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['idempotency-key']).toBe(pass.alerts[0]!.id);
    }
    const card = (byPath['/hook/teams']!.body as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { text: string }[] } }[] });
    expect(card.type).toBe('message');
    expect(card.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const lines = card.attachments[0]!.content.body.map((b) => b.text);
    expect(lines[0]).toBe(`[mailflow-probe] FAILING onprem: 450 4.4.316 Connection refused (port ${port} refused on 127.0.0.1)`);
    expect(lines).toContain('Exchange Online reports: 450 4.4.316 Connection refused');
    expect(lines.some((l) => l.startsWith('Fix first: '))).toBe(true);
    expect(lines.at(-1)).toContain('starts bouncing at 2026-11-28 07:00 UTC (in 24 h; queue lifetime 24 h)');
    const slack = byPath['/hook/slack']!.body as { text: string; blocks: { type: string; text: { text: string } }[] };
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section']);
    expect(slack.blocks[1]!.text.text).toContain('Failing stage: tcp');
    expect(byPath['/hook/generic']!.body).toMatchObject({ schema: 'mailflow-probe/alert@1', id: pass.alerts[0]!.id, kind: 'failing', code: '4.4.316', stage: 'tcp' });
  });

  it('two processes on one database never send the same alert twice; a dead owner\'s claim is taken over', async () => {
    const port = await closedPort();
    const hook = await webhook();
    const cfg = config(port, { confirm: { retries: 0 }, alerts: [{ type: 'webhook', url: hook.url }] });
    const a = new Monitor(cfg, { now: clock().now });
    const b = new Monitor(cfg, { now: clock().now });
    onTestFinished(() => (a.close(), b.close()));
    await a.check(cfg.targets[0]!);
    const [da, db] = await Promise.all([a.deliver(), b.deliver()]);
    expect(da.delivered + db.delivered).toBe(1);
    expect(hook.delivered()).toHaveLength(1);

    // A claim by a live process elsewhere (our parent) is respected until it expires;
    // one by a process that no longer exists is taken over at once.
    await a.check(cfg.targets[0]!); // still failing: no alert
    const c = new Monitor({ ...cfg, reminderEveryMs: 1 }, { now: () => new Date(T0 + 60_000) });
    onTestFinished(() => c.close());
    const reminder = (await c.check(cfg.targets[0]!))!;
    expect(reminder.alerts.map((x) => x.event.kind)).toEqual(['reminder']);
    const row = c.history.outbox().at(-1)!;
    const host = os.hostname();
    const future = new Date(T0 + 3_600_000);
    expect(c.history.claim(row.id, `${host}:${process.ppid}:other`, new Date(T0), future)).toBe(true);
    expect(await c.deliver()).toEqual({ delivered: 0, failed: [] });
    c.history.db.prepare('UPDATE outbox SET claimed_by = ? WHERE id = ?').run(`${host}:2147483646:dead`, row.id);
    expect(await c.deliver()).toEqual({ delivered: 1, failed: [] });
    expect(hook.delivered().map((r) => (r.body as { kind: string }).kind)).toEqual(['failing', 'reminder']);
  });

  it('email goes through a loopback relay with STARTTLS and AUTH, the password from the environment', async () => {
    const port = await closedPort();
    const received: { raw: string; user: string | undefined; secure: boolean }[] = [];
    const logins: { user: string; pass: string }[] = [];
    const relay = new SMTPServer({
      ...serverTls(certSet().valid()),
      name: 'relay.demo.test',
      logger: false,
      disableReverseLookup: true,
      authMethods: ['PLAIN', 'LOGIN'],
      closeTimeout: 100,
      onAuth(auth, _session, callback) {
        logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
        if (auth.password === 's3cret-from-env') callback(null, { user: auth.username });
        else callback(new Error('bad password'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ raw: Buffer.concat(chunks).toString('utf8'), user: session.user as string | undefined, secure: session.secure });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => relay.close(resolve)));
    const relayPort = (relay.server.address() as { port: number }).port;
    const cfg = validateConfig(
      {
        database: `mail-${Math.random().toString(36).slice(2)}.db`,
        confirm: { retries: 0 },
        targets: [{ name: 'onprem', host: 'mx1.demo.test', port, resolvers: [dns.address] }],
        alerts: [
          { type: 'email', name: 'admins', host: '127.0.0.1', port: relayPort, from: 'probe@demo.test', to: ['admin@demo.test'], user: 'probe', passwordEnv: 'RELAY_PW', caFile: 'root.pem' },
        ],
      },
      path.join(dir, 'mail.yaml'),
      { RELAY_PW: 's3cret-from-env' },
    );
    const time = clock();
    const monitor = new Monitor(cfg, { now: time.now, env: { RELAY_PW: 's3cret-from-env' } });
    onTestFinished(() => monitor.close());
    const pass = (await monitor.check(cfg.targets[0]!))!;
    const d = await monitor.deliver();
    expect(d).toEqual({ delivered: 1, failed: [] });
    expect(logins).toEqual([{ user: 'probe', pass: 's3cret-from-env' }]);
    expect(received).toHaveLength(1);
    expect(received[0]!.secure).toBe(true);
    const mail = await simpleParser(received[0]!.raw);
    expect(mail.subject).toBe(`[mailflow-probe] FAILING onprem: 450 4.4.316 Connection refused (port ${port} refused on 127.0.0.1)`);
    expect(mail.messageId).toBe(`<${pass.alerts[0]!.id}@mailflow-probe>`);
    expect(mail.headers.get('x-mailflow-probe-kind')).toBe('failing');
    expect(mail.text).toContain('Exchange Online reports: 450 4.4.316 Connection refused');
    expect(mail.text).toContain('Failing stage: tcp');
    expect(mail.text).toContain('Fix first: ');
    expect(mail.text).toContain('starts bouncing at 2026-11-28 07:00 UTC (in 24 h; queue lifetime 24 h)');
  });

  it('a relay without STARTTLS gets nothing: the alert waits in the outbox', async () => {
    const port = await closedPort();
    const relay = await startSmtp({ starttls: false });
    onTestFinished(() => relay.close());
    const cfg = validateConfig(
      {
        database: `plain-${Math.random().toString(36).slice(2)}.db`,
        confirm: { retries: 0 },
        targets: [{ name: 'onprem', host: 'mx1.demo.test', port, resolvers: [dns.address] }],
        alerts: [{ type: 'email', host: '127.0.0.1', port: relay.port, from: 'probe@demo.test', to: 'admin@demo.test' }],
      },
      path.join(dir, 'plain.yaml'),
      {},
    );
    const monitor = new Monitor(cfg);
    onTestFinished(() => monitor.close());
    await monitor.check(cfg.targets[0]!);
    const d = await monitor.deliver();
    expect(d.delivered).toBe(0);
    expect(d.failed).toHaveLength(1);
    expect(d.failed[0]!.error).toMatch(/STARTTLS/i);
    expect(relay.messages).toEqual([]);
    expect(monitor.history.outbox()[0]).toMatchObject({ deliveredAt: null, attempts: 1 });
  });
});
