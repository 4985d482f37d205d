/**
 * The scheduled checks in Portuguese (issues 15 and 19): `probe check`, `probe watch`'s
 * log, `probe history` and every kind of alert in every channel (email, Slack, Teams, the
 * generic webhook's title and text), rendered in pt-BR from real probes of loopback
 * servers, carry no English word but Exchange's status lines and the servers' own text.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { scheduledEn, scheduledPtBR } from '../src/catalog/scheduled.js';
import { validateConfig } from '../src/scheduled/config.js';
import { buildHistory, renderHistory } from '../src/scheduled/history-report.js';
import { Monitor, type PassOutcome } from '../src/scheduled/monitor.js';
import { certSet, closedPort, startDns, startSmtp, type DnsServer, type SmtpFixture } from './fixtures/index.js';
import { englishWordsIn } from './fixtures/english-vocabulary.js';
import { untranslatedTerms } from './fixtures/glossary.js';
import { startWebhook } from './fixtures/webhook.js';

const BIN = path.resolve('dist/src/cli/bin.js');
const H = 3_600_000;
const MIN = 60_000;
const T0 = Date.parse('2026-11-27T07:00:00.000Z');
let dns: DnsServer;
let dir: string;

beforeAll(async () => {
  dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] }, 'two.demo.test': { A: ['127.0.0.1', '127.0.0.2'] } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-ptbr-'));
  writeFileSync(path.join(dir, 'root.pem'), certSet().root.cert);
});
afterAll(() => dns.close());

function run(args: string[], opts: { env?: NodeJS.ProcessEnv; until?: RegExp } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', LANG: 'C', LC_ALL: '', LC_MESSAGES: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.until?.test(stdout)) {
        opts.until = undefined;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('the pt-BR table has every key of the English one, and no string left in English', () => {
  const keys = (o: object, prefix = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
  expect(keys(scheduledPtBR)).toEqual(keys(scheduledEn));
  const strings = (o: object): string[] => Object.values(o).flatMap((v) => (typeof v === 'string' ? [v] : strings(v as object)));
  // Placeholders ({target}, {since} …) are names, not words.
  expect(strings(scheduledPtBR).flatMap((s) => englishWordsIn(s.replace(/\{\w+\}/g, ' ')))).toEqual([]);
  expect(strings(scheduledPtBR).flatMap((s) => untranslatedTerms(s))).toEqual([]);
});

describe('probe check and probe history in pt-BR', () => {
  it('check --lang pt-BR: verdicts, the confirmation, the stage, the fix, the countdown, queued alerts and a failed delivery', async () => {
    const smtp = await startSmtp();
    onTestFinished(() => smtp.close());
    const closed = await closedPort();
    const dead = await closedPort();
    const file = path.join(dir, 'check.json');
    writeFileSync(
      file,
      JSON.stringify({
        database: 'check.db',
        confirm: { retries: 1, minDelay: '0s' },
        defaults: { resolvers: [dns.address], caFile: 'root.pem', ehloName: 'probe.demo.test', timeoutMs: 2000 },
        targets: [
          { name: 'saudavel', host: 'mx1.demo.test', port: smtp.port },
          { name: 'par', host: 'two.demo.test', port: smtp.port },
          { name: 'fora', host: 'mx1.demo.test', port: closed },
        ],
        alerts: [{ type: 'webhook', name: 'ops', url: `http://127.0.0.1:${dead}/hook` }],
      }),
    );
    const check = await run(['check', '--config', file, '--lang', 'pt-BR']);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(2);
    expect(check.stdout).toMatch(
      /^saudavel: íntegro\npar: degradado — 450 4\.4\.316 Connection refused\n {2}Etapa com falha: TCP — .+\n {2}Primeiro passo: .+\n {2}Aviso: .+\n {2}Alerta na fila: degradado \(.+\)\nfora: com falha — 450 4\.4\.316 Connection refused \(confirmado em 2 tentativas\)\n {2}Etapa com falha: TCP — .+\n {2}Primeiro passo: .+\n {2}Com falha desde \d\d\/\d\d\/\d{4} \d\d:\d\d UTC \(\d+ s\)\. .+ \(daqui a 24 h; .+\)\.\n {2}Alerta na fila: com falha \(.+\)\nAlertas entregues: 0, com falha: 1\n {2}ops: não foi possível conectar a 127\.0\.0\.1:\d+: conexão recusada \(ECONNREFUSED\) \(uma nova tentativa será feita\)\n/,
    );
    expect(englishWordsIn(check.stdout)).toEqual([]);
    expect(untranslatedTerms(check.stdout)).toEqual([]);

    // history, with the language from the config file's lang key this time
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')) as object, lang: 'pt-BR' }));
    const history = await run(['history', '--config', file, '--since', '1h']);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^fora: com falha desde \d\d\/\d\d\/\d{4} \d\d:\d\d UTC — 450 4\.4\.316 Connection refused\n {2}Com falha desde /m);
    expect(history.stdout).toMatch(/^ {2}Disponibilidade no período \(1 h\): 0,00% \(o histórico cobre \d+ (s|min)( \d+ s)?\); 1 verificação, 1 com falha$/m);
    expect(history.stdout).toMatch(/^ {2}O certificado expira em \d\d\/\d\d\/\d{4} \d\d:\d\d UTC \(daqui a .+\)$/m);
    expect(history.stdout).toMatch(/^ {4}\d\d\/\d\d\/\d{4} \d\d:\d\d UTC {2}primeira verificação → degradado \(4\.4\.316\)$/m);
    expect(englishWordsIn(history.stdout)).toEqual([]);
    expect(untranslatedTerms(history.stdout)).toEqual([]);
    // --lang wins over the file's key
    expect((await run(['history', '--config', file, '--since', '1h', '--lang', 'en'])).stdout).toMatch(/^fora: failing since /m);
  }, 60_000);

  it('watch in pt-BR: the start line, each pass, a failed delivery, the signal and the stop', async () => {
    const closed = await closedPort();
    const dead = await closedPort();
    const file = path.join(dir, 'watch.json');
    writeFileSync(
      file,
      JSON.stringify({
        database: 'watch.db',
        lang: 'pt-BR',
        confirm: { retries: 0 },
        targets: [{ name: 'fora', host: 'mx1.demo.test', port: closed, resolvers: [dns.address], ehloName: 'probe.demo.test', timeoutMs: 2000, schedule: '0 0 1 1 *' }],
        alerts: [{ type: 'webhook', name: 'ops', url: `http://127.0.0.1:${dead}/hook` }],
      }),
    );
    const watch = await run(['watch', '--config', file], { until: /falha na entrega/ });
    expect(watch.code).toBe(0);
    expect(watch.stdout).toMatch(
      /^monitorando 1 destino\(s\); histórico em .+watch\.db\n\d{4}-\d\d-\d\dT[\d:.]+Z fora com falha 4\.4\.316 resultado #1 tentativas 1 NDRs a partir de \S+ alertas com falha:[0-9a-f-]{36}\nfalha na entrega do alerta [0-9a-f-]{36}: ops: não foi possível conectar a 127\.0\.0\.1:\d+: conexão recusada \(ECONNREFUSED\) \(uma nova tentativa será feita\)\nSIGTERM: concluindo as verificações em andamento\nparado\n$/,
    );
    expect(englishWordsIn(watch.stdout)).toEqual([]);
    expect(untranslatedTerms(watch.stdout)).toEqual([]);
  }, 30_000);
});

describe('every alert in pt-BR, delivered through every channel', () => {
  it('failing, escalation, reminder, bouncing, recovered, flapping, settled, degraded and TLS stopped', async () => {
    const hook = await startWebhook();
    onTestFinished(() => hook.close());
    const relay = await startSmtp();
    onTestFinished(() => relay.close());
    const port = await closedPort();
    const opp = await closedPort();
    const cfg = validateConfig(
      {
        database: `alerts-${Math.random().toString(36).slice(2)}.db`,
        lang: 'pt-BR',
        confirm: { retries: 0 },
        defaults: { resolvers: [dns.address], caFile: 'root.pem', ehloName: 'probe.demo.test', timeoutMs: 2000 },
        targets: [
          { name: 'onprem', host: 'mx1.demo.test', port },
          { name: 'par', host: 'two.demo.test', port },
          { name: 'oportunista', host: 'mx1.demo.test', port: opp, tlsMode: 'opportunistic' },
        ],
        alerts: [
          { type: 'webhook', name: 'generico', url: `${hook.url}/generic` },
          { type: 'webhook', name: 'teams', url: `${hook.url}/teams`, format: 'teams' },
          { type: 'webhook', name: 'slack', url: `${hook.url}/slack`, format: 'slack' },
          { type: 'email', name: 'email', host: '127.0.0.1', port: relay.port, from: 'probe@demo.test', to: 'admin@demo.test', caFile: 'root.pem' },
        ],
      },
      path.join(dir, 'alerts.yaml'),
      {},
    );
    let t = T0;
    const monitor = new Monitor(cfg, { now: () => new Date(t) });
    onTestFinished(() => monitor.close());
    const [onprem, pair, opportunistic] = cfg.targets as [typeof cfg.targets[0], typeof cfg.targets[0], typeof cfg.targets[0]];
    const passes: PassOutcome[] = [];
    let server: SmtpFixture | undefined;
    onTestFinished(() => server?.close());
    const at = async (ms: number, target = onprem, up?: boolean): Promise<void> => {
      t = T0 + ms;
      if (up === true && !server) server = await startSmtp({ port });
      if (up === false && server) {
        await server.close();
        server = undefined;
      }
      passes.push((await monitor.check(target))!);
    };
    // A day-long outage: failing, the escalations and a reminder, the bounce, the recovery.
    for (const ms of [0, 4 * H, 8 * H, 12 * H, 23 * H, 24 * H]) await at(ms);
    await at(25 * H, onprem, true);
    // Then it flaps, and settles.
    await at(25 * H + 10 * MIN, onprem, false);
    await at(25 * H + 20 * MIN, onprem, true);
    await at(25 * H + 30 * MIN, onprem, false);
    await at(27 * H, onprem, true);
    await at(28 * H + 5 * MIN, onprem, true);
    // One of two addresses refuses: degraded.
    await at(28 * H + 10 * MIN, pair, true);
    // An opportunistic target that used TLS, then stops offering STARTTLS.
    const tlsServer = await startSmtp({ port: opp });
    await at(28 * H + 20 * MIN, opportunistic);
    await tlsServer.close();
    const plain = await startSmtp({ port: opp, starttls: false });
    onTestFinished(() => plain.close());
    await at(28 * H + 30 * MIN, opportunistic);

    const kinds = passes.flatMap((p) => p.alerts.map((a) => a.event.kind));
    expect(kinds).toEqual(['failing', 'escalation', 'reminder', 'escalation', 'escalation', 'bouncing', 'recovered', 'failing', 'recovered', 'flapping', 'settled', 'degraded', 'tls-stopped']);
    expect(await monitor.deliver()).toEqual({ delivered: kinds.length * 4, failed: [] });

    const byPath = (p: string) => hook.delivered().filter((r) => r.path === `/hook/${p}`).map((r) => r.body);
    const generic = byPath('generic') as { kind: string; title: string; text: string }[];
    const teams = byPath('teams') as { attachments: { content: { body: { text: string }[] } }[] }[];
    const slack = byPath('slack') as { text: string; blocks: { text: { text: string } }[] }[];
    const mails = await Promise.all(relay.messages.map((m) => simpleParser(m.data)));
    expect([generic.length, teams.length, slack.length, mails.length]).toEqual([kinds.length, kinds.length, kinds.length, kinds.length]);
    // Machine fields stay English.
    expect(generic.map((g) => g.kind)).toEqual(kinds);

    expect(generic[0]!.title).toBe(`[mailflow-probe] COM FALHA onprem: 450 4.4.316 Conexão recusada (porta ${port} recusada em 127.0.0.1)`);
    expect(generic[0]!.text).toContain('O Exchange Online informa: 450 4.4.316 Connection refused\nEtapa com falha: TCP — ');
    expect(generic[0]!.text).toMatch(/Com falha desde 27\/11\/2026 07:00 UTC \(0 s\)\. .+ em 28\/11\/2026 07:00 UTC \(daqui a 24 h; .+\)\.\n$/);
    // the reminder says the verdict as the catalog does (COM FALHA), not a second word for it
    expect(generic[2]!.title).toMatch(/^\[mailflow-probe\] AINDA COM FALHA onprem: 450 4\.4\.316 /);
    expect(generic[6]!.title).toBe('[mailflow-probe] RECUPERADO onprem: íntegro');
    expect(generic[6]!.text).toMatch(/^onprem voltou a ficar íntegro em 28\/11\/2026 08:00 UTC, depois de 25 h com falha: /);
    expect(mails[0]!.subject).toBe(generic[0]!.title);

    const texts = [
      ...generic.flatMap((g) => [g.title, g.text]),
      ...teams.flatMap((c) => c.attachments[0]!.content.body.map((b) => b.text.replace(/\\(.)/g, '$1'))),
      ...slack.flatMap((s) => [s.text, ...s.blocks.map((b) => b.text.text)]),
      ...mails.flatMap((m) => [m.subject ?? '', m.text ?? '']),
    ].join('\n');
    expect(englishWordsIn(texts)).toEqual([]);
    expect(untranslatedTerms(texts)).toEqual([]);

    // probe history of the same day, in pt-BR.
    const report = buildHistory(monitor.history, { target: null, since: new Date(T0 - H), now: new Date(t + MIN), queueLifetimeMs: cfg.queueLifetimeMs });
    const history = renderHistory(report, 'pt-BR');
    expect(history).toContain('onprem: íntegro desde 28/11/2026 10:00 UTC');
    expect(history).toContain('    27/11/2026 07:00 UTC  primeira verificação → com falha (4.4.316)\n    28/11/2026 08:00 UTC  com falha → íntegro');
    expect(englishWordsIn(history)).toEqual([]);
    expect(untranslatedTerms(history)).toEqual([]);
  }, 60_000);
});

describe('a language that does not exist is bad input', () => {
  it('--lang xx and lang: xx: one line naming the value, exit 3, nothing probed or written', async () => {
    const smtp = await startSmtp();
    onTestFinished(() => smtp.close());
    const target = { name: 'a', host: 'mx1.demo.test', port: smtp.port, resolvers: [dns.address] };
    const file = path.join(dir, 'badlang.json');
    writeFileSync(file, JSON.stringify({ database: 'badlang.db', targets: [target] }));
    const flag = await run(['check', '--config', file, '--lang', 'klingon']);
    expect([flag.code, flag.stdout, flag.stderr]).toEqual([3, '', 'probe: invalid language "klingon": must be one of en, pt-BR\n']);
    const key = path.join(dir, 'badkey.json');
    writeFileSync(key, JSON.stringify({ database: 'badlang.db', lang: 'pt-PT', targets: [target] }));
    for (const command of [['check', '--config', key], ['watch', '--config', key], ['history', '--config', key]]) {
      const r = await run(command);
      expect([r.code, r.stdout, r.stderr]).toEqual([3, '', `probe: ${key}: lang: invalid language "pt-PT": must be one of en, pt-BR\n`]);
    }
    expect(existsSync(path.join(dir, 'badlang.db'))).toBe(false);
    expect(smtp.connections()).toBe(0);
    expect(smtp.sessions).toEqual([]);
  }, 30_000);
});
