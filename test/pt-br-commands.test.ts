/**
 * Portuguese for every command besides `probe` (issue 19, and issue 15's "Portuguese covers
 * every command"): verify (text, Markdown, HTML), the fleet table, the exporter's status
 * pages, the demo and the help — each rendered in pt-BR from real loopback results, with
 * no English word left but Exchange's status lines, names and what the server said.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { certSet, closedPort, garbageBanner, noStarttls, startDns, startRaw, startSmtp, type DnsServer, type RawServer, type SmtpFixture } from './fixtures/index.js';
import { englishWordsIn } from './fixtures/english-vocabulary.js';
import { untranslatedTerms } from './fixtures/glossary.js';
import { COMMAND_WORDS } from '../src/catalog/commands.js';
import { REVOCATION_MODES } from '../probes/revocation-modes.js';
import { TLS_MODES } from '../probes/stage.js';
import { OPTION_HELP_PT_BR } from '../src/catalog/option-help.js';
import { OPTIONS } from '../src/core/option-schema.js';
import { probe } from '../src/core/engine.js';
import type { ProbeResult } from '../src/core/result.js';
import { renderFleetTable } from '../src/report/fleet.js';
import { renderVerifyHtml } from '../src/report/verify-html.js';
import { renderVerifyMarkdown, renderVerifyText } from '../src/report/verify-text.js';
import { parseConnectors, planConnector } from '../src/verify/connectors.js';
import { localizeReport } from '../src/verify/localize.js';
import { progressDisplay } from '../src/verify/progress.js';
import { verify, type ConnectorReport, type VerifyProgress, type VerifyReport } from '../src/verify/run.js';
import { keepCommands, startDemoServers } from '../src/loopback/demo.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const NOW = new Date('2026-11-27T08:00:00.000Z');

let dns: DnsServer;
let good: SmtpFixture;
let expired: SmtpFixture;
let plain: RawServer;
let port: number;
let dir: string;

/** A connector export with each outcome: pass, a refused address, an expired certificate, disabled, opportunistic plaintext, a wildcard with no sample. */
const EXPORT = [
  { Name: 'Para o ambiente local', Enabled: true, ConnectorType: 'OnPremises', UseMXRecord: false, SmartHosts: ['mx1.demo.test'], TlsSettings: 'DomainValidation', TlsDomain: '*.demo.test' },
  { Name: 'Parceiro', Enabled: true, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: ['pair.demo.test'], TlsSettings: 'CertificateValidation' },
  { Name: 'Legado', Enabled: true, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: ['legacy.demo.test'], TlsSettings: 'EncryptionOnly', TlsDomain: 'x.demo.test' },
  { Name: 'Antigo', Enabled: false, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: ['gone.demo.test'], TlsSettings: 'CertificateValidation' },
  { Name: 'Oportunista', Enabled: true, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: ['plain.demo.test'], TlsSettings: null },
  { Name: 'Filial', Enabled: true, ConnectorType: 'Partner', UseMXRecord: true, SmartHosts: null, RecipientDomains: ['*.filial.test'], TlsSettings: 'CertificateValidation' },
];

beforeAll(async () => {
  dns = await startDns({
    'mx1.demo.test': { A: ['127.0.0.1'] },
    'pair.demo.test': { A: ['127.0.0.1', '127.0.0.2'] },
    'legacy.demo.test': { A: ['127.0.0.3'] },
    'plain.demo.test': { A: ['127.0.0.4'] },
  });
  // One port for every smart host; 127.0.0.2 has nothing listening (refused).
  good = await startSmtp({ host: '127.0.0.1', size: 50 * 1048576, unknownRecipients: ['nobody@demo.test'] });
  port = good.port;
  expired = await startSmtp({ host: '127.0.0.3', port, tls: certSet().expired });
  plain = await startRaw(noStarttls, { host: '127.0.0.4', port });
  dir = mkdtempSync(join(tmpdir(), 'mfp-ptbr-'));
  writeFileSync(join(dir, 'root.pem'), certSet().root.cert);
});
afterAll(async () => {
  await Promise.all([good?.close(), expired?.close(), plain?.close(), dns?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What a report prints verbatim: the servers' words, the certificates' fields, and the ConnectorType values as Exchange writes them. */
function verbatim(results: readonly ProbeResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    for (const p of r.paths) {
      for (const line of p.transcript) if (line.startsWith('S: ')) out.push(line.slice(3), line.slice(7));
      for (const c of p.certificate?.chain ?? []) out.push(c.subject, c.issuer);
    }
  }
  // ConnectorType values as Exchange writes them (Get-OutboundConnector)
  out.push('OnPremises', 'Partner');
  return out.filter(Boolean).sort((a, b) => b.length - a.length);
}

/** Values one types stay as they are in the help: the TLS and revocation modes, commander's quoted choices, SMTP commands. */
const TYPED = [/"[a-z-]+"/, ...[...TLS_MODES, ...REVOCATION_MODES].map((mode) => new RegExp(`(?<![\\w-])${mode}(?![\\w-])`)), 'MAIL FROM', 'RCPT TO'];

/** Command names in the help's list stay as they are. */
const COMMAND_NAMES = /^ {2}(init|check|watch|config-schema|history|help|explain|demo|verify|serve)\b/m;

/** The visible text of an HTML page: no tags, no style, entities decoded. */
function visible(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', LANG: 'C', LC_ALL: '', LC_MESSAGES: '', ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: (err as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    ),
  );
}

describe('verify in pt-BR', () => {
  let report: VerifyReport;
  let worded: VerifyReport;
  let ignore: string[];
  const events: VerifyProgress[] = [];

  beforeAll(async () => {
    const connectors = parseConnectors(JSON.stringify(EXPORT), 'conectores.json');
    report = await verify(
      connectors.map((c) => planConnector(c)),
      { port, resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 1500, deadlineMs: 8000, now: () => NOW, source: 'conectores.json', onProgress: (e) => events.push(e) },
    );
    worded = localizeReport(report, connectors.map((c) => planConnector(c, [], 'pt-BR')), 'pt-BR');
    ignore = verbatim(report.connectors.flatMap((c) => (c.result ? [c.result] : [])));
  }, 60_000);

  it('keeps the facts and the JSON English; every verdict and the checklist are what the probes saw', () => {
    expect(report.connectors.map((c) => [c.name, c.verdict, c.code])).toEqual([
      ['Para o ambiente local', 'pass', null],
      ['Parceiro', 'fail', '4.4.316'],
      ['Legado', 'warn', null],
      ['Antigo', 'skipped', null],
      ['Oportunista', 'warn', null],
      ['Filial', 'incomplete', null],
    ]);
    // the worded report has the same facts, in Portuguese
    expect(worded.connectors.map((c) => [c.name, c.verdict, c.code, c.checks.map((x) => [x.id, x.status])])).toEqual(
      report.connectors.map((c) => [c.name, c.verdict, c.code, c.checks.map((x) => [x.id, x.status])]),
    );
    expect(report.connectors[0]!.checks.find((c) => c.id === 'certificate')?.detail).toBe('trusted; matches *.demo.test');
    expect(worded.connectors[0]!.checks.find((c) => c.id === 'certificate')).toMatchObject({ title: 'Certificado confiável e correspondente ao TlsDomain', detail: 'confiável; corresponde a *.demo.test' });
    expect(worded.connectors[3]!.plan.reason).toBe('o conector está desabilitado (Enabled: false)');
    expect(worded.connectors[5]!.fixes).toEqual([
      'UseMXRecord com *.filial.test: um curinga não indica nenhum MX a consultar; informe um domínio sob filial.test com --recipient-domain',
    ]);
    // the size check words bytes the Brazilian way
    expect(worded.connectors[2]!.checks.find((c) => c.id === 'size')?.detail).toBe(
      'o servidor aceita no máximo 35 MB (36.700.160 bytes), menos que os 36 MB (37.748.736 bytes) do Exchange Online: mensagens com tamanho entre os dois seriam rejeitadas',
    );
    expect(report.source).toBe('conectores.json');
  });

  it('text: no English word', () => {
    const text = renderVerifyText(worded, { language: 'pt-BR', width: 200 });
    expect(text).toMatch(/^FALHA {2}6 conectores — aprovados: 1, com aviso: 2, com falha: 1, incompletos: 1, ignorados: 1$/m);
    expect(text).toMatch(/^FALHA {6}Parceiro {2}450 4\.4\.316 Connection refused$/m);
    expect(text).toContain('Registre a validação no Exchange Online (comando apenas exibido, não executado):');
    expect(englishWordsIn(text, ignore)).toEqual([]);
    expect(untranslatedTerms(text, { allow: ignore })).toEqual([]);
  });

  it('Markdown: no English word', () => {
    const md = renderVerifyMarkdown(worded, { language: 'pt-BR' });
    expect(md).toMatch(/^# Verificação de conectores: FALHA$/m);
    expect(md).toContain('| Conector | Resultado | Código | Rota |');
    expect(md).toContain('| Parceiro | FALHA | 450 4\\.4\\.316 Connection refused | Partner · hosts inteligentes pair\\.demo\\.test · TLS CertificateValidation |');
    // Markdown escapes remote text with backslashes: compare its words without them
    expect(englishWordsIn(md.replace(/\\(?=[^\sA-Za-z0-9])/g, ''), ignore)).toEqual([]);
    expect(untranslatedTerms(md.replace(/\\(?=[^\sA-Za-z0-9])/g, ''), { allow: ignore })).toEqual([]);
  });

  it('HTML: no English word in the visible text, and the page says its language', () => {
    const html = renderVerifyHtml(worded, { language: 'pt-BR' });
    expect(html).toContain('<html lang="pt-BR">');
    expect(html).toContain('<title>Verificação de conectores: FALHA</title>');
    expect(html).toMatch(/<tr><td>Requerente<\/td><td class="">CN=mx1\.demo\.test/);
    expect(englishWordsIn(visible(html), ignore)).toEqual([]);
    expect(untranslatedTerms(visible(html), { allow: ignore })).toEqual([]);
  });

  it('the progress line on a terminal: no English word', () => {
    const written: string[] = [];
    const progress = progressDisplay({ isTTY: true, columns: 200, write: (t: string) => written.push(t) }, 'pt-BR');
    for (const e of events) progress.onProgress(e);
    progress.end();
    const lines = written.join('').replace(/\u001b\[2K/g, '').split('\r').filter(Boolean);
    expect(lines).toContain('[2/4] verificando Parceiro: pair.demo.test …');
    expect(lines).toContain('[2/4] Parceiro: FALHA');
    expect(englishWordsIn(lines.join('\n'))).toEqual([]);
    expect(untranslatedTerms(lines.join('\n'))).toEqual([]);
  });

  it('the English report is unchanged by the Portuguese one', () => {
    expect(renderVerifyText(report, { width: 200 })).toMatch(/^FAIL {2}6 connectors: 1 pass, 2 warn, 1 fail, 1 incomplete, 1 skipped$/m);
    expect(localizeReport(report, [], 'en')).toBe(report);
  });

  it('probe verify --lang pt-BR prints Portuguese, and --json stays English', async () => {
    const connectors = join(dir, 'conectores.json');
    writeFileSync(connectors, JSON.stringify(EXPORT.slice(0, 1)));
    const common = ['verify', '--connectors', connectors, '--port', String(port), '--resolver', dns.address, '--ca-file', join(dir, 'root.pem'), '--ehlo-name', 'probe.demo.test'];
    const [pt, json] = await Promise.all([run([...common, '--lang', 'pt-BR']), run([...common, '--json'], { LANG: 'pt_BR.UTF-8' })]);
    expect([pt.code, pt.stderr]).toEqual([0, '']);
    expect(pt.stdout).toMatch(/^APROVADO {2}1 conector — aprovados: 1, com aviso: 0, com falha: 0$/m);
    const parsed = JSON.parse(json.stdout) as VerifyReport;
    expect(parsed.connectors[0]!.checks.find((c) => c.id === 'resolves')).toMatchObject({ title: 'Resolves', status: 'pass' });
    const ptIgnore = verbatim(parsed.connectors.flatMap((c) => (c.result ? [c.result] : [])));
    expect(englishWordsIn(pt.stdout, ptIgnore)).toEqual([]);
    expect(untranslatedTerms(pt.stdout, { allow: ptIgnore })).toEqual([]);
  }, 60_000);
});

describe('verify --rcpt-test and --send-test in pt-BR', () => {
  it('the recipient and test-message details are Portuguese; the server replies stay as they are', async () => {
    const [onPrem] = parseConnectors(JSON.stringify(EXPORT.slice(0, 1)), 'conectores.json');
    const options = { port, resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 1500, deadlineMs: 8000, now: () => NOW };
    const accepted = await verify([planConnector(onPrem!)], { ...options, rcptTest: { from: 'probe@contoso.test', to: 'user@demo.test' }, sendTest: { from: 'probe@contoso.test', to: 'user@demo.test' } });
    const refused = await verify([planConnector(onPrem!)], { ...options, rcptTest: { from: '', to: 'nobody@demo.test' } });
    const plansPt = [planConnector(onPrem!, [], 'pt-BR')];
    const worded = [localizeReport(accepted, plansPt, 'pt-BR'), localizeReport(refused, plansPt, 'pt-BR')];
    const [ok, no] = worded.map((r) => r.connectors[0]!) as [ConnectorReport, ConnectorReport];
    const queueId = accepted.connectors[0]!.sendTest?.queueId;
    expect(queueId).toBe(good.messages.at(-1)?.queueId);
    const rcptReply = accepted.connectors[0]!.rcptTest?.[0]?.reply;
    const sendReply = accepted.connectors[0]!.sendTest?.reply;
    expect(rcptReply).toMatch(/^250 /);
    // English stays as it was
    expect(accepted.connectors[0]!.checks.find((c) => c.id === 'recipient')?.detail).toBe(`RCPT TO:<user@demo.test> accepted: ${rcptReply}`);
    expect(accepted.connectors[0]!.checks.find((c) => c.id === 'test-message')?.detail).toBe(`accepted: ${sendReply} (queue id ${queueId})`);
    expect(refused.connectors[0]!.checks.find((c) => c.id === 'recipient')?.detail).toBe('RCPT TO:<nobody@demo.test> was refused: 550 5.1.1 Recipient address rejected: user unknown');
    // Portuguese, the same facts
    expect(ok.checks.find((c) => c.id === 'recipient')).toMatchObject({ status: 'pass', detail: `RCPT TO:<user@demo.test> aceito: ${rcptReply}` });
    expect(ok.checks.find((c) => c.id === 'test-message')).toMatchObject({ status: 'pass', detail: `aceita: ${sendReply} (ID na fila ${queueId})` });
    expect(ok.sendTest?.detail).toBe(`aceita: ${sendReply}`);
    expect(no.checks.find((c) => c.id === 'recipient')).toMatchObject({
      status: 'fail',
      detail: 'RCPT TO:<nobody@demo.test> foi recusado: 550 5.1.1 Recipient address rejected: user unknown',
    });
    const replies = [rcptReply, sendReply, '550 5.1.1 Recipient address rejected: user unknown'].filter((r): r is string => !!r);
    // SMTP commands (the item's title names MAIL FROM / RCPT TO / RSET) stay as they are
    const ignore = [...replies, 'MAIL FROM', 'RCPT TO', ...verbatim([accepted, refused].flatMap((r) => r.connectors.flatMap((c) => (c.result ? [c.result] : []))))].sort((a, b) => b.length - a.length);
    for (const report of worded) {
      const text = renderVerifyText(report, { language: 'pt-BR', width: 200 });
      const md = renderVerifyMarkdown(report, { language: 'pt-BR' }).replace(/\\(?=[^\sA-Za-z0-9])/g, '');
      const html = visible(renderVerifyHtml(report, { language: 'pt-BR' }));
      for (const out of [text, md, html]) {
        expect(englishWordsIn(out, ignore)).toEqual([]);
        expect(untranslatedTerms(out, { allow: ignore })).toEqual([]);
      }
    }
  }, 60_000);
});

describe('fleet table in pt-BR', () => {
  it('has no English word', async () => {
    const refused = await closedPort();
    const web = await startRaw(garbageBanner);
    onTestFinished(() => web.close());
    const results = await Promise.all(
      [
        ['local', 'mx1.demo.test', port],
        ['fechado', 'mx1.demo.test', refused],
        ['sem-tls', 'plain.demo.test', port],
        ['web', 'mx1.demo.test', web.port],
      ].map(async ([name, target, p], index) => ({
        name: name as string,
        index,
        result: await probe(target as string, { port: p as number, resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 1500, tlsMode: 'opportunistic', language: 'pt-BR' }),
      })),
    );
    const table = renderFleetTable(results, { language: 'pt-BR', wallMs: 1234, width: 200 });
    expect(table.split('\n')[0]).toBe('NOME     RESULTADO  CÓDIGO   TEMPO    DETALHE');
    expect(table).toMatch(/^fechado {2}com falha {2}4\.4\.316 {2}.*450 4\.4\.316 Connection refused$/m);
    // a failure Exchange has no code for: its opening is ours, so it is said in Portuguese
    expect(table).toMatch(/^web {6}com falha {2}outro {4}.*outro: .+ \[LastAttemptedServerName=mx1\.demo\.test\]/m);
    expect(table).toMatch(/^Destinos: 4 — íntegros: 2, degradados: 0, com falha: 2 \(1× 4\.4\.316, 1× outro\) em 1\.2 s$/m);
    expect(englishWordsIn(table, verbatim(results.map((r) => r.result)))).toEqual([]);
    expect(untranslatedTerms(table, { allow: verbatim(results.map((r) => r.result)) })).toEqual([]);
  }, 30_000);
});

describe('status page in pt-BR', () => {
  it('serve --lang pt-BR: the status page and a target page have no English word; /metrics is unchanged', async () => {
    const refused = await closedPort();
    const targets = join(dir, 'destinos.txt');
    writeFileSync(targets, `mx1.demo.test name=local port=${port}\n127.0.0.1 name=fechado port=${refused}\nplain.demo.test name=nunca port=${port}\n`);
    const args = ['serve', '--targets', targets, '--listen', '127.0.0.1:0', '--resolver', dns.address, '--ca-file', join(dir, 'root.pem'), '--ehlo-name', 'probe.demo.test', '--lang', 'pt-BR'];
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect.poll(() => stderr, { timeout: 10_000 }).toMatch(/on http:\/\/127\.0\.0\.1:\d+/);
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    const metrics = await (await fetch(`${url}/probe?target=fechado`)).text();
    expect(metrics).toMatch(/^probe_mailflow_code_info\{code="4\.4\.316"[^}]*\} 1$/m);
    await (await fetch(`${url}/probe?target=local`)).text();

    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('<html lang="pt-BR">');
    expect(visible(page)).toContain('Destinos: 3 — íntegros: 1, degradados: 0, com falha: 1, ainda não verificados: 1. Histórico: as verificações deste exportador, em memória.');
    expect(englishWordsIn(visible(page))).toEqual([]);
    expect(untranslatedTerms(visible(page))).toEqual([]);

    const detail = await (await fetch(`${url}/target?name=fechado`)).text();
    expect(detail).toMatch(/<dt>falhou na etapa<\/dt><dd data-field="stage">TCP<\/dd>/);
    expect(englishWordsIn(visible(detail))).toEqual([]);
    expect(untranslatedTerms(visible(detail))).toEqual([]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});

describe('demo in pt-BR', () => {
  it('probe demo --lang pt-BR: the table and the closing hint have no English word', async () => {
    const r = await run(['demo', '--no-color', '--lang', 'pt-BR']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^certificado expirado {2,}com falha {2,}4\.7\.320 {2,}\S/m);
    expect(r.stdout).toContain('Um caso completo (certificado expirado), como o probe o relata:');
    expect(r.stdout).toContain('Todos os casos deram o resultado e o código que o Exchange Online relataria.');
    // the case in full is probe's own text report, in Portuguese too; what the server sent
    // (its reply, its certificates' names) and the TLS mode as the flag spells it stay as they are
    const remote = ['220 Ready to start TLS', /CN=mailflow-probe Test (?:Intermediate|Root), O=mailflow-probe fixtures/, / · TLS certificate-validation$/m];
    expect(englishWordsIn(r.stdout, remote)).toEqual([]);
    expect(untranslatedTerms(r.stdout.replace(remote[1] as RegExp, ' '), { allow: ['220 Ready to start TLS'] })).toEqual([]);
  }, 60_000);

  it('--keep: the commands to try are explained in Portuguese and ask for Portuguese', async () => {
    const servers = await startDemoServers();
    onTestFinished(() => servers.close());
    const lines = keepCommands(servers, dir, 'pt-BR');
    expect(lines).toContain('  # a lista de verificação pré-migração do host inteligente íntegro');
    expect(lines.filter((l) => l.startsWith('  probe ')).every((l) => l.includes(' --lang pt-BR'))).toBe(true);
    // command names stay as they are
    expect(englishWordsIn([COMMAND_WORDS['pt-BR'].demo.keep, ...lines].join('\n'), ['probe verify', 'probe serve'])).toEqual([]);
    expect(untranslatedTerms([COMMAND_WORDS['pt-BR'].demo.keep, ...lines].join('\n'))).toEqual([]);
  }, 30_000);
});

describe('help in pt-BR', () => {
  it.each([
    [['--help', '--lang', 'pt-BR'], {}],
    [['verify', '--help', '--lang=pt-BR'], {}],
    [['explain', '--help'], { LANG: 'pt_BR.UTF-8' }],
    [['serve', '--help'], { LC_ALL: 'pt_BR.UTF-8' }],
    [['demo', '--help', '--lang', 'pt-BR'], {}],
  ] as const)('probe %s has no English word', async (args, env) => {
    const r = await run([...args], env);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^Uso: probe /);
    expect(r.stdout).toMatch(/^Opções:$/m);
    expect(r.stdout).toMatch(/^ {2}-h, --help {2,}exibe a ajuda do comando$/m);
    // Exchange's policy status lines are printed as Exchange writes them (englishWordsIn leaves them out)
    expect(englishWordsIn(r.stdout, [...TYPED, COMMAND_NAMES])).toEqual([]);
    expect(untranslatedTerms(r.stdout)).toEqual([]);
  }, 30_000);

  it('the root help lists every command in Portuguese, and English stays English', async () => {
    const [pt, en] = await Promise.all([run(['--help', '--lang', 'pt-BR']), run(['--help'])]);
    expect(pt.stdout).toMatch(/^ {2}verify \[opções\] \[destinos\.\.\.\] +verificação pré-migração/m);
    expect(pt.stdout).toMatch(/^ {2}help \[comando\] +exibe a ajuda do comando$/m);
    expect(pt.stdout).toMatch(/^Códigos: 4\.4\.312 Falha na consulta DNS, /m);
    expect(en.stdout).toMatch(/^Usage: probe \[options\] \[command\] \[targets\.\.\.\]$/m);
    expect(en.stdout).toMatch(/^Codes: 4\.4\.312 DNS query failed, /m);
  }, 30_000);

  it('a --lang it cannot read is a one-line usage error naming it, exit 3', async () => {
    const r = await run(['--help', '--lang', 'klingon']);
    // --help wins over the bad value, in English
    expect(r.code).toBe(0);
    const bad = await run(['demo', '--lang', 'klingon']);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([3, '', 'probe: invalid language "klingon": must be one of en, pt-BR\n']);
  }, 30_000);
});

describe('the tables have the same keys in both languages', () => {
  const shape = (value: unknown): unknown =>
    value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)])).valueOf() : typeof value;

  it('commands: every key in English and in pt-BR, and no empty string', () => {
    expect(shape(COMMAND_WORDS['pt-BR'])).toEqual(shape(COMMAND_WORDS.en));
    const empty = (value: unknown, path: string): string[] =>
      typeof value === 'string' ? (value.trim() ? [] : [path]) : value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => empty(v, `${path}.${k}`)) : [];
    expect([...empty(COMMAND_WORDS.en, 'en'), ...empty(COMMAND_WORDS['pt-BR'], 'pt-BR')]).toEqual([]);
  });

  it('option help: every option, with the same door-specific and --no- help as the English', () => {
    expect(Object.keys(OPTION_HELP_PT_BR).sort()).toEqual(OPTIONS.map((o) => o.key).sort());
    for (const o of OPTIONS) {
      const pt = OPTION_HELP_PT_BR[o.key as keyof typeof OPTION_HELP_PT_BR] as { help: string; helpIn?: object; negatedHelp?: string };
      expect([o.key, Object.keys(pt.helpIn ?? {}).sort(), pt.negatedHelp !== undefined]).toEqual([o.key, Object.keys(o.helpIn ?? {}).sort(), o.flag?.negatedHelp !== undefined]);
    }
  });
});
