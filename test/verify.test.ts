/**
 * `probe verify` end to end: a realistic connector export (arrays, single values, integer
 * enums, every TlsSettings value) pointing at loopback smart hosts that behave each way;
 * the plans, the checklist, the verdicts, the Set-OutboundConnector line, the recipient
 * test and the test message as the loopback server received them.
 */
import { execFile } from 'node:child_process';
import type net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner421, certSet, issueLeaf, noStarttls, serverTls, smtpScript, startDns, startRaw, startSmtp, type DnsServer, type RawHandler, type RawServer, type SmtpFixture } from './fixtures/index.js';
import { parseConnectors, planConnector } from '../src/verify/connectors.js';
import { renderVerifyHtml } from '../src/report/verify-html.js';
import { renderVerifyMarkdown, renderVerifyText } from '../src/report/verify-text.js';
import { progressDisplay } from '../src/verify/progress.js';
import { EXCHANGE_MAX_MESSAGE_SIZE, parseSize, verify, type VerifyOptions, type VerifyProgress } from '../src/verify/run.js';
import { parseEnvelope, queueIdOf } from '../src/verify/envelope.js';
import { UsageError } from '../src/core/options.js';

const bin = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const NOW = new Date('2026-11-27T08:00:00.000Z');

let dns: DnsServer;
let good: SmtpFixture;
let legacy: SmtpFixture;
let plain: RawServer;
let port: number;
let dir: string;
let caFile: string;

/** The export, as `Get-OutboundConnector | ConvertTo-Json` writes it, quirks included. */
const EXPORT = [
  {
    Name: 'To on-premises',
    Identity: 'To on-premises',
    Enabled: true,
    ConnectorType: 'OnPremises',
    ConnectorSource: 'HybridWizard',
    UseMXRecord: false,
    SmartHosts: ['mx1.demo.test'],
    RecipientDomains: [],
    TlsSettings: 'DomainValidation',
    TlsDomain: '*.demo.test',
    IsTransportRuleScoped: false,
    MtaStsMode: 'Opportunistic',
    SmtpDaneMode: 'Opportunistic',
    IsValidated: false,
    LastValidationTimestamp: '2026-07-24T18:59:12.0000000',
    WhenChangedUTC: '2026-07-24T19:01:54.0000000Z',
  },
  // integer enums (CertificateValidation, Partner), SmartHosts joined into one string
  { Name: "O'Brien partner", Identity: "O'Brien partner", Enabled: 'True', ConnectorType: 1, UseMXRecord: false, SmartHosts: 'pair.demo.test', TlsSettings: 1, TlsDomain: null },
  // EncryptionOnly as an integer; a single smart host that lost its brackets
  { Name: 'Legacy relay', Enabled: true, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: 'legacy.demo.test', TlsSettings: 0, TlsDomain: null, ConnectorSource: 'AdminUI' },
  { Name: 'Old partner', Enabled: false, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: ['gone.demo.test'], TlsSettings: 'CertificateValidation' },
  { Name: 'To branch', Enabled: true, ConnectorType: 'Partner', UseMXRecord: true, SmartHosts: null, RecipientDomains: ['*.demo.test'], TlsSettings: 'CertificateValidation' },
  { Name: 'Wrong name', Enabled: true, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: ['mx1.demo.test'], TlsSettings: 'DomainValidation', TlsDomain: 'mail.fabrikam.test' },
  { Name: 'Opportunistic', Enabled: true, ConnectorType: 'Partner', UseMXRecord: false, SmartHosts: ['plain.demo.test'], TlsSettings: null },
];

beforeAll(async () => {
  dns = await startDns({
    'mx1.demo.test': { A: ['127.0.0.1'] },
    'pair.demo.test': { A: ['127.0.0.1', '127.0.0.2'] },
    'legacy.demo.test': { A: ['127.0.0.3'] },
    'plain.demo.test': { A: ['127.0.0.4'] },
    'branch.demo.test': { MX: [{ preference: 10, exchange: 'mx1.demo.test' }] },
  });
  // One port for every smart host, as connectors always use 25: each behaviour listens on
  // its own loopback address; 127.0.0.2 has nothing listening (refused).
  good = await startSmtp({ host: '127.0.0.1', size: 50 * 1048576, unknownRecipients: ['nobody@branch.demo.test'] });
  port = good.port;
  legacy = await startSmtp({ host: '127.0.0.3', port, size: 10 * 1048576, tls: certSet().expired });
  plain = await startRaw(noStarttls, { host: '127.0.0.4', port });
  dir = mkdtempSync(join(tmpdir(), 'mfp-verify-'));
  caFile = join(dir, 'root.pem');
  writeFileSync(caFile, certSet().root.cert);
});
afterAll(async () => {
  await Promise.all([good?.close(), legacy?.close(), plain?.close(), dns?.close()]);
});

function options(extra: VerifyOptions = {}): VerifyOptions {
  return { port, resolvers: [dns.address], ca: [certSet().root.cert], ehloName: 'probe.demo.test', timeoutMs: 1500, deadlineMs: 8000, now: () => NOW, ...extra };
}

function plans(samples: string[] = []) {
  return parseConnectors(JSON.stringify(EXPORT), 'connectors.json').map((c) => planConnector(c, samples));
}

describe('verify a whole export', () => {
  it('plans every connector, probes the enabled ones, and judges each', async () => {
    const events: VerifyProgress[] = [];
    const planned = plans(['branch.demo.test']);
    expect(planned.map((p) => [p.connector.name, p.action, p.route, p.targets, p.tlsMode])).toEqual([
      ['To on-premises', 'probe', 'smart-host', ['mx1.demo.test'], 'domain-validation'],
      ["O'Brien partner", 'probe', 'smart-host', ['pair.demo.test'], 'certificate-validation'],
      ['Legacy relay', 'probe', 'smart-host', ['legacy.demo.test'], 'encryption-only'],
      ['Old partner', 'skip', 'smart-host', [], 'certificate-validation'],
      ['To branch', 'probe', 'mx', ['branch.demo.test'], 'certificate-validation'],
      ['Wrong name', 'probe', 'smart-host', ['mx1.demo.test'], 'domain-validation'],
      ['Opportunistic', 'probe', 'smart-host', ['plain.demo.test'], 'opportunistic'],
    ]);

    const report = await verify(planned, options({ source: 'connectors.json', onProgress: (e) => events.push(e) }));
    const byName = Object.fromEntries(report.connectors.map((c) => [c.name, c]));
    const status = (name: string) => Object.fromEntries(byName[name]!.checks.map((c) => [c.id, c.status]));

    expect(report).toMatchObject({ schema: 'mailflow-probe/verify@1', source: 'connectors.json', verdict: 'fail', maxMessageSize: 37748736 });
    expect(report.counts).toEqual({ pass: 2, warn: 2, fail: 2, skipped: 1, incomplete: 0 });
    expect(report.connectors.map((c) => [c.name, c.verdict, c.code])).toEqual([
      ['To on-premises', 'pass', null],
      ["O'Brien partner", 'fail', '4.4.316'],
      ['Legacy relay', 'warn', null],
      ['Old partner', 'skipped', null],
      ['To branch', 'pass', null],
      ['Wrong name', 'fail', '4.7.320'],
      ['Opportunistic', 'warn', null],
    ]);

    // a passing connector: every item passes, and the validation line is printed
    expect(new Set(byName['To on-premises']!.checks.map((c) => c.status))).toEqual(new Set(['pass']));
    expect(byName['To on-premises']!.checks.find((c) => c.id === 'certificate')?.detail).toBe('trusted; matches *.demo.test');
    expect(byName['To on-premises']!.validationCommand).toBe(
      "Set-OutboundConnector -Identity 'To on-premises' -IsValidated $true -LastValidationTimestamp '2026-11-27T08:00:00Z'",
    );
    expect(byName['To on-premises']!.fixes).toEqual([]);

    // one of two addresses refuses: "reachable on every address" fails, naming the address
    const partner = byName["O'Brien partner"]!;
    expect(status("O'Brien partner")).toMatchObject({ resolves: 'pass', reachable: 'fail', greets: 'pass', certificate: 'pass' });
    const reachable = partner.checks.find((c) => c.id === 'reachable')!;
    expect(reachable.detail).toMatch(/^pair\.demo\.test 127\.0\.0\.2: 127\.0\.0\.2 port \d+: /);
    expect(reachable.paths.map((p) => [p.ip, p.status])).toEqual([
      ['127.0.0.1', 'pass'],
      ['127.0.0.2', 'fail'],
    ]);
    expect(partner.status).toBe('450 4.4.316 Connection refused');
    expect(partner.fixes[0]).toMatch(/Microsoft 365/);
    expect(partner.validationCommand).toBeNull();

    // EncryptionOnly: the expired certificate does not stop mail and, as in every door, is a note, not a warning; SIZE names both numbers
    expect(status('Legacy relay')).toMatchObject({ starttls: 'pass', 'tls-version': 'pass', certificate: 'pass', 'certificate-expiry': 'pass', size: 'warn' });
    expect(byName['Legacy relay']!.checks.find((c) => c.id === 'certificate-expiry')?.detail).toMatch(
      /^CN=.* expired on \d{4}-\d\d-\d\d: a note only, encryption-only does not validate the certificate and Exchange Online delivers regardless$/,
    );
    const legacyReport = byName['Legacy relay']!;
    expect(legacyReport.checks.find((c) => c.id === 'size')?.detail).toBe(
      "the server accepts at most 10 MB (10,485,760 bytes), less than Exchange Online's 36 MB (37,748,736 bytes): messages between the two would be rejected",
    );
    expect(legacyReport.checks.find((c) => c.id === 'certificate')?.detail).toMatch(/^not required by encryption-only; note the chain would not validate \(CERT_HAS_EXPIRED/);
    expect(legacyReport.validationCommand).toMatch(/^Set-OutboundConnector -Identity 'Legacy relay' /);
    expect(legacyReport.fixes.some((f) => f.startsWith("Raise the smart host's message size limit to at least 36 MB (37,748,736 bytes)"))).toBe(true);

    // disabled: listed, not probed
    expect(byName['Old partner']).toMatchObject({ verdict: 'skipped', plan: { reason: 'the connector is disabled (Enabled: false)' }, result: null, checks: [] });
    expect(dns.queries.some((q) => q.name === 'gone.demo.test')).toBe(false);

    // UseMXRecord: the sample domain's MX host was probed
    expect(byName['To branch']!.result?.paths.map((p) => [p.host, p.preference])).toEqual([['mx1.demo.test', 10]]);
    // the recipient's DANE/MTA-STS bind MX delivery only: checked by default for UseMXRecord, not for smart hosts
    expect(byName['To branch']!.result?.policies?.map((p) => [p.domain, p.dane.inEffect, p.mtaSts.record])).toEqual([['branch.demo.test', false, null]]);
    expect(byName['To on-premises']!.result).not.toHaveProperty('policies');
    expect(dns.queries.filter((q) => q.type === 'TLSA').map((q) => q.name)).toEqual(['_25._tcp.mx1.demo.test']);

    // DomainValidation with a name the certificate lacks: 4.7.320, the certificate item fails;
    // its expiry is still judged (a failing path carries its chain), and SIZE from the EHLO before TLS
    expect(status('Wrong name')).toMatchObject({ certificate: 'fail', 'tls-version': 'pass', 'certificate-expiry': 'pass', size: 'pass' });
    expect(byName['Wrong name']!.checks.find((c) => c.id === 'certificate')?.detail).toMatch(/not mail\.fabrikam\.test$/);

    // opportunistic and no STARTTLS: mail flows unencrypted, as configured (issue 14: no warning)
    expect(status('Opportunistic')).toMatchObject({ starttls: 'pass', 'tls-version': 'skip', certificate: 'skip', size: 'warn', '8bitmime': 'pass', smtputf8: 'warn' });
    expect(byName['Opportunistic']!.checks.find((c) => c.id === 'starttls')?.detail).toBe(
      'STARTTLS is not offered: mail goes unencrypted, as an opportunistic connector allows',
    );

    // no fix is repeated inside another (the diagnosis' first fix heads the list, once)
    const wrong = byName['Wrong name']!;
    expect(wrong.fixes[0]).toBe(wrong.result!.diagnosis!.firstFix);
    for (const [i, a] of wrong.fixes.entries()) for (const [j, b] of wrong.fixes.entries()) if (i !== j) expect(b).not.toContain(a);
    // a server that states a smaller SIZE is told to raise it
    expect(byName['Opportunistic']!.fixes.filter((f) => f.startsWith("Raise the smart host's message size limit to at least 36 MB"))).toHaveLength(1);
    // an expired certificate: "expired N days ago", never a negative count
    const legacyHtml = renderVerifyHtml({ ...report, connectors: [legacyReport] });
    const legacyDays = -legacyReport.result!.paths[0]!.certificate!.chain[0]!.daysLeft;
    expect(legacyDays).toBeGreaterThan(0);
    expect(legacyHtml).toContain(`(expired ${legacyDays} day${legacyDays === 1 ? '' : 's'} ago)`);
    expect(legacyHtml).not.toMatch(/\(-\d+ days? left\)/);

    // progress: one start and one done per probed connector, in order
    expect(events.filter((e) => e.type === 'start').map((e) => e.name)).toEqual(['To on-premises', "O'Brien partner", 'Legacy relay', 'To branch', 'Wrong name', 'Opportunistic']);
    expect(events.at(-1)).toEqual({ type: 'done', index: 6, total: 6, name: 'Opportunistic', verdict: 'warn' });

    // the text and Markdown reports carry the same facts
    const text = renderVerifyText(report);
    expect(text).toMatch(/^FAIL  7 connectors: 2 pass, 2 warn, 2 fail, 1 skipped$/m);
    expect(text).toContain("  Set-OutboundConnector -Identity 'To on-premises' -IsValidated $true -LastValidationTimestamp '2026-11-27T08:00:00Z'\n");
    expect(text).toMatch(/^FAIL\s+O'Brien partner  450 4\.4\.316 Connection refused$/m);
    const md = renderVerifyMarkdown(report);
    expect(md).toMatch(/^# Connector verification: FAIL$/m);
    expect(md).toMatch(/^\| Legacy relay \| WARN \|/m);
    expect(md).toContain("```powershell\nSet-OutboundConnector -Identity 'To on-premises' -IsValidated $true -LastValidationTimestamp '2026-11-27T08:00:00Z'\n```");
  });

  it('a wildcard without a sample domain is incomplete, and says what to give', async () => {
    const branch = plans().filter((p) => p.connector.name === 'To branch');
    const report = await verify(branch, options());
    expect(report.verdict).toBe('warn');
    expect(report.connectors[0]).toMatchObject({
      verdict: 'incomplete',
      result: null,
      fixes: ['UseMXRecord with *.demo.test: a wildcard names no MX to look up; give a domain under demo.test with --recipient-domain'],
    });
  });

  it('a quote in the Identity is doubled in the PowerShell line', async () => {
    const [c] = parseConnectors(JSON.stringify({ ...EXPORT[0], Name: "Contoso's relay", Identity: "Contoso's relay" }), 'x.json');
    const report = await verify([planConnector(c!)], options());
    expect(report.connectors[0]?.validationCommand).toBe(
      "Set-OutboundConnector -Identity 'Contoso''s relay' -IsValidated $true -LastValidationTimestamp '2026-11-27T08:00:00Z'",
    );
  });

  it('--max-message-size: a higher tenant limit makes a 50 MB SIZE warn, naming both numbers', async () => {
    const [onPrem] = plans();
    const report = await verify([onPrem!], options({ maxMessageSize: parseSize('150MB') }));
    expect(report.connectors[0]?.verdict).toBe('warn');
    expect(report.connectors[0]?.checks.find((c) => c.id === 'size')?.detail).toBe(
      "the server accepts at most 50 MB (52,428,800 bytes), less than Exchange Online's 150 MB (157,286,400 bytes): messages between the two would be rejected",
    );
  });
});

/**
 * A smart host that sends the start of a line after its 220 to STARTTLS, before TLS
 * begins (plaintext injection, RFC 3207 §4.2), then completes TLS and the dialogue.
 */
const injecting: RawHandler = (socket) => {
  const serve = (stream: net.Socket, secure: boolean): void => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1');
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const verb = buffer.slice(0, nl).trim().split(' ')[0]?.toUpperCase();
        buffer = buffer.slice(nl + 1);
        if (verb === 'EHLO') stream.write(`250-inject.demo.test\r\n250-SIZE 0\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 ${secure ? 'PIPELINING' : 'STARTTLS'}\r\n`);
        else if (verb === 'QUIT') return void stream.end('221 2.0.0 Bye\r\n');
        else if (verb === 'STARTTLS') {
          stream.off('data', onData);
          stream.write('220 2.0.0 Go ahead\r\n250 inj');
          const secured = new tls.TLSSocket(stream, { isServer: true, ...serverTls(certSet().valid()) });
          secured.on('error', () => secured.destroy());
          return serve(secured, true);
        } else stream.write('250 2.0.0 OK\r\n');
      }
    };
    stream.on('data', onData);
  };
  socket.write('220 inject.demo.test ESMTP\r\n');
  serve(socket, false);
};

describe('a probe warning no checklist item speaks for', () => {
  it('is shown on the connector, in every report, and makes it WARN', async () => {
    const server = await startRaw(injecting, { host: '127.0.0.5', port });
    try {
      const [c] = parseConnectors(JSON.stringify({ Name: 'Injected', SmartHosts: '127.0.0.5', TlsSettings: 'CertificateValidation' }), 'x.json');
      const report = await verify([planConnector(c!)], options());
      const r = report.connectors[0]!;
      expect(r.verdict).toBe('warn');
      expect(new Set(r.checks.map((x) => x.status))).toEqual(new Set(['pass']));
      expect(r.warnings).toEqual(['the server sent 7 bytes after its 220 to STARTTLS, before TLS began; they were discarded (RFC 3207 §4.2)']);
      expect(renderVerifyText(report)).toContain('  ! warning: the server sent 7 bytes after its 220 to STARTTLS');
      expect(renderVerifyMarkdown(report)).toContain('> ⚠️ the server sent 7 bytes after its 220 to STARTTLS');
      expect(renderVerifyHtml(report)).toContain('<p class="note" data-role="warning"><span class="s s-warn">Warning</span> the server sent 7 bytes');
    } finally {
      await server.close();
    }
  });
});

describe('each checklist item passes, warns or fails against a host that misbehaves that way', () => {
  const DAY = 86_400_000;
  const cases: [string, string, RawHandler, string | null, Record<string, string>, string, string | null][] = [
    ['TLS 1.1 only, TLS required', 'CertificateValidation', smtpScript({ tlsOptions: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }), null, { starttls: 'pass', 'tls-version': 'fail', certificate: 'skip' }, 'fail', '4.4.317'],
    ['TLS 1.1 only, opportunistic', 'null', smtpScript({ tlsOptions: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }), null, { starttls: 'pass', 'tls-version': 'warn' }, 'warn', null],
    ['STARTTLS refused with 454', 'EncryptionOnly', smtpScript({ onStarttls: '454' }), null, { greets: 'pass', starttls: 'fail', 'tls-version': 'skip' }, 'fail', '4.4.317'],
    ['no SIZE, 8BITMIME or SMTPUTF8', 'CertificateValidation', smtpScript({ ehlo: ['STARTTLS'] }), null, { 'tls-version': 'pass', certificate: 'pass', size: 'warn', '8bitmime': 'warn', smtputf8: 'warn' }, 'warn', null],
    ['a 421 greeting', 'CertificateValidation', banner421, null, { reachable: 'pass', greets: 'fail', starttls: 'skip', size: 'skip' }, 'fail', '4.4.317'],
    ['a certificate expiring in 10 days', 'CertificateValidation', smtpScript({}), 'expiring', { certificate: 'pass', 'certificate-expiry': 'warn' }, 'warn', null],
  ];
  it.each(cases.map((c, i) => [...c, i] as const))('%s (%s)', async (_what, tlsSettings, handler, leaf, want, verdict, code, i) => {
    const material = leaf ? issueLeaf(certSet().intermediate, { dnsNames: ['mx1.demo.test'], notBefore: new Date(Date.now() - 80 * DAY), notAfter: new Date(Date.now() + 10.5 * DAY) }) : null;
    const host = `127.0.0.${10 + i}`;
    const server = await startRaw(material ? smtpScript({ tls: material }) : handler, { host, port });
    try {
      const [c] = parseConnectors(JSON.stringify({ Name: 'Case', SmartHosts: host, TlsSettings: tlsSettings === 'null' ? null : tlsSettings }), 'x.json');
      const report = await verify([planConnector(c!)], options());
      const r = report.connectors[0]!;
      expect(Object.fromEntries(r.checks.map((x) => [x.id, x.status]))).toMatchObject(want);
      expect([r.verdict, r.code]).toEqual([verdict, code]);
      for (const check of r.checks) expect(check.fix === null).toBe(check.status === 'pass' || check.status === 'skip');
      if (leaf) expect(r.checks.find((x) => x.id === 'certificate-expiry')?.detail).toMatch(/^CN=mx1\.demo\.test expires \d{4}-\d\d-\d\d \(10 days\): within the 30-day horizon$/);
      if (want.size === 'warn') {
        expect(r.checks.find((x) => x.id === 'size')?.detail).toBe('SIZE is not advertised: the limit is unknown until a large message bounces');
        // nothing to raise: it says SIZE is missing, and that Exchange Online sends anyway
        expect(r.checks.find((x) => x.id === 'size')?.fix).toBe(
          'The smart host does not advertise SIZE (RFC 1870): Exchange Online sends anyway, but the server may still reject large messages; make sure it accepts at least 36 MB (37,748,736 bytes), and advertising SIZE makes the limit visible.',
        );
      }
    } finally {
      await server.close();
    }
  });
});

describe('recipient test and test message', () => {
  const envelope = { from: 'probe@contoso.test', to: 'user@branch.demo.test' };

  it('RCPT test: MAIL FROM / RCPT TO / RSET over TLS, no DATA; the server saw the recipient', async () => {
    const [onPrem] = plans();
    const before = { rcpts: good.recipients.length, messages: good.messages.length };
    const report = await verify([onPrem!], options({ rcptTest: envelope }));
    const c = report.connectors[0]!;
    expect(c.verdict).toBe('pass');
    expect(c.rcptTest).toHaveLength(1);
    expect(c.rcptTest?.[0]).toMatchObject({ ok: true, step: 'done', host: 'mx1.demo.test', ip: '127.0.0.1' });
    expect(c.rcptTest?.[0]?.reply).toMatch(/^250 /);
    expect(c.rcptTest?.[0]?.transcript).toEqual(expect.arrayContaining(['C: STARTTLS', 'C: MAIL FROM:<probe@contoso.test>', 'C: RCPT TO:<user@branch.demo.test>', 'C: RSET', 'C: QUIT']));
    expect(c.rcptTest?.[0]?.transcript).not.toContain('C: DATA');
    expect(c.checks.find((x) => x.id === 'recipient')).toMatchObject({ status: 'pass', title: 'Accepts a recipient (MAIL FROM / RCPT TO / RSET)' });
    expect(good.recipients.slice(before.rcpts)).toEqual([{ from: 'probe@contoso.test', to: 'user@branch.demo.test', accepted: true, secure: true }]);
    expect(good.messages.length).toBe(before.messages);
  });

  it('RCPT test: a refused recipient fails the item with the server reply', async () => {
    const [onPrem] = plans();
    const report = await verify([onPrem!], options({ rcptTest: { from: '', to: 'nobody@branch.demo.test' } }));
    const c = report.connectors[0]!;
    expect(c.verdict).toBe('fail');
    expect(c.rcptTest?.[0]).toMatchObject({ ok: false, step: 'rcpt', reply: '550 5.1.1 Recipient address rejected: user unknown' });
    expect(c.checks.find((x) => x.id === 'recipient')).toMatchObject({ status: 'fail', detail: 'RCPT TO:<nobody@branch.demo.test> was refused: 550 5.1.1 Recipient address rejected: user unknown' });
    expect(c.fixes).toContain('Make the server accept mail for the recipient domain from Microsoft 365 (accepted domains, relay rules, recipient validation).');
    // the null sender <> arrives as an empty address
    expect(good.recipients.at(-1)).toMatchObject({ from: '', to: 'nobody@branch.demo.test', accepted: false });
    expect(c.validationCommand).toBeNull();
  });

  it('test message: sent once with nodemailer over TLS, the queue id from the 250 reply is reported', async () => {
    const [onPrem] = plans();
    const before = good.messages.length;
    const report = await verify([onPrem!], options({ sendTest: envelope }));
    const c = report.connectors[0]!;
    expect(good.messages.length).toBe(before + 1);
    const received = good.messages.at(-1)!;
    expect(received).toMatchObject({ from: 'probe@contoso.test', to: ['user@branch.demo.test'], secure: true });
    expect(received.data).toMatch(/^Subject: mailflow-probe test message: To on-premises\r?$/m);
    expect(received.data).toMatch(/^X-Mailflow-Probe: test-message\r?$/m);
    expect(c.sendTest).toMatchObject({ ok: true, step: 'done', queueId: received.queueId, host: 'mx1.demo.test', ip: '127.0.0.1' });
    expect(c.checks.find((x) => x.id === 'test-message')).toMatchObject({ status: 'pass' });
    expect(c.checks.find((x) => x.id === 'test-message')?.detail).toContain(`(queue id ${received.queueId})`);
    expect(renderVerifyText(report)).toContain(`test message queued as ${received.queueId}`);
  });

  it('test message under DomainValidation refuses a certificate without the TlsDomain, as the probe does', async () => {
    // the probe fails the connector (4.7.320), so no path passes and nothing is sent
    const wrong = plans().filter((p) => p.connector.name === 'Wrong name');
    const before = good.messages.length;
    const report = await verify(wrong, options({ sendTest: envelope }));
    expect(report.connectors[0]).toMatchObject({ verdict: 'fail', code: '4.7.320', sendTest: null });
    expect(good.messages.length).toBe(before);
  });

  it('test message through an opportunistic connector without STARTTLS goes in the clear', async () => {
    const opp = plans().filter((p) => p.connector.name === 'Opportunistic');
    const report = await verify(opp, options({ sendTest: envelope }));
    // the raw fault server answers every command with 250 2.0.0 OK
    expect(report.connectors[0]?.sendTest).toMatchObject({ ok: true, reply: '250 2.0.0 OK', queueId: null });
  });

  it.each([
    ['a@b.test,c@d.test', { from: 'a@b.test', to: 'c@d.test' }],
    [',postmaster@d.test', { from: '', to: 'postmaster@d.test' }],
  ])('parseEnvelope(%s)', (input, want) => {
    expect(parseEnvelope(input, '--rcpt-test')).toEqual(want);
  });

  it.each([
    ['a@b.test', /expected FROM,TO/],
    ['a@b.test,not-an-address', /invalid --rcpt-test recipient "not-an-address"/],
    ['a b@c.test,d@e.test', /invalid --rcpt-test sender "a b@c\.test"/],
  ])('parseEnvelope rejects %s', (input, message) => {
    expect(() => parseEnvelope(input, '--rcpt-test')).toThrow(UsageError);
    expect(() => parseEnvelope(input, '--rcpt-test')).toThrow(message);
  });

  it.each([
    ['250 2.0.0 Ok: queued as 4Xyz1Q2w3E', '4Xyz1Q2w3E'],
    ['250 2.6.0 <abc@contoso.test> [InternalId=123456789, Hostname=EX01] Queued mail for delivery', '123456789'],
    ['250 OK id=1qAbCd-0001Ab-Zz', '1qAbCd-0001Ab-Zz'],
    ['250 2.0.0 OK', null],
  ])('queueIdOf(%s)', (reply, id) => {
    expect(queueIdOf(reply)).toBe(id);
  });
});

describe('sizes', () => {
  it('defaults to 36 MB, Exchange Online\'s default maximum receive size', () => {
    expect(EXCHANGE_MAX_MESSAGE_SIZE).toBe(37748736);
  });
  it.each([
    ['36MB', 37748736],
    ['150 MB', 157286400],
    ['36700160', 36700160],
    ['512KB', 524288],
    ['1.5GB', 1610612736],
  ])('parseSize(%s) = %d', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });
  it.each(['0', '-5MB', '36 TB', 'big', '3GB'])('parseSize rejects %s', (input) => {
    expect(() => parseSize(input)).toThrow(new UsageError(`invalid maximum message size "${input}": give bytes or a size such as 36MB or 150MB (MB = 1048576 bytes), at most 2GB`));
  });
});

describe('progress display', () => {
  it('writes one line, rewritten in place, on a terminal; clears it at the end', () => {
    const written: string[] = [];
    const progress = progressDisplay({ isTTY: true, columns: 60, write: (t) => written.push(t) });
    progress.onProgress({ type: 'start', index: 1, total: 2, name: 'To on-premises', targets: ['mx1.demo.test'] });
    progress.onProgress({ type: 'done', index: 1, total: 2, name: 'To on-premises', verdict: 'pass' });
    progress.end();
    expect(written).toEqual(['\r\u001b[2K[1/2] probing To on-premises: mx1.demo.test …', '\r\u001b[2K[1/2] To on-premises: PASS', '\r\u001b[2K']);
  });
  it('writes nothing when not a terminal', () => {
    const written: string[] = [];
    const progress = progressDisplay({ isTTY: false, write: (t) => written.push(t) });
    progress.onProgress({ type: 'start', index: 1, total: 1, name: 'x', targets: ['y'] });
    progress.end();
    expect(written).toEqual([]);
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '' }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('probe verify (the command)', () => {
  const common = (): string[] => ['--resolver', dns.address, '--port', String(port), '--ca-file', caFile, '--ehlo-name', 'probe.demo.test', '--timeout', '1500'];
  const exportFile = (name: string, content: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };

  it('exit 0 for a passing connector; prints the checklist and the Set-OutboundConnector line; no progress in a pipe', async () => {
    const file = exportFile('one.json', EXPORT[0]);
    const r = await run(['verify', '--connectors', file, ...common()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS  1 connector: 1 pass, 0 warn, 0 fail$/m);
    expect(r.stdout).toMatch(/✓ Certificate trusted and matching TlsDomain\s+trusted; matches \*\.demo\.test/);
    expect(r.stdout).toMatch(/^ {2}Set-OutboundConnector -Identity 'To on-premises' -IsValidated \$true -LastValidationTimestamp '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'$/m);
  });

  it('exit 2 when a connector fails; --json is the verify@1 report', async () => {
    const file = exportFile('two.json', [EXPORT[0], EXPORT[5]]);
    const r = await run(['verify', '--connectors', file, '--json', ...common()]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ schema: 'mailflow-probe/verify@1', verdict: 'fail', counts: { pass: 1, fail: 1 } });
    expect(report.connectors.map((c: { name: string; verdict: string; code: string | null }) => [c.name, c.verdict, c.code])).toEqual([
      ['To on-premises', 'pass', null],
      ['Wrong name', 'fail', '4.7.320'],
    ]);
  });

  it('exit 1 for warnings; --markdown for a ticket; plain targets work the same way (no Set-OutboundConnector line)', async () => {
    const r = await run(['verify', 'legacy.demo.test', '--tls-mode', 'encryption-only', '--markdown', ...common()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^## legacy\\\.demo\\\.test: WARN$/m); // the name is escaped for Markdown
    expect(r.stdout).toMatch(/^\| SIZE at least Exchange Online's maximum message size \| ⚠️ warn \| the server accepts at most 10 MB/m);
    expect(r.stdout).not.toContain('Set-OutboundConnector');
  });

  it('--recipient-domain, --rcpt-test, --send-test and --report together', async () => {
    const file = exportFile('branch.json', EXPORT[4]);
    const html = join(dir, 'report.html');
    const before = { rcpts: good.recipients.length, messages: good.messages.length };
    const r = await run(['verify', '--connectors', file, '--recipient-domain', 'branch.demo.test', '--rcpt-test', 'probe@contoso.test,user@branch.demo.test', '--send-test', 'probe@contoso.test,user@branch.demo.test', '--report', html, '--json', ...common()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const c = report.connectors[0];
    expect(c).toMatchObject({ name: 'To branch', verdict: 'pass', plan: { route: 'mx', targets: ['branch.demo.test'] } });
    expect(c.rcptTest).toMatchObject([{ ok: true, host: 'mx1.demo.test', ip: '127.0.0.1' }]);
    // one RCPT from the recipient test, one from the test message; one message
    expect(good.recipients.length).toBe(before.rcpts + 2);
    expect(good.messages.length).toBe(before.messages + 1);
    expect(c.sendTest.queueId).toBe(good.messages.at(-1)?.queueId);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('data-connector="To branch" data-verdict="pass"');
    expect(page).toContain(`queue id <span class="code">${c.sendTest.queueId}</span>`);
  });

  it.each([
    // `Name : value` text is read as Format-List output now (test/connectors.test.ts): a cut JSON export is not JSON.
    ['not JSON', '[{"Name": "To on-premises", "SmartHosts": ', /^probe: invalid connectors file ".*bad-0\.json": not JSON \(.*\); export with Get-OutboundConnector \| ConvertTo-Json -Depth 5 > connectors\.json, or Get-OutboundConnector \| Format-List > connectors\.txt\n$/],
    ['half a connector list', [EXPORT[0], { Identity: 'half' }], /^probe: invalid connectors file ".*bad-1\.json": item #2 is not a connector \(it has no Name with SmartHosts, UseMXRecord or TlsSettings\)\n$/],
    ['a bad smart host', [EXPORT[0], { ...EXPORT[1], SmartHosts: 'pair.demo.test|bad_host!' }], /^probe: invalid connectors file ".*bad-2\.json": connector "O'Brien partner" \(#2\): SmartHosts: invalid target "bad_host!"/],
  ])('exit 3 and nothing probed for %s', async (_what, content, message) => {
    const n = ['not JSON', 'half a connector list', 'a bad smart host'].indexOf(_what);
    const file = exportFile(`bad-${n}.json`, content);
    const sessions = good.sessions.length;
    const queries = dns.queries.length;
    const r = await run(['verify', '--connectors', file, ...common()]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(good.sessions.length).toBe(sessions);
    expect(dns.queries.length).toBe(queries);
  });

  it.each([
    [['--connectors', '/nonexistent/connectors.json'], 'probe: cannot read connectors file "/nonexistent/connectors.json": ENOENT\n'],
    [[], 'probe: nothing to verify: give --connectors FILE (Get-OutboundConnector | ConvertTo-Json) or smart hosts\n'],
    [['mx1.demo.test', '--rcpt-test', 'a@b.test'], 'probe: invalid --rcpt-test "a@b.test": expected FROM,TO (two addresses, one comma)\n'],
    [['mx1.demo.test', '--max-message-size', 'huge'], 'probe: invalid maximum message size "huge": give bytes or a size such as 36MB or 150MB (MB = 1048576 bytes), at most 2GB\n'],
    [['mx1.demo.test', '--report', '/nonexistent/dir/report.html'], 'probe: cannot write report "/nonexistent/dir/report.html": the directory /nonexistent/dir does not exist\n'],
    // with --json, a usage error is JSON on stderr (issue 15)
    [['mx1.demo.test', '--json', '--markdown'], '{"error":{"kind":"usage","message":"--json and --markdown cannot be combined: choose one output on stdout"}}\n'],
  ])('exit 3 for bad input %j', async (args, stderr) => {
    const sessions = good.sessions.length;
    const r = await run(['verify', ...args, ...common()]);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(3);
    expect(good.sessions.length).toBe(sessions);
  });
});
