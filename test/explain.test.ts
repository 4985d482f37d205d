/**
 * `probe explain`: a table of realistic pastes (every code, the short and long trace
 * forms, the bounce, truncated, wrapped and redacted), refusals of text it cannot read,
 * and the live re-check against loopback servers that still fail, fail differently, or
 * have recovered.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { certSet, closedPort, loopbackProbeOptions, noStarttls, startDns, startRaw, startSmtp, type DnsServer } from './fixtures/index.js';
import { ptBR } from '../src/catalog/pt-br.js';
import { explain, parseReport, type ExplainOptions } from '../src/explain/explain.js';
import { UsageError } from '../src/core/options.js';
import { renderExplain } from '../src/report/explain-text.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'bin.js');

/** The real shapes from EXCHANGE.md, with our own names and addresses. */
const TRACE_317 =
  'Reason: [{LED=450 4.4.317 Cannot connect to remote server [Message=451 5.7.3 STARTTLS is required to send mail] [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=203.0.113.25:25] [SmtpSecurity=-2;-2] [XX1PR01MB0001.prod.protection.outlook.com 2026-03-07T18:46:06.378Z 08DB1DF24DB12D84]};{MSG=};{FQDN=mail.contoso.com};{IP=203.0.113.25};{LRT=3/7/2026 6:46:06 PM}]. OutboundProxyTargetIP: 203.0.113.25. OutboundProxyTargetHostName: mail.contoso.com';

const trace = (led: string, host: string, ip: string): string =>
  `Reason: [{LED=${led} [LastAttemptedServerName=${host}] [LastAttemptedIP=${ip}:25] [SmtpSecurity=-2;-2] [XX1PR01MB0001.prod.protection.outlook.com 2026-03-07T18:46:06.378Z 08DB1DF24DB12D84]};{MSG=};{FQDN=${host}};{IP=${ip}};{LRT=3/7/2026 6:46:06 PM}]. OutboundProxyTargetIP: ${ip}. OutboundProxyTargetHostName: ${host}`;

describe('reading pastes', () => {
  it.each([
    {
      name: '4.4.312 trace (ErrorRetry)',
      text: trace('450 4.4.312 DNS query failed [Message=ErrorRetry]', 'mail.contoso.com', '203.0.113.25'),
      want: { form: 'trace', code: '4.4.312', detail: 'ErrorRetry', server: 'mail.contoso.com', ip: '203.0.113.25', port: 25 },
      kind: 'dns-error',
    },
    {
      name: '4.4.315 trace (Socket error 10060)',
      text: trace('450 4.4.315 Connection timed out [Message=Socket error code 10060]', 'mail.contoso.com', '203.0.113.25'),
      want: { code: '4.4.315', detail: 'Socket error code 10060' },
      kind: 'connect-timeout',
    },
    {
      name: '4.4.316 trace (Socket error 10061)',
      text: trace('450 4.4.316 Connection refused [Message=Socket error code 10061]', 'mail.contoso.com', '203.0.113.25'),
      want: { code: '4.4.316', status: '450 4.4.316 Connection refused' },
      kind: 'connect-refused',
    },
    {
      name: '4.4.317 trace (the server requires STARTTLS)',
      text: TRACE_317,
      want: {
        form: 'trace',
        code: '4.4.317',
        status: '450 4.4.317 Cannot connect to remote server',
        detail: '451 5.7.3 STARTTLS is required to send mail',
        server: 'mail.contoso.com',
        ip: '203.0.113.25',
        port: 25,
        smtpSecurity: '-2;-2',
        lastAttempt: '3/7/2026 6:46:06 PM',
        proxyTargetIp: '203.0.113.25',
        proxyTargetHost: 'mail.contoso.com',
        expired: false,
        truncated: false,
        redacted: [],
      },
      kind: 'reply',
    },
    {
      name: '4.4.317 TLS negotiation failed',
      text: trace('450 4.4.317 Cannot connect to remote server [Message=451 4.4.0 TLS negotiation failed with error SocketError]', 'mail.contoso.com', '203.0.113.25'),
      want: { code: '4.4.317', detail: '451 4.4.0 TLS negotiation failed with error SocketError' },
      kind: 'tls-handshake',
    },
    {
      name: '4.4.317 "Cannot establish session" with Winsock 995',
      text: trace('450 4.4.317 Cannot establish session with remote server [Message=Failed to connect. Winsock error code: 995, Win32 error code: 995]', 'mail.contoso.com', '203.0.113.25'),
      want: { code: '4.4.317', status: '450 4.4.317 Cannot establish session with remote server' },
      kind: 'closed',
    },
    {
      name: '4.4.317 SubjectMismatch (the 2025 hybrid form)',
      text: trace(
        '450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: *.contoso.com. Presented Subject: CN=EXCH01. Thumbprint: D0AC1234.]',
        'mail.contoso.com',
        '203.0.113.25',
      ),
      want: { code: '4.4.317' },
      kind: 'certificate',
      failure: { reason: 'name-mismatch', expected: '*.contoso.com', presented: 'CN=EXCH01' },
    },
    {
      name: '4.4.318 trace',
      text: trace('450 4.4.318 Connection was closed abruptly [Message=]', 'mail.contoso.com', '203.0.113.25'),
      want: { code: '4.4.318' },
      kind: 'closed',
    },
    {
      name: '4.7.320 short form',
      text: 'Reason: [{LED=450 4.7.320 Certificate validation failed};{MSG=SubjectMismatch};{};{IP=203.0.113.9};{LRT=3/7/2026 6:46:06 PM}]',
      want: { form: 'trace-short', code: '4.7.320', detail: 'SubjectMismatch', server: null, ip: '203.0.113.9', port: null },
      kind: 'certificate',
      failure: { reason: 'name-mismatch' },
    },
    {
      name: '4.7.320 expired certificate (NotTimeValid)',
      text: trace('450 4.7.320 Certificate validation failed [Message=NotTimeValid: the certificate expired on 2026-01-01]', 'mail.contoso.com', '203.0.113.25'),
      want: { code: '4.7.320' },
      kind: 'certificate',
      failure: { reason: 'expired' },
    },
    {
      name: 'the bounce after the queue lifetime',
      text: '550 5.4.317 Message expired, cannot connect to remote server(451 5.7.3 STARTTLS is required to send mail)',
      want: { form: 'bounce', code: '4.4.317', expired: true, detail: '451 5.7.3 STARTTLS is required to send mail', server: null, ip: null },
      kind: 'reply',
    },
    {
      name: 'a bounce quoted inside an NDR sentence',
      text: "Remote server returned '550 5.4.316 Message expired, connection refused(Socket error code 10061)'",
      want: { form: 'bounce', code: '4.4.316', expired: true, detail: 'Socket error code 10061' },
      kind: 'connect-refused',
    },
    {
      name: 'our own message line',
      text: '450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=127.0.0.1:2525]',
      want: { form: 'status', code: '4.4.316', server: 'mx1.demo.test', ip: '127.0.0.1', port: 2525 },
      kind: 'connect-refused',
    },
    {
      name: 'a DANE deferral',
      text: '450 4.7.324 dnssec-invalid: Destination domain returned invalid DNSSEC records.',
      want: { form: 'status', code: '4.7.324', status: '450 4.7.324 dnssec-invalid: Destination domain returned invalid DNSSEC records' },
      kind: 'certificate',
    },
    {
      name: 'redacted server and address',
      text: trace('450 4.4.316 Connection refused [Message=Socket error code 10061]', 'mail.xxx.com', 'x.x.x.x'),
      want: { code: '4.4.316', server: null, ip: null, redacted: ['server', 'ip'] },
      kind: 'connect-refused',
    },
    {
      name: 'redacted last octet, star-redacted host',
      text: trace('450 4.4.315 Connection timed out [Message=Socket error code 10060]', '****.contoso.com', '203.0.113.xxx'),
      want: { code: '4.4.315', server: null, ip: null, redacted: ['server', 'ip'] },
      kind: 'connect-timeout',
    },
    {
      name: 'truncated in the middle of the address',
      text: '[{LED=450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=203.0.113.2',
      want: { code: '4.4.316', server: 'mail.contoso.com', ip: null, truncated: true, incomplete: ['ip'] },
      kind: 'connect-refused',
    },
    {
      name: 'truncated before the code title ends',
      text: 'Reason: [{LED=450 4.4.318 Connection was clo',
      want: { code: '4.4.318', truncated: true, server: null },
      kind: 'closed',
    },
    {
      name: 'wrapped by a mail client, keys and names split across lines',
      text: `Reason: [{LED=450 4.4.317 Cannot connect to remote
    server [Message=451 5.7.3 STARTTLS is required to send mail] [LastAttempted
    ServerName=mail.con
    toso.com] [LastAttemptedIP=203.0.113.
    25:25] [SmtpSecurity=-2;-2]};{MSG=};{FQDN=mail.contoso.com};{IP=203.0.113.25};{LRT=3/7/2026 6:46:06 PM}]`,
      want: { code: '4.4.317', status: '450 4.4.317 Cannot connect to remote server', server: 'mail.contoso.com', ip: '203.0.113.25', port: 25 },
      kind: 'reply',
    },
    {
      name: 'wrapped inside the code',
      text: 'Reason: [{LED=450 4.4.\n316 Connection refused [Message=Socket error code 10061]}]',
      want: { code: '4.4.316' },
      kind: 'connect-refused',
    },
  ])('$name', ({ text, want, kind, failure }) => {
    const parsed = parseReport(text);
    expect(parsed).toMatchObject(want);
    expect(parsed.failure.kind).toBe(kind);
    if (failure) expect(parsed.failure).toMatchObject(failure);
  });

  it.each([
    ['', /nothing to explain/],
    ['   \n  ', /nothing to explain/],
    ['hello, my mail is stuck', /cannot read "hello, my mail is stuck": it holds no Exchange status code/],
    ['550 5.1.1 User unknown', /5\.1\.1 is not one of the connector codes/],
    ['Reason: [{LED=450 4.4.7 Message delayed};{MSG=}]', /4\.4\.7 is not one of the connector codes/],
    ['the code was 4.4.31', /4\.4\.31 is not one of the connector codes/],
  ])('refuses %j', (text, message) => {
    expect(() => parseReport(text)).toThrow(UsageError);
    expect(() => parseReport(text)).toThrow(message);
  });

  it('refuses a paste longer than 64 KiB, naming its size', () => {
    expect(() => parseReport(`${'a'.repeat(70_000)} 450 4.4.316`)).toThrow(/^the paste is 70012 characters, more than 65536/);
  });

  // Hostile shapes near the size limit: each must parse in linear time. A quadratic regex
  // took minutes on the first one; the bound is generous so that only that shows.
  it.each([
    ['a long run of spaces', `${' '.repeat(64_000)}450 4.4.316 Connection refused`],
    ['many open brackets', `${'[ '.repeat(32_000)}450 4.4.316`],
    ['many unclosed <', `450 4.4.316 [Message=${'<a '.repeat(21_000)}`],
    ['many bracket keys', `450 4.4.317 ${'[LastAttemptedIP=  '.repeat(3_000)}`],
    ['many lines', `${' \n'.repeat(30_000)}450 4.4.316`],
  ])('parses %s in linear time', (_name, text) => {
    // CPU time, not wall-clock: parsing is synchronous, so a loaded machine that takes the
    // CPU away stretches the wall clock but not this; a quadratic parse of these takes longer.
    const before = process.cpuUsage();
    expect(parseReport(text).code).toMatch(/^4\.4\.31[67]$/);
    const { user, system } = process.cpuUsage(before);
    expect((user + system) / 1000).toBeLessThan(3000);
  });

  it('the diagnosis of a SubjectMismatch under 4.4.317 fixes the certificate name and carries the note', async () => {
    const result = await explain(trace('450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: *.contoso.com. Presented Subject: CN=EXCH01.]', 'mail.contoso.com', '203.0.113.25'), {
      offline: true,
    });
    expect(result.checks).toBeNull();
    expect(result.diagnosis).toMatchObject({ code: '4.4.317', kind: 'certificate', firstFix: expect.stringMatching(/TlsDomain/) });
    expect(result.diagnosis.note).toMatch(/4\.4\.317/);
  });

  it('a server that requires STARTTLS gets the TLS-fallback fix first, in either language', async () => {
    const en = await explain(TRACE_317, { offline: true });
    expect(en.diagnosis.firstFix).toMatch(/^The server requires TLS, but Exchange Online reached it without TLS/);
    const pt = await explain(TRACE_317, { offline: true, language: 'pt-BR' });
    expect(pt.diagnosis.firstFix).toMatch(/^O servidor exige TLS/);
    expect(pt.diagnosis.title).toBe('Não foi possível conectar ao servidor remoto');
    const text = renderExplain(pt, { catalog: ptBR });
    expect(text).toContain('Explicação: motivo de adiamento (Defer) do rastreamento de mensagens');
    expect(text).toContain('Não verificado de novo (--offline).');
  });
});

describe('live re-check', () => {
  let dns: DnsServer;
  beforeAll(async () => {
    const { wildcard, wrongName } = certSet();
    const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();
    dns = await startDns({
      'mail.demo.test': { A: ['127.0.0.1'] },
      'mxdane.demo.test': { A: ['127.0.0.1'], ad: true },
      '_25._tcp.mxdane.demo.test': { TLSA: [{ usage: 3, selector: 0, matchingType: 1, certificate: sha256(new X509Certificate(wrongName.cert).raw) }], ad: true },
      'mxdane-ok.demo.test': { A: ['127.0.0.1'], ad: true },
      '_25._tcp.mxdane-ok.demo.test': { TLSA: [{ usage: 3, selector: 0, matchingType: 1, certificate: sha256(new X509Certificate(wildcard.cert).raw) }], ad: true },
    });
  });
  afterAll(() => dns.close());

  const live = (port: number, extra: ExplainOptions = {}): ExplainOptions => ({
    ...loopbackProbeOptions(dns, port, { timeoutMs: 1500, deadlineMs: 8000 }),
    ...extra,
  });

  it('re-checks the name and the exact address: the refusal still holds', async () => {
    const port = await closedPort();
    const result = await explain(trace('450 4.4.316 Connection refused [Message=Socket error code 10061]', 'mail.demo.test', '127.0.0.1'), live(port));
    expect(result.checks?.map((c) => [c.target, c.outcome, c.result.code, c.result.paths[0]?.failure?.kind])).toEqual([
      ['mail.demo.test', 'same', '4.4.316', 'connect-refused'],
      ['127.0.0.1', 'same', '4.4.316', 'connect-refused'],
    ]);
    expect(result.checks?.[0]?.result.paths[0]).toMatchObject({ host: 'mail.demo.test', ip: '127.0.0.1', port });
    const text = renderExplain(result);
    expect(text).toContain('re-check of mail.demo.test: the failure still holds (same code)');
    expect(text).toContain('re-check of 127.0.0.1: the failure still holds (same code)');
  });

  it('the server still does not offer STARTTLS: 4.4.317 holds', async () => {
    const server = await startRaw(noStarttls);
    onTestFinished(() => server.close());
    const result = await explain(TRACE_317.replaceAll('mail.contoso.com', 'mail.demo.test').replaceAll('203.0.113.25', '127.0.0.1'), live(server.port));
    expect(result.checks?.map((c) => [c.outcome, c.result.code, c.result.paths[0]?.failure?.kind])).toEqual([
      ['same', '4.4.317', 'starttls-not-offered'],
      ['same', '4.4.317', 'starttls-not-offered'],
    ]);
  });

  it('the server has recovered: now healthy', async () => {
    const server = await startSmtp({ tls: certSet().valid(['mail.demo.test', '127.0.0.1']) });
    onTestFinished(async () => {
      await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
      await server.close();
    });
    const result = await explain(trace('450 4.4.316 Connection refused [Message=Socket error code 10061]', 'mail.demo.test', '127.0.0.1'), live(server.port));
    expect(result.checks?.map((c) => [c.outcome, c.result.verdict, c.result.code])).toEqual([
      ['healthy', 'healthy', null],
      ['healthy', 'healthy', null],
    ]);
    expect(renderExplain(result)).toContain('now healthy: the failure no longer holds');
  });

  it('it fails differently now: a timeout in the paste, a refusal today', async () => {
    const port = await closedPort();
    const result = await explain(trace('450 4.4.315 Connection timed out [Message=Socket error code 10060]', 'mail.demo.test', '127.0.0.1'), live(port));
    expect(result.checks?.map((c) => [c.outcome, c.result.code])).toEqual([
      ['different', '4.4.316'],
      ['different', '4.4.316'],
    ]);
    expect(renderExplain(result)).toContain('it fails differently now: 450 4.4.316 Connection refused');
  });

  it('a name mismatch reported under 4.4.317 and found as 4.7.320 is the same failure', async () => {
    const server = await startSmtp({ tls: certSet().wrongName });
    onTestFinished(() => server.close());
    const text = '[{LED=450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: *.demo.test. Presented Subject: CN=wrong-name.invalid.] [LastAttemptedServerName=mail.demo.test] [LastAttemptedIP=127.0.0.1:25]}]';
    const result = await explain(text, live(server.port, { tlsDomain: '*.demo.test' }));
    expect(result.checks?.map((c) => [c.outcome, c.result.code, c.result.paths[0]?.failure?.reason])).toEqual([
      ['equivalent', '4.7.320', 'name-mismatch'],
      ['equivalent', '4.7.320', 'name-mismatch'],
    ]);
  });

  it('a DANE deferral is re-checked against the MX host\'s TLSA records: still failing, then fixed', async () => {
    const server = await startSmtp({ tls: certSet().wildcard });
    onTestFinished(() => server.close());
    const led = '450 4.7.323 tlsa-invalid: The domain failed DANE validation [Message=]';
    const failing = await explain(trace(led, 'mxdane.demo.test', '127.0.0.1'), live(server.port));
    expect(failing.diagnosis).toMatchObject({ status: '450 4.7.323 tlsa-invalid', title: 'tlsa-invalid' });
    expect(failing.checks?.map((c) => [c.target, c.outcome, c.dane?.map((d) => [d.host, d.ip, d.code])])).toEqual([
      ['mxdane.demo.test', 'same', [['mxdane.demo.test', '127.0.0.1', '4.7.323']]],
      ['127.0.0.1', 'same', [['mxdane.demo.test', '127.0.0.1', '4.7.323']]],
    ]);
    expect(renderExplain(failing)).toMatch(/DANE \(RFC 7672\) 127\.0\.0\.1: 450 4\.7\.323 — no TLSA record matches/);
    const fixed = await explain(trace(led, 'mxdane-ok.demo.test', '127.0.0.1'), live(server.port));
    expect(fixed.checks?.map((c) => [c.outcome, c.dane?.[0]?.satisfied])).toEqual([
      ['healthy', true],
      ['healthy', true],
    ]);
  });

  it('a redacted paste is not re-checked unless a server is given', async () => {
    const port = await closedPort();
    const text = trace('450 4.4.316 Connection refused [Message=Socket error code 10061]', 'mail.xxx.com', 'x.x.x.x');
    const none = await explain(text, live(port));
    expect(none.checks).toBeNull();
    expect(renderExplain(none)).toContain('Not re-checked: the paste names no usable server or address');
    const given = await explain(text, live(port, { server: 'mail.demo.test' }));
    expect(given.checks?.map((c) => [c.target, c.outcome])).toEqual([['mail.demo.test', 'same']]);
    await expect(explain(text, live(port, { server: 'not a host' }))).rejects.toThrow('invalid server "not a host"');
  });

  it('the CLI reads the paste from standard input and exits with the re-check verdict', async () => {
    const port = await closedPort();
    const child = run('node', [BIN, 'explain', '-', '--resolver', dns.address, '--port', String(port), '--timeout', '1500', '--no-color'], {
      env: { ...process.env, LANG: 'pt_BR.UTF-8', LC_ALL: '', LC_MESSAGES: '' },
    });
    child.child.stdin?.end(trace('450 4.4.316 Connection refused [Message=Socket error code 10061]', 'mail.demo.test', '127.0.0.1'));
    const failed = await child.catch((err: { code: number; stdout: string }) => err);
    expect('code' in failed ? failed.code : 0).toBe(2);
    expect(failed.stdout).toContain('nova verificação de mail.demo.test: a falha continua (mesmo código)');
    expect(failed.stdout).toContain('Diagnóstico: 450 4.4.316 Connection refused');
  });

  it('the CLI refuses unreadable text with exit 3 and one line', async () => {
    const failed = await run('node', [BIN, 'explain', '--offline', 'hello there']).catch((err: { code: number; stderr: string }) => err);
    expect('code' in failed ? failed.code : 0).toBe(3);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(failed.stderr).toMatch(/^probe: cannot read "hello there"/);
  });

  it('--ca-file, --tls-mode and --json are passed through', async () => {
    const server = await startSmtp({ tls: certSet().valid(['mail.demo.test', '127.0.0.1']) });
    onTestFinished(() => server.close());
    const dir = mkdtempSync(join(tmpdir(), 'explain-'));
    writeFileSync(join(dir, 'root.pem'), certSet().root.cert);
    const args = [BIN, 'explain', '--json', '--resolver', dns.address, '--port', String(server.port), '--ca-file', join(dir, 'root.pem'), '--tls-mode', 'domain-validation', '--tls-domain', 'mail.demo.test'];
    const { stdout } = await run('node', [...args, trace('450 4.7.320 Certificate validation failed [Message=UntrustedRoot: the chain ends in an untrusted root]', 'mail.demo.test', '127.0.0.1')]);
    const json = JSON.parse(stdout) as { schema: string; checks: Array<{ outcome: string; result: { tlsMode: string; verdict: string } }> };
    expect(json.schema).toBe('mailflow-probe/explain@1');
    expect(json.checks.map((c) => [c.outcome, c.result.tlsMode, c.result.verdict])).toEqual([
      ['healthy', 'domain-validation', 'healthy'],
      ['healthy', 'domain-validation', 'healthy'],
    ]);
  });
});
