/**
 * `probe explain` (issue 14): the forms administrators paste besides the message-trace
 * reason — the NDR's `Server at … returned '…'`, Winsock errors, the dotted status with
 * its detail after the title, raw quoted-printable bounces, on-premises and hybrid queue
 * errors, the chained expiry bounce, DANE 4.7.325, and statuses outside the connector
 * family (explained with who acts, not re-checked unless asked). Every text is written
 * here in the shapes of published ones, with placeholder names and documentation
 * addresses; live re-checks use loopback servers and a loopback DNS server only.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { certSet, closedPort, loopbackProbeOptions, startDns, startSmtp, type DnsServer } from './fixtures/index.js';
import { ptBR } from '../src/catalog/pt-br.js';
import { en } from '../src/catalog/en.js';
import { decodeQuotedPrintable, diagnoseReport, explain, looksQuotedPrintable, parseReport } from '../src/explain/explain.js';
import { renderExplain } from '../src/report/explain-text.js';

const NDR_REFUSED = "Server at mail.contoso.com (203.0.113.25) returned '550 5.4.316 Message expired, connection refused(Socket error code 10061)'";

describe('the forms administrators paste', () => {
  it.each([
    {
      name: 'NDR "Server at HOST (IP) returned"',
      text: `Delivery has failed to these recipients or groups:\nuser@contoso.com\n\nDiagnostic information for administrators:\nGenerating server: AM0PR01MB0001.eurprd01.prod.outlook.com\n${NDR_REFUSED}`,
      want: { form: 'ndr', code: '4.4.316', expired: true, detail: 'Socket error code 10061', server: 'mail.contoso.com', ip: '203.0.113.25' },
      stage: 'tcp',
      kind: 'connect-refused',
    },
    {
      name: 'NDR without the address',
      text: "Server at smtp.fabrikam.com returned '550 5.4.315 Message expired, connection timed out(Socket error code 10060)'",
      want: { form: 'ndr', code: '4.4.315', server: 'smtp.fabrikam.com', ip: null },
      stage: 'tcp',
      kind: 'connect-timeout',
    },
    {
      name: 'Winsock 995 under 4.4.317 (the connection never completed)',
      text: '450 4.4.317 Cannot connect to remote server [Message=Failed to connect. Winsock error code: 995, Win32 error code: 995] [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=203.0.113.25:25]',
      want: { form: 'status', code: '4.4.317', server: 'mail.contoso.com', ip: '203.0.113.25', port: 25, winsock: { number: 995, name: 'ERROR_OPERATION_ABORTED' } },
      stage: 'tcp',
      kind: 'closed',
    },
    {
      name: 'Winsock 10061 alone',
      text: 'Failed to connect. Winsock error code: 10061, Win32 error code: 10061.',
      want: { form: 'queue', code: '4.4.316', winsock: { number: 10061 } },
      stage: 'tcp',
      kind: 'connect-refused',
    },
    {
      name: 'Winsock 10060 alone',
      text: 'Failed to connect. Winsock error code: 10060, Win32 error code: 10060.',
      want: { form: 'queue', code: '4.4.315', winsock: { number: 10060 } },
      stage: 'tcp',
      kind: 'connect-timeout',
    },
    {
      name: 'Winsock 10054 (reset)',
      text: 'Failed to connect. Winsock error code: 10054, Win32 error code: 10054.',
      want: { form: 'queue', code: '4.4.318', winsock: { number: 10054, name: 'WSAECONNRESET' } },
      stage: 'banner',
      kind: 'reset',
    },
    {
      name: 'Winsock 11001 (host not found)',
      text: 'Failed to connect. Winsock error code: 11001, Win32 error code: 11001.',
      want: { form: 'queue', code: '4.4.312', winsock: { number: 11001, name: 'WSAHOST_NOT_FOUND' } },
      stage: 'dns',
      kind: 'dns-error',
    },
    {
      name: 'dotted status with its detail after the title',
      text: '450 4.4.317 Cannot connect to remote server. 5.7.3 STARTTLS is required to send mail',
      want: { form: 'dotted', code: '4.4.317', status: '450 4.4.317 Cannot connect to remote server', detail: '5.7.3 STARTTLS is required to send mail' },
      stage: 'ehlo',
      kind: 'reply',
    },
    {
      name: 'on-premises: primary target responded',
      text: '451 4.4.0 Primary target IP address responded with: "421 4.4.1 Connection timed out." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was 203.0.113.25:25',
      want: { form: 'queue', code: '4.4.317', status: '451 4.4.0 Primary target IP address responded with', detail: '421 4.4.1 Connection timed out.', ip: '203.0.113.25', port: 25 },
      stage: 'banner',
      kind: 'reply',
    },
    {
      name: 'on-premises: DNS query failed',
      text: '451 4.4.0 DNS query failed. The error was: DNS query failed with error ErrorRetry',
      want: { form: 'queue', code: '4.4.312', status: '451 4.4.0 DNS query failed' },
      stage: 'dns',
      kind: 'dns-error',
    },
    {
      name: 'on-premises: Winsock 10060 quoted after the primary target',
      text: '441 4.4.1 Error encountered while communicating with primary target IP address: "Failed to connect. Winsock error code: 10060, Win32 error code: 10060." Attempted failover to alternate host, but that did not succeed. The last endpoint attempted was 203.0.113.25:25',
      want: { form: 'queue', code: '4.4.315', detail: 'Failed to connect. Winsock error code: 10060, Win32 error code: 10060.', ip: '203.0.113.25', port: 25, winsock: { number: 10060 } },
      stage: 'tcp',
      kind: 'connect-timeout',
    },
    {
      name: 'on-premises queue in a trace LED, with FQDN and IP',
      text: 'Reason: [{LED=441 4.4.1 Error encountered while communicating with primary target IP address: "Failed to connect. Winsock error code: 10061, Win32 error code: 10061." The last endpoint attempted was 203.0.113.25:25};{MSG=};{FQDN=mail.contoso.com};{IP=203.0.113.25};{LRT=3/7/2026 6:46:06 PM}]',
      want: { form: 'queue', code: '4.4.316', server: 'mail.contoso.com', ip: '203.0.113.25', port: 25 },
      stage: 'tcp',
      kind: 'connect-refused',
    },
    {
      name: 'hybrid: 4.4.395 target host responded with error',
      text: '451 4.4.395 Target host responded with error',
      want: { form: 'queue', code: '4.4.317', status: '451 4.4.395 Target host responded with error' },
      stage: 'ehlo',
      kind: 'reply',
    },
    {
      name: 'SMTPSEND.SuspiciousRemoteServerError',
      text: '451 4.4.0 SMTPSEND.SuspiciousRemoteServerError; the remote server dropped the connection repeatedly',
      want: { form: 'queue', code: '4.4.318', detail: 'the remote server dropped the connection repeatedly' },
      stage: 'banner',
      kind: 'closed',
    },
    {
      name: 'chained expiry bounce: the innermost cause decides',
      text: '550 5.4.300 Message expired -> 451 4.4.400 Target host responded with error -> 421 4.4.2 Connection dropped due to SocketError',
      want: { form: 'chained', code: '4.4.318', status: '421 4.4.2 Connection dropped due to SocketError' },
      stage: 'banner',
      kind: 'closed',
    },
    {
      name: 'chained bounce whose innermost cause is a refusal',
      text: '550 5.4.300 Message expired -> 450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=203.0.113.25:25]',
      want: { form: 'chained', code: '4.4.316', server: 'mail.contoso.com', ip: '203.0.113.25', port: 25 },
      stage: 'tcp',
      kind: 'connect-refused',
    },
    {
      name: 'DANE 4.7.325',
      text: '450 4.7.325 certificate-host-mismatch [LastAttemptedServerName=mx1.contoso.com] [LastAttemptedIP=203.0.113.25:25]',
      want: { form: 'status', code: '4.7.325', server: 'mx1.contoso.com', ip: '203.0.113.25', failure: { reason: 'name-mismatch' } },
      stage: 'certificate',
      kind: 'certificate',
    },
    {
      name: 'DANE 5.7.325 bounce',
      text: '550 5.7.325 certificate-host-mismatch',
      want: { form: 'bounce', code: '4.7.325', expired: true },
      stage: 'certificate',
      kind: 'certificate',
    },
  ])('$name', ({ text, want, stage, kind }) => {
    const parsed = parseReport(text);
    expect(parsed).toMatchObject(want);
    expect([parsed.failure.stage, parsed.failure.kind]).toEqual([stage, kind]);
  });

  it('a Winsock 995 gets the connection fix first, not the server-logs one', () => {
    const parsed = parseReport('450 4.4.317 Cannot connect to remote server [Message=Failed to connect. Winsock error code: 995, Win32 error code: 995]');
    expect(diagnoseReport(parsed).firstFix).toBe(en.headings.explain.connectAborted);
    expect(diagnoseReport(parsed, ptBR).firstFix).toBe(ptBR.headings.explain.connectAborted);
    const text = renderExplain({ schema: 'mailflow-probe/explain@1', parsed, diagnosis: diagnoseReport(parsed), checks: null, offline: true });
    expect(text).toContain('Windows socket error  995 ERROR_OPERATION_ABORTED: the connection attempt was aborted');
  });

  it('the dotted STARTTLS form gets the TLS-fallback fix, not the generic one', () => {
    const parsed = parseReport('450 4.4.317 Cannot connect to remote server. 5.7.3 STARTTLS is required to send mail');
    expect(diagnoseReport(parsed).firstFix).toBe(en.headings.explain.starttlsRequired);
  });

  it('a 10061 under the on-premises sentence is a refusal (4.4.316 at tcp), with its fix', () => {
    const parsed = parseReport('441 4.4.1 Error encountered while communicating with primary target IP address: "Failed to connect. Winsock error code: 10061, Win32 error code: 10061."');
    const d = diagnoseReport(parsed);
    expect([d.code, d.stage, d.kind, d.firstFix]).toEqual(['4.4.316', 'tcp', 'connect-refused', en.kinds['connect-refused']]);
  });
});

describe('quoted-printable', () => {
  const QP =
    'Remote Server returned \'550 5.4.316 Message expired, connection refused(Socket error code 10061)\'\n' +
    'Reason: [{LED=3D450 4.4.316 Connection refused [Message=3DSocket error code 100=\n61] [LastAttemptedServerName=3Dmail.contoso.com] [LastAttemptedIP=3D203.0.113.25:25]};{MSG=3D};{FQDN=3D=\nmail.contoso.com};{IP=3D203.0.113.25}]';

  it('decodes =XX and soft line breaks before reading, and says so', () => {
    const parsed = parseReport(QP);
    expect(parsed).toMatchObject({ decoded: 'quoted-printable', form: 'trace', code: '4.4.316', detail: 'Socket error code 10061', server: 'mail.contoso.com', ip: '203.0.113.25', port: 25 });
    expect([parsed.failure.stage, parsed.failure.kind]).toEqual(['tcp', 'connect-refused']);
    const text = renderExplain({ schema: 'mailflow-probe/explain@1', parsed, diagnosis: diagnoseReport(parsed), checks: null, offline: true });
    expect(text).toContain(en.headings.explain.decodedQp);
    expect(text).not.toContain('3DSocket');
  });

  it('decodes UTF-8 bytes and leaves text that is not quoted-printable alone', () => {
    expect(decodeQuotedPrintable('Entrega n=C3=A3o conclu=\n=C3=ADda =3D ok')).toBe('Entrega não concluída = ok');
    expect(looksQuotedPrintable('[Message=\n451 5.7.3 STARTTLS is required]')).toBe(false);
    // A plain paste wrapped right after `=` keeps its value (no decoding of `=\n45`).
    expect(parseReport('450 4.4.317 Cannot connect to remote server [Message=\n451 5.7.3 STARTTLS is required to send mail]')).toMatchObject({
      decoded: null,
      detail: '451 5.7.3 STARTTLS is required to send mail',
    });
  });
});

describe('codes outside the connector family', () => {
  it.each([
    {
      text: "Server at mail.contoso.com (203.0.113.25) returned '550 5.7.1 Service unavailable; client host [198.51.100.7] blocked because of its reputation'",
      want: { form: 'ndr', code: 'other', other: { enhanced: '5.7.1', who: 'recipient' }, server: 'mail.contoso.com', ip: '203.0.113.25' },
      who: 'recipient',
      meaning: 'security',
    },
    {
      text: '550 5.1.1 User unknown',
      want: { form: 'other', code: 'other', status: '550 5.1.1 User unknown', other: { enhanced: '5.1.1', who: 'sender' } },
      who: 'sender',
      meaning: 'address',
    },
    {
      text: '550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP',
      want: { form: 'other', code: 'other', other: { enhanced: '5.7.708', who: 'microsoft' } },
      who: 'microsoft',
      meaning: 'security',
    },
    {
      text: 'Reason: [{LED=450 4.4.7 Message delayed [LastAttemptedServerName=mail.contoso.com] [LastAttemptedIP=203.0.113.25:25]};{MSG=}]',
      want: { form: 'other', code: 'other', other: { enhanced: '4.4.7', who: 'recipient' }, server: 'mail.contoso.com', ip: '203.0.113.25', port: 25 },
      who: 'recipient',
      meaning: 'network',
    },
  ] as const)('$text', ({ text, want, who, meaning }) => {
    const parsed = parseReport(text);
    expect(parsed).toMatchObject(want);
    const d = diagnoseReport(parsed);
    expect([d.code, d.title, d.meaning, d.firstFix]).toEqual(['other', `Not a connector code: ${want.other.enhanced}`, en.headings.explain.otherMeaning[meaning], en.headings.explain.whoActs[who]]);
  });

  it('is not re-checked unless asked: nothing is sent', async () => {
    const server = await startSmtp({});
    onTestFinished(() => server.close());
    const dns = await startDns({ 'mail.demo.test': { A: ['127.0.0.1'] } });
    onTestFinished(() => dns.close());
    const paste = "Server at mail.demo.test (127.0.0.1) returned '550 5.7.1 Service unavailable; client host blocked because of its reputation'";
    const result = await explain(paste, loopbackProbeOptions(dns, server.port, { timeoutMs: 1500, deadlineMs: 8000 }));
    expect([result.checks, result.notRechecked, result.parsed.server, result.parsed.ip]).toEqual([null, true, 'mail.demo.test', '127.0.0.1']);
    expect(server.connections()).toBe(0);
    const text = renderExplain(result);
    expect(text).toContain('Explained: bounce (NDR): "Server at … returned …"');
    expect(text).toMatch(/ {2}Server +mail\.demo\.test\n {2}Address +127\.0\.0\.1\n/);
    expect(text).toContain("Who acts: the recipient's administrator");
    expect(text.replace(/\s+/g, ' ')).toContain(en.headings.explain.notRechecked);
  });
});

describe('live re-check of the new forms', () => {
  let dns: DnsServer;
  beforeAll(async () => {
    dns = await startDns({ 'mail.demo.test': { A: ['127.0.0.1'] } });
  });
  afterAll(() => dns.close());

  it('an NDR names the server and address: both are re-checked and the refusal still holds', async () => {
    const port = await closedPort();
    const result = await explain(NDR_REFUSED.replace('mail.contoso.com', 'mail.demo.test').replace('203.0.113.25', '127.0.0.1'), loopbackProbeOptions(dns, port, { timeoutMs: 1500, deadlineMs: 8000 }));
    expect(result.checks?.map((c) => [c.target, c.outcome, c.result.code, c.result.paths[0]?.failure?.stage, c.result.paths[0]?.failure?.kind])).toEqual([
      ['mail.demo.test', 'same', '4.4.316', 'tcp', 'connect-refused'],
      ['127.0.0.1', 'same', '4.4.316', 'tcp', 'connect-refused'],
    ]);
  });

  it('--recheck probes a foreign status anyway: a healthy server is "healthy"', async () => {
    const server = await startSmtp({ tls: certSet().valid(['mail.demo.test', '127.0.0.1']) });
    onTestFinished(async () => {
      await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
      await server.close();
    });
    const paste = "Server at mail.demo.test (127.0.0.1) returned '550 5.7.1 Service unavailable; client host blocked because of its reputation'";
    const result = await explain(paste, { ...loopbackProbeOptions(dns, server.port, { timeoutMs: 1500, deadlineMs: 8000 }), recheck: true });
    expect(result.checks?.map((c) => [c.target, c.outcome, c.result.verdict, c.result.code])).toEqual([
      ['mail.demo.test', 'healthy', 'healthy', null],
      ['127.0.0.1', 'healthy', 'healthy', null],
    ]);
  });
});
