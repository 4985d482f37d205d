/**
 * `probe` and `probe explain` in Portuguese (issue 19): every outcome the loopback fixtures
 * produce, probed for real and rendered with the pt-BR catalog (text report, Nagios
 * output, explain), has no English word left but Exchange's status lines and what the
 * servers said; and every English template of probes/messages.ts has its pt-BR twin with
 * the same placeholders.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { MESSAGES, type ProbeTextId } from '../probes/messages.js';
import { ptBR } from '../src/catalog/pt-br.js';
import { PROBE_TEXT_PT_BR } from '../src/catalog/probe-text.pt-br.js';
import { REPORT_TEXT_EN, REPORT_TEXT_PT_BR } from '../src/catalog/report-text.js';
import { FINDING_TEXT_EN, FINDING_TEXT_PT_BR } from '../src/catalog/finding-text.js';
import { probe } from '../src/core/engine.js';
import type { ProbeOptions } from '../src/core/options.js';
import type { ProbeResult } from '../src/core/result.js';
import { explain } from '../src/explain/explain.js';
import { renderExplain } from '../src/report/explain-text.js';
import { renderNagios } from '../src/report/nagios.js';
import { renderText } from '../src/report/text.js';
import { startDemoServers, type DemoServers } from '../src/loopback/demo.js';
import { englishWordsIn } from './fixtures/english-vocabulary.js';
import { untranslatedTerms } from './fixtures/glossary.js';
import { certSet, closeDuringHandshake, closedPort, loopbackProbeOptions, noStarttls, smtpScript, startDns, startHttps, startInspectingFirewall, startRaw, startSmtp, type DnsServer, type HttpsFixture } from './fixtures/index.js';

const placeholders = (template: string): string[] => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();

describe('the pt-BR templates', () => {
  it('every English template has a pt-BR one with the same placeholders, and no other', () => {
    const ids = Object.keys(MESSAGES) as ProbeTextId[];
    expect(Object.keys(PROBE_TEXT_PT_BR).sort()).toEqual([...ids].sort());
    const differ = ids.filter((id) => placeholders(MESSAGES[id]).join() !== placeholders(PROBE_TEXT_PT_BR[id]).join());
    expect(differ).toEqual([]);
  });

  it('the report words and findings have the same keys and placeholders in both languages', () => {
    for (const [en, pt] of [
      [REPORT_TEXT_EN, REPORT_TEXT_PT_BR],
      [FINDING_TEXT_EN, FINDING_TEXT_PT_BR],
    ] as const) {
      const flat = (o: unknown, path = ''): Array<[string, string]> =>
        typeof o === 'string' ? [[path, o]] : Object.entries(o as object).flatMap(([k, v]) => flat(v, `${path}.${k}`));
      const e = flat(en);
      const p = new Map(flat(pt));
      expect([...p.keys()].sort()).toEqual(e.map(([k]) => k).sort());
      expect(e.filter(([k, v]) => placeholders(v).join() !== placeholders(p.get(k) ?? '').join()).map(([k]) => k)).toEqual([]);
    }
  });
});

/** What the servers said, which stays as they said it: replies, EHLO lines, certificate names. */
function serverText(result: ProbeResult): string[] {
  const out: string[] = [];
  for (const p of result.paths) {
    for (const line of p.transcript) if (line.startsWith('S: ')) out.push(line.slice(3), line.slice(7));
    for (const c of p.certificate?.chain ?? []) out.push(c.subject, c.issuer, ...c.names);
    if (p.failure?.evidence) out.push(p.failure.evidence);
  }
  // longest first, so a line is taken out before a part of it
  return [...new Set(out.filter(Boolean))].sort((a, b) => b.length - a.length);
}

/** The Nagios plugin's own keywords and perfdata stay as the plugin guidelines name them. */
/**
 * Left as they are on purpose: the connector's TLS setting as the flag spells it
 * (`--tls-mode certificate-validation`); commands in backticks (`no inspect esmtp`); text in
 * double quotes, which is a server's or Exchange's own words (the glossary's rule).
 */
const TLS_MODE = /\b(?:opportunistic|encryption-only|certificate-validation|domain-validation)\b|`[^`\n]*`|"[^"\n]*"/;

const NAGIOS_KEYWORDS = [/\b(?:SMTP-CONNECTOR|OK|WARNING|CRITICAL|UNKNOWN)\b/, / \|.*$/m];

/** The plugin's perfdata (after ` | `), whose labels are the stages' ids. */
const withoutPerfdata = (nagios: string): string => nagios.replace(/ \|.*$/gm, '');

describe('probe --lang pt-BR, from loopback results', () => {
  let demo: DemoServers;
  const results = new Map<string, ProbeResult>();

  beforeAll(async () => {
    demo = await startDemoServers();
    await Promise.all(
      demo.cases.map(async (c) => {
        const options: ProbeOptions = { port: c.port, resolvers: [demo.dnsAddress], ca: [demo.rootCert], ehloName: 'probe.demo.test', timeoutMs: 3000, ...c.options, language: 'pt-BR' };
        results.set(c.name, await probe(c.target, options));
      }),
    );
  }, 30_000);
  afterAll(() => demo?.close());

  const CASES: Array<[string, { verdict: string; code: string | null; stage?: string; kind?: string }]> = [
    ['healthy (MX, STARTTLS, trusted chain)', { verdict: 'healthy', code: null }],
    ['one of two addresses refuses', { verdict: 'degraded', code: '4.4.316', stage: 'tcp', kind: 'connect-refused' }],
    ['name does not exist (NXDOMAIN)', { verdict: 'failing', code: '4.4.312', stage: 'dns', kind: 'dns-nxdomain' }],
    ['SYN never answered', { verdict: 'failing', code: '4.4.315', stage: 'tcp', kind: 'connect-timeout' }],
    ['port 25 closed', { verdict: 'failing', code: '4.4.316', stage: 'tcp', kind: 'connect-refused' }],
    ['greeting is 421 4.3.2', { verdict: 'failing', code: '4.4.317', stage: 'banner', kind: 'reply' }],
    ['connection reset after EHLO', { verdict: 'failing', code: '4.4.318', stage: 'ehlo', kind: 'reset' }],
    ['certificate expired', { verdict: 'failing', code: '4.7.320', stage: 'certificate', kind: 'certificate' }],
    ['not an SMTP server', { verdict: 'failing', code: 'other', stage: 'banner', kind: 'protocol' }],
  ];

  it.each(CASES)('%s: the text report and the Nagios output are Portuguese', (name, want) => {
    const result = results.get(name) as ProbeResult;
    const failed = result.paths.find((p) => p.failure);
    expect({ verdict: result.verdict, code: result.code, stage: failed?.failure?.stage, kind: failed?.failure?.kind }).toEqual({
      verdict: want.verdict,
      code: want.code,
      stage: want.stage,
      kind: want.kind,
    });
    const text = renderText(result, { catalog: ptBR, width: 200, transcript: true });
    const ignore = [...serverText(result), TLS_MODE];
    expect(englishWordsIn(text, ignore)).toEqual([]);
    expect(untranslatedTerms(text, { allow: serverText(result) })).toEqual([]);
    const nagios = renderNagios(result, undefined, ptBR).text;
    expect(englishWordsIn(nagios, [...ignore, ...NAGIOS_KEYWORDS])).toEqual([]);
    expect(untranslatedTerms(withoutPerfdata(nagios), { allow: serverText(result) })).toEqual([]);
    if (result.status) expect(text).toContain(`${result.status} — ${ptBR.codes[result.code as keyof typeof ptBR.codes].title}`);
  });

  it('the stage details say the fact in Portuguese, with the data as it was', () => {
    const refused = renderText(results.get('port 25 closed') as ProbeResult, { catalog: ptBR, width: 400 });
    expect(refused).toMatch(/✗ TCP +\d+ ms {2}127\.0\.0\.1 porta \d+: a conexão foi recusada \(TCP reset\)/);
    const expired = renderText(results.get('certificate expired') as ProbeResult, { catalog: ptBR, width: 400 });
    expect(expired).toMatch(/✗ certificado +\d+ ms {2}o certificado expirou em \d\d\/\d\d\/\d{4}/);
    expect(expired).toMatch(/\(expirou há \d+ dias\)/);
    expect(expired).toContain('(âncora de confiança, não enviada)');
    const healthy = renderText(results.get('healthy (MX, STARTTLS, trusted chain)') as ProbeResult, { catalog: ptBR, width: 400 });
    expect(healthy).toMatch(/conectado a 127\.0\.0\.1:\d+ a partir de 127\.0\.0\.1/);
    expect(healthy).toMatch(/CN=mx1\.demo\.test; confiável; expira em \d\d\/\d\d\/\d{4} \(\d+ dias restantes\)/);
  });

  it('the English report is what it was: the texts by id render the same English', () => {
    for (const result of results.values()) {
      for (const p of result.paths) for (const s of p.stages) expect(renderText(result, { width: 400 })).toContain(s.detail);
    }
  });
});

describe('probe --lang pt-BR, the other outcomes', () => {
  let dns: DnsServer;
  beforeAll(async () => {
    dns = await startDns({ 'mx1.demo.test': { A: ['127.0.0.1'] } });
  });
  afterAll(() => dns?.close());

  const run = async (port: number, extra: ProbeOptions = {}): Promise<ProbeResult> =>
    probe('mx1.demo.test', { ...loopbackProbeOptions(dns, port, { timeoutMs: 2000, deadlineMs: 8000 }), language: 'pt-BR', ...extra });

  const portuguese = (result: ProbeResult): void => {
    const text = renderText(result, { catalog: ptBR, width: 200, transcript: true });
    const nagios = renderNagios(result, undefined, ptBR).text;
    expect(englishWordsIn(text, [...serverText(result), TLS_MODE])).toEqual([]);
    expect(untranslatedTerms(text, { allow: serverText(result) })).toEqual([]);
    expect(englishWordsIn(nagios, [...serverText(result), ...NAGIOS_KEYWORDS, TLS_MODE])).toEqual([]);
    expect(untranslatedTerms(withoutPerfdata(nagios), { allow: serverText(result) })).toEqual([]);
  };

  it('no STARTTLS under certificate-validation: 4.4.317 starttls-not-offered', async () => {
    const server = await startRaw(noStarttls);
    onTestFinished(() => server.close());
    const result = await run(server.port);
    expect([result.code, result.paths[0]?.failure?.stage, result.paths[0]?.failure?.kind]).toEqual(['4.4.317', 'starttls', 'starttls-not-offered']);
    portuguese(result);
    expect(renderText(result, { catalog: ptBR, width: 400 })).toContain('o conector exige TLS (certificate-validation), mas o servidor não oferece STARTTLS');
  });

  it('no STARTTLS under opportunistic: healthy, with the note in Portuguese', async () => {
    const server = await startRaw(noStarttls);
    onTestFinished(() => server.close());
    const result = await run(server.port, { tlsMode: 'opportunistic' });
    expect([result.verdict, result.code, result.notes?.length]).toEqual(['healthy', null, 1]);
    portuguese(result);
    expect(renderText(result, { catalog: ptBR, width: 400 })).toMatch(/mx1\.demo\.test em 127\.0\.0\.1 não oferece STARTTLS/);
  });

  it.each([
    ['self-signed', () => certSet().selfSigned, 'self-signed', {}],
    ['a name that does not match TlsDomain', () => certSet().wrongName, 'name-mismatch', { tlsMode: 'domain-validation', tlsDomain: 'mx1.demo.test' }],
  ] as const)('4.7.320 %s', async (_what, leaf, reason, extra) => {
    const server = await startSmtp({ tls: { key: leaf().key, cert: leaf().fullchain } });
    onTestFinished(() => server.close());
    const result = await run(server.port, extra);
    expect([result.code, result.paths[0]?.failure?.stage, result.paths[0]?.failure?.reason]).toEqual(['4.7.320', 'certificate', reason]);
    portuguese(result);
  });

  it('a server that speaks only TLS 1.1: 4.4.317, and the prober\'s own notes in the transcript in Portuguese', async () => {
    const server = await startRaw(smtpScript({ tlsOptions: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }));
    onTestFinished(async () => {
      await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
      await server.close();
    });
    const result = await run(server.port);
    const path = result.paths[0];
    expect([result.code, path?.failure?.stage, path?.failure?.kind, path?.failure?.offeredVersions]).toEqual(['4.4.317', 'tls', 'tls-version', ['TLSv1.1']]);
    // the English transcript is what it was; the note's id is kept beside it
    expect(path?.transcript.at(-1)).toBe('* probed TLS 1.0, TLS 1.1 on new connections: offered TLS 1.1');
    expect(path?.transcriptRefs?.['probed TLS 1.0, TLS 1.1 on new connections: offered TLS 1.1']?.id).toBe('tls.legacy-probed');
    portuguese(result);
    const text = renderText(result, { catalog: ptBR, width: 400, transcript: true });
    expect(text).toContain('      * versões TLS 1.0, TLS 1.1 testadas em novas conexões: o servidor oferece TLS 1.1\n');
    expect(renderText(result, { width: 400, transcript: true })).toContain('      * probed TLS 1.0, TLS 1.1 on new connections: offered TLS 1.1\n');
  });

  it('a certificate that expires within --warn-days: degraded, the warning in Portuguese', async () => {
    const server = await startSmtp({ tls: { key: certSet().valid().key, cert: certSet().valid().fullchain } });
    onTestFinished(() => server.close());
    const result = await run(server.port, { warnDays: 400 });
    expect([result.verdict, result.code, result.warnings.map((w) => w.kind)]).toEqual(['degraded', null, ['certificate-expiring']]);
    portuguese(result);
    expect(renderText(result, { catalog: ptBR, width: 400 })).toMatch(/o certificado CN=mx1\.demo\.test expira em \d\d\/\d\d\/\d{4} \(\d+ dias restantes\): renove-o/);
  });

  it('a TLS upgrade that fails under opportunistic: healthy but degraded, the fallback warning in Portuguese', async () => {
    const server = await startRaw(closeDuringHandshake);
    onTestFinished(() => server.close());
    const result = await run(server.port, { tlsMode: 'opportunistic' });
    expect([result.verdict, result.code, result.warnings.map((w) => w.kind)]).toEqual(['degraded', null, ['tls-fallback']]);
    portuguese(result);
    expect(renderText(result, { catalog: ptBR, width: 400 })).toContain('a ativação do TLS falhou (o servidor fechou a conexão durante o handshake TLS)');
  });

  it('refused from outside Microsoft 365 and restricted to it: unverifiable, in Portuguese', async () => {
    const port = await closedPort();
    const result = await run(port, { restrictedToMicrosoft365: true });
    expect([result.verdict, result.unverifiable, result.paths[0]?.failure?.kind]).toEqual(['healthy', true, 'connect-refused']);
    portuguese(result);
    expect(renderText(result, { catalog: ptBR, width: 400 })).toMatch(/recusou a verificação \(origem: esta máquina; 127\.0\.0\.1 porta \d+: a conexão foi recusada \(TCP reset\)\)/);
  });

  it('an SMTP-inspecting firewall: the finding and how to turn it off, in Portuguese', async () => {
    const smtp = await startSmtp();
    const firewall = await startInspectingFirewall({ host: smtp.host, port: smtp.port }, 'asa');
    onTestFinished(async () => {
      await vi.waitFor(() => expect(firewall.connections()).toBe(0), { timeout: 2000 });
      await firewall.close();
      await smtp.close();
    });
    const result = await run(firewall.port);
    expect([result.code, result.paths[0]?.failure?.kind, result.diagnosis?.findings?.[0]?.kind]).toEqual(['4.4.317', 'starttls-not-offered', 'smtp-inspection']);
    portuguese(result);
    const text = renderText(result, { catalog: ptBR, width: 400 });
    expect(text).toContain('Há um firewall que inspeciona SMTP no caminho');
    expect(text).toMatch(/Como desativar +- Cisco ASA ou Firepower/);
    expect(text).toMatch(/Primeiro passo +Desative a inspeção SMTP do firewall/);
  });

  it('explain of a pasted trace, re-checked live: Portuguese but for the paste and the status line', async () => {
    const port = await closedPort();
    const paste =
      'Reason: [{LED=450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=127.0.0.1:25]};{MSG=};{FQDN=mx1.demo.test};{IP=127.0.0.1};{LRT=3/7/2026 6:46:06 PM}]';
    const result = await explain(paste, { ...loopbackProbeOptions(dns, port, { timeoutMs: 1500, deadlineMs: 8000 }), language: 'pt-BR' });
    expect(result.checks?.map((c) => [c.target, c.outcome, c.result.code])).toEqual([
      ['mx1.demo.test', 'same', '4.4.316'],
      ['127.0.0.1', 'same', '4.4.316'],
    ]);
    const text = renderExplain(result, { catalog: ptBR, width: 200 });
    expect(englishWordsIn(text, ['Socket error code 10061', '3/7/2026 6:46:06 PM', TLS_MODE])).toEqual([]);
    expect(untranslatedTerms(text)).toEqual([]);
    expect(text).toContain(`450 4.4.316 Connection refused — ${ptBR.codes['4.4.316'].title}`);
  });

  it('explain of a pasted code with no detail, offline: what happened is said in Portuguese', async () => {
    const paste = 'Reason: [{LED=450 4.4.318 Connection was closed abruptly [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=127.0.0.1:25]};{MSG=};{FQDN=mx1.demo.test};{IP=127.0.0.1};{LRT=3/7/2026 6:46:06 PM}]';
    const result = await explain(paste, { offline: true, language: 'pt-BR' });
    expect([result.parsed.code, result.diagnosis.kind, result.diagnosis.summaryId]).toEqual(['4.4.318', result.parsed.failure.kind, 'explain.reported-as']);
    const text = renderExplain(result, { catalog: ptBR, width: 200 });
    expect(text).toMatch(/O que aconteceu +informado como 4\.4\.318/);
    expect(englishWordsIn(text, ['3/7/2026 6:46:06 PM', TLS_MODE])).toEqual([]);
    expect(untranslatedTerms(text)).toEqual([]);
  });
});

describe('the recipient\'s DANE and MTA-STS in pt-BR', () => {
  let dns: DnsServer;
  let web: HttpsFixture;
  const POLICY = ['version: STSv1', 'mode: enforce', 'mx: mx1.demo.test', 'max_age: 86400', ''].join('\r\n');
  beforeAll(async () => {
    const { wrongName } = certSet();
    dns = await startDns({
      // DANE: the TLSA record is the hash of another certificate (4.7.323), DNSSEC-validated
      'dane-bad.demo.test': { MX: [{ preference: 10, exchange: 'mxb.demo.test' }], ad: true },
      'mxb.demo.test': { A: ['127.0.0.1'], ad: true },
      '_25._tcp.mxb.demo.test': { TLSA: [{ usage: 3, selector: 0, matchingType: 1, certificate: createHash('sha256').update(new X509Certificate(wrongName.cert).raw).digest() }], ad: true },
      // MTA-STS enforce naming only mx1, a second MX outside it; TLS-RPT without rua=
      'sts.demo.test': { MX: [{ preference: 10, exchange: 'mx1.demo.test' }, { preference: 20, exchange: 'mx2.demo.test' }] },
      'mx1.demo.test': { A: ['127.0.0.1'] },
      'mx2.demo.test': { A: ['127.0.0.1'] },
      '_mta-sts.sts.demo.test': { TXT: ['v=STSv1; id=20260301T000000'] },
      'mta-sts.sts.demo.test': { A: ['127.0.0.1'] },
      '_smtp._tls.sts.demo.test': { TXT: ['v=TLSRPTv1;'] },
    });
    web = await startHttps({ tls: certSet().valid(['mta-sts.sts.demo.test']) });
    web.route('mta-sts.sts.demo.test', '/.well-known/mta-sts.txt', { body: POLICY });
  });
  afterAll(async () => {
    await Promise.all([dns?.close(), web?.close()]);
  });

  const run = async (target: string): Promise<ProbeResult> => {
    const server = await startSmtp({ tls: certSet().wildcard });
    onTestFinished(async () => {
      await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
      await server.close();
    });
    return probe(target, { ...loopbackProbeOptions(dns, server.port, { timeoutMs: 1500, deadlineMs: 10_000 }), policies: true, mtaStsPort: web.port, language: 'pt-BR' });
  };

  it('DANE: a TLSA record that matches nothing: 4.7.323, the problem in Portuguese in the policies section, the diagnosis and Nagios', async () => {
    const result = await run('dane-bad.demo.test');
    expect({ verdict: result.verdict, code: result.code, refusal: result.paths[0]?.policyRefusal?.policy }).toEqual({ verdict: 'failing', code: '4.7.323', refusal: 'DANE' });
    const english = 'no TLSA record matches the certificate the server presents (1 usable record at _25._tcp.mxb.demo.test)';
    const portuguese = 'nenhum registro TLSA corresponde ao certificado que o servidor apresenta (1 registro utilizável em _25._tcp.mxb.demo.test)';
    expect(result.policies?.[0]?.dane.paths[0]?.problem).toBe(english);
    expect(renderText(result, { width: 200 })).toContain(`        ${english}\n`);
    const text = renderText(result, { catalog: ptBR, width: 200 });
    expect(text).toContain(`        ${portuguese}\n`);
    expect(text).toContain(portuguese);
    const nagios = renderNagios(result, undefined, ptBR).text;
    expect(nagios).toContain(portuguese);
    expect(englishWordsIn(text, [...serverText(result), TLS_MODE])).toEqual([]);
    expect(untranslatedTerms(text, { allow: serverText(result) })).toEqual([]);
    expect(englishWordsIn(nagios, [...serverText(result), ...NAGIOS_KEYWORDS, TLS_MODE])).toEqual([]);
  });

  it('explain of a pasted DANE deferral, re-checked against the TLSA records: the DANE lines in Portuguese', async () => {
    const server = await startSmtp({ tls: certSet().wildcard });
    onTestFinished(async () => {
      await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
      await server.close();
    });
    const paste =
      'Reason: [{LED=450 4.7.323 tlsa-invalid: The domain failed DANE validation [Message=] [LastAttemptedServerName=mxb.demo.test] [LastAttemptedIP=127.0.0.1:25]};{MSG=};{FQDN=mxb.demo.test};{IP=127.0.0.1};{LRT=3/7/2026 6:46:06 PM}]';
    const result = await explain(paste, { ...loopbackProbeOptions(dns, server.port, { timeoutMs: 1500, deadlineMs: 10_000 }), language: 'pt-BR' });
    expect(result.checks?.map((c) => [c.target, c.outcome, c.dane?.map((d) => [d.host, d.ip, d.satisfied, d.code])])).toEqual([
      ['mxb.demo.test', 'same', [['mxb.demo.test', '127.0.0.1', false, '4.7.323']]],
      ['127.0.0.1', 'same', [['mxb.demo.test', '127.0.0.1', false, '4.7.323']]],
    ]);
    const english = 'no TLSA record matches the certificate the server presents (1 usable record at _25._tcp.mxb.demo.test)';
    expect(result.checks?.[0]?.dane?.[0]?.problem).toBe(english);
    expect(renderExplain(result, { width: 200, details: false })).toContain(`: 450 4.7.323 — ${english}\n`);
    const text = renderExplain(result, { catalog: ptBR, width: 200 });
    const line = `    ${ptBR.headings.policies.dane} 127.0.0.1: 450 4.7.323 — nenhum registro TLSA corresponde ao certificado que o servidor apresenta (1 registro utilizável em _25._tcp.mxb.demo.test)\n`;
    expect(text.split(line).length - 1).toBe(2);
    expect(text).toMatch(/O que aconteceu +informado como 4\.7\.323\n/);
    const pasted = ['The domain failed DANE validation', '3/7/2026 6:46:06 PM'];
    const remote = result.checks?.flatMap((c) => serverText(c.result)) ?? [];
    expect(englishWordsIn(text, [...pasted, ...remote, TLS_MODE])).toEqual([]);
    expect(untranslatedTerms(text, { allow: [...pasted, ...remote] })).toEqual([]);
  });

  it('MTA-STS: an MX outside the policy is refused, and TLS-RPT without rua= is flagged, in Portuguese', async () => {
    const result = await run('sts.demo.test');
    expect(result.paths.map((p) => [p.host, p.verdict, p.code, p.policyRefusal?.policy ?? null])).toEqual([
      ['mx1.demo.test', 'healthy', null, null],
      ['mx2.demo.test', 'failing', 'other', 'MTA-STS'],
    ]);
    const p = result.policies?.[0];
    expect([p?.mtaSts.paths[1]?.problem, p?.tlsRpt.problem]).toEqual(["mx2.demo.test matches none of the policy's mx patterns (mx1.demo.test)", 'the record has no rua= (where to send reports)']);
    const text = renderText(result, { catalog: ptBR, width: 200 });
    expect(text).toContain('        mx2.demo.test não corresponde a nenhum dos padrões mx da política (mx1.demo.test)\n');
    expect(text).toContain('o registro não tem rua= (para onde enviar os relatórios)');
    expect(englishWordsIn(text, [...serverText(result), TLS_MODE])).toEqual([]);
    expect(untranslatedTerms(text, { allow: serverText(result) })).toEqual([]);
    const nagios = renderNagios(result, undefined, ptBR).text;
    expect(englishWordsIn(nagios, [...serverText(result), ...NAGIOS_KEYWORDS, TLS_MODE])).toEqual([]);
  });
});
