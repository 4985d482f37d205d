/**
 * Exchange's text, written and read back from the same tables (src/exchange-text.ts):
 * every failure the prober can produce is written as Exchange's queue line and read back
 * by `probe explain`'s parser, which must find the same code and an equivalent failure;
 * and every list of codes in the project is that one list.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateReason, FailureKind, FailureRecord } from '../probes/stage.js';
import { formatReply } from '../probes/smtp.js';
import { en } from '../src/catalog/en.js';
import { ptBR } from '../src/catalog/pt-br.js';
import { classify } from '../src/core/classify.js';
import {
  CHAIN_STATUS,
  CONNECTOR_CODES,
  CONNECTOR_STATUS,
  exchangeMessage,
  exchangeMessageText,
  findQueueSentence,
  findWinsock,
  formatIpPort,
  isKnownCode,
  KNOWN_CODES,
  policyMessage,
  POLICY_CODES,
  POLICY_STATUS,
  readMessageText,
  readSubjectMismatch,
  splitIpPort,
  subjectMismatchText,
  whoActs,
  WINSOCK,
} from '../src/core/exchange-text.js';
import { diagnose, diagnosePolicy } from '../src/core/diagnose.js';
import { explain, parseReport } from '../src/explain/explain.js';
import { UsageError } from '../src/core/options.js';
import { POLICY_CODES as POLICY_CODES_OF_POLICIES } from '../src/policies/types.js';
import { EXCHANGE_CODES } from '../src/core/result.js';
import { spoken } from './fixtures/spoken.js';

type ProbeKind = Exclude<FailureKind, 'cancelled'>;

/** What the prober writes for each kind, with the probes' own messages and errnos. */
const FAILURES: Record<ProbeKind, FailureRecord[]> = {
  'dns-nxdomain': [{ stage: 'dns', kind: 'dns-nxdomain', message: 'host mx1.demo.test does not exist (NXDOMAIN)', errno: 'ENOTFOUND' }],
  'dns-servfail': [{ stage: 'dns', kind: 'dns-servfail', message: 'MX of demo.test: the DNS server failed (SERVFAIL)', errno: 'ESERVFAIL' }],
  'dns-refused': [{ stage: 'dns', kind: 'dns-refused', message: 'MX of demo.test: the DNS server refused the query', errno: 'EREFUSED' }],
  'dns-timeout': [{ stage: 'dns', kind: 'dns-timeout', message: 'no DNS answer within 5000 ms', timeoutMs: 5000 }],
  'dns-no-address': [{ stage: 'dns', kind: 'dns-no-address', message: 'host mx1.demo.test has no A or AAAA record' }],
  'dns-null-mx': [{ stage: 'dns', kind: 'dns-null-mx', message: 'domain demo.test publishes a null MX (RFC 7505): it accepts no mail' }],
  'dns-error': [{ stage: 'dns', kind: 'dns-error', message: 'host mx1.demo.test could not be resolved (EBADRESP)', errno: 'EBADRESP' }],
  'connect-refused': [
    { stage: 'tcp', kind: 'connect-refused', message: '127.0.0.1 port 25: the connection was refused (TCP reset)', errno: 'ECONNREFUSED' },
    { stage: 'tcp', kind: 'connect-refused', message: '127.0.0.1 port 25: the connection was reset while connecting', errno: 'ECONNRESET' },
  ],
  'connect-timeout': [
    { stage: 'tcp', kind: 'connect-timeout', message: '127.0.0.1 port 25: the connection attempt timed out', errno: 'ETIMEDOUT' },
    { stage: 'tcp', kind: 'connect-timeout', message: 'no answer to the connection attempt within 10000 ms', timeoutMs: 10_000 },
  ],
  'connect-unreachable': ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL'].map((errno) => ({
    stage: 'tcp' as const,
    kind: 'connect-unreachable' as const,
    message: `127.0.0.1 port 25: unreachable (${errno})`,
    errno,
  })),
  reply: [
    { stage: 'banner', kind: 'reply', message: 'the server greeted with 421 4.3.2 Service not available', reply: { code: 421, enhanced: '4.3.2', lines: ['4.3.2 Service not available'] } },
    { stage: 'ehlo', kind: 'reply', message: 'the server rejected EHLO: 550 Access denied', reply: { code: 550, lines: ['Access denied', 'go away'] } },
    { stage: 'starttls', kind: 'reply', message: 'the server refused STARTTLS: 454 4.7.0 TLS not available', reply: { code: 454, enhanced: '4.7.0', lines: ['4.7.0 TLS not available'] } },
  ],
  'starttls-not-offered': [{ stage: 'starttls', kind: 'starttls-not-offered', message: 'the connector requires TLS (certificate-validation) but the server does not offer STARTTLS' }],
  'tls-version': [{ stage: 'tls', kind: 'tls-version', message: 'the server offers only TLS 1.0', errno: 'ERR_SSL_UNSUPPORTED_PROTOCOL', offered: 'TLSv1' }],
  'tls-no-shared-cipher': [{ stage: 'tls', kind: 'tls-no-shared-cipher', message: 'no cipher suite in common', errno: 'ERR_SSL_NO_SHARED_CIPHER' }],
  'tls-handshake': [{ stage: 'tls', kind: 'tls-handshake', message: 'the TLS handshake failed (ERR_SSL_WRONG_VERSION_NUMBER)', errno: 'ERR_SSL_WRONG_VERSION_NUMBER' }],
  timeout: [
    { stage: 'banner', kind: 'timeout', message: 'no greeting within 10000 ms', timeoutMs: 10_000 },
    { stage: 'ehlo', kind: 'timeout', message: 'no reply to EHLO within 10000 ms', timeoutMs: 10_000 },
  ],
  closed: [
    { stage: 'banner', kind: 'closed', message: 'the server closed the connection' },
    { stage: 'tls', kind: 'closed', message: 'the server closed the connection during the TLS handshake' },
  ],
  reset: [
    { stage: 'ehlo', kind: 'reset', message: 'the connection was reset', errno: 'ECONNRESET' },
    { stage: 'tls', kind: 'reset', message: 'the connection was reset during the TLS handshake', errno: 'ECONNRESET' },
    { stage: 'ehlo', kind: 'reset', message: 'socket error: EPIPE', errno: 'EPIPE' },
  ],
  certificate: (
    [
      ['expired', 'the certificate expired on 2026-01-01'],
      ['not-yet-valid', 'the certificate is not valid before 2027-01-01'],
      ['self-signed', 'the certificate is self-signed'],
      ['untrusted-root', 'the chain ends in a root that is not trusted (CN=Demo Root)'],
      ['incomplete-chain', 'the server does not send the intermediate certificate (CN=Demo CA) that links its certificate to a trusted root'],
      ['unknown-issuer', 'the issuer CN=Demo CA is not a trusted root and the server did not send it: an untrusted CA, or a missing intermediate'],
      ['revoked', 'the certificate has been revoked by its CA: it is no longer valid'],
      ['revocation-unknown', 'the revocation status of the certificate could not be established'],
      ['invalid', 'a signature in the certificate chain does not verify'],
    ] as Array<[CertificateReason, string]>
  )
    .map(([reason, message]): FailureRecord => ({ stage: 'certificate', kind: 'certificate', reason, message, thumbprint: 'D0AC1234' }))
    .concat([
      {
        stage: 'certificate',
        kind: 'certificate',
        reason: 'name-mismatch',
        message: 'the certificate is for EXCH01, not *.contoso.com',
        expected: '*.contoso.com',
        presented: 'CN=EXCH01',
        presentedNames: ['EXCH01'],
        thumbprint: 'D0AC1234',
      },
      { stage: 'certificate', kind: 'certificate', reason: 'name-mismatch', message: 'the certificate is for a.demo.test, not mx1.demo.test', expected: 'mx1.demo.test', presented: 'C=BR, O=Demo Ltd., CN=a.demo.test' },
    ]),
  protocol: [{ stage: 'banner', kind: 'protocol', message: 'the server does not speak SMTP', evidence: 'HTTP/1.1 400 Bad Request' }],
  internal: [{ stage: 'tcp', kind: 'internal', message: '127.0.0.1 port 25: EMFILE', errno: 'EMFILE' }],
};

/**
 * The kind each one reads back as. Where Exchange's text does not tell kinds apart, the
 * reader gives the one that stands for them all: every DNS failure is `ErrorRetry`, every
 * failed TLS negotiation is the same sentence. `null`: no Exchange code, nothing to read.
 */
const READ_BACK: Record<ProbeKind, FailureKind | null> = {
  'dns-nxdomain': 'dns-error',
  'dns-servfail': 'dns-error',
  'dns-refused': 'dns-error',
  'dns-timeout': 'dns-error',
  'dns-no-address': 'dns-error',
  'dns-null-mx': 'dns-error',
  'dns-error': 'dns-error',
  'connect-refused': 'connect-refused',
  'connect-timeout': 'connect-timeout',
  'connect-unreachable': 'connect-unreachable',
  reply: 'reply',
  'starttls-not-offered': 'starttls-not-offered',
  'tls-version': 'tls-handshake',
  'tls-no-shared-cipher': 'tls-handshake',
  'tls-handshake': 'tls-handshake',
  timeout: 'timeout',
  closed: 'closed',
  reset: 'reset',
  certificate: 'certificate',
  protocol: null,
  internal: null,
};

/** Windows gives one chain status for two reasons in three cases; the reader gives the first. */
const REASON_READ_BACK: Record<CertificateReason, CertificateReason> = {
  expired: 'expired',
  'not-yet-valid': 'expired',
  'name-mismatch': 'name-mismatch',
  'self-signed': 'untrusted-root',
  'untrusted-root': 'untrusted-root',
  'incomplete-chain': 'incomplete-chain',
  'unknown-issuer': 'incomplete-chain',
  revoked: 'revoked',
  'revocation-unknown': 'revocation-unknown',
  invalid: 'invalid',
};

const ROWS = (Object.entries(FAILURES) as Array<[ProbeKind, FailureRecord[]]>).flatMap(([kind, failures]) =>
  failures.flatMap((failure, i) =>
    [
      ['mx1.demo.test', '127.0.0.1', 25],
      ['mx2.demo.test', '2001:db8::25', 2525],
    ].map(([host, ip, port]) => ({ name: `${kind}#${i + 1}${failure.reason ? ` (${failure.reason})` : ''} at ${ip}`, kind, failure, host: host as string, ip: ip as string, port: port as number })),
  ),
);

describe('written, then read back by probe explain', () => {
  it('covers every failure kind but a cancellation, and every certificate reason', () => {
    const reasons = new Set(FAILURES.certificate.map((f) => f.reason));
    expect([...reasons].sort()).toEqual(Object.keys(CHAIN_STATUS).sort());
    for (const kind of Object.keys(READ_BACK) as ProbeKind[]) expect(FAILURES[kind].length).toBeGreaterThan(0);
  });

  it.each(ROWS)('$name', ({ kind, failure, host, ip, port }) => {
    const code = classify(failure);
    expect(code).not.toBeNull();
    const message = exchangeMessage(code as NonNullable<typeof code>, failure, host, ip, port);
    const want = READ_BACK[kind];
    if (want === null) {
      expect(code).toBe('other');
      expect(() => parseReport(message)).toThrow(UsageError);
      expect(() => parseReport(message)).toThrow(/holds no Exchange status code/);
      return;
    }
    const parsed = parseReport(message);
    expect(parsed).toMatchObject({ form: 'status', code, status: CONNECTOR_STATUS[code as keyof typeof CONNECTOR_STATUS], server: host, ip, port, truncated: false, redacted: [] });
    expect(parsed.failure.kind).toBe(want);
    if (failure.kind === 'connect-unreachable' || failure.kind === 'connect-refused' || failure.kind === 'connect-timeout') {
      // The errno comes back through the Winsock number whenever the table has a row for it.
      const row = WINSOCK.find((w) => w.kind === failure.kind && w.errno === failure.errno) ?? WINSOCK.find((w) => w.kind === failure.kind);
      expect(parsed.failure).toMatchObject({ stage: 'tcp', errno: row?.errno });
    }
    if (failure.reply) {
      expect(parsed.failure.reply).toMatchObject({ code: failure.reply.code, ...(failure.reply.enhanced ? { enhanced: failure.reply.enhanced } : {}) });
      expect(formatReply(parsed.failure.reply as NonNullable<FailureRecord['reply']>)).toBe(formatReply(failure.reply));
    }
    if (failure.kind === 'certificate') {
      const reason = failure.reason as CertificateReason;
      expect(parsed.failure.reason).toBe(REASON_READ_BACK[reason]);
      expect(CHAIN_STATUS[parsed.failure.reason as CertificateReason]).toBe(CHAIN_STATUS[reason]);
      if (reason === 'name-mismatch') {
        expect(parsed.failure).toMatchObject({ expected: failure.expected, presented: failure.presented });
        if (failure.thumbprint) expect(parsed.failure.thumbprint).toBe(failure.thumbprint);
      }
    }
  });

  it('the bracketed IPv6 form comes back with its port, also inside a trace reason with more fields after it', () => {
    const failure = FAILURES['connect-refused'][0] as FailureRecord;
    const message = exchangeMessage('4.4.316', failure, 'mx1.demo.test', '2001:DB8::25', 25);
    expect(message).toBe('450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx1.demo.test] [LastAttemptedIP=[2001:DB8::25]:25]');
    expect(parseReport(message)).toMatchObject({ server: 'mx1.demo.test', ip: '2001:db8::25', port: 25 });
    const led = `Reason: [{LED=${message} [SmtpSecurity=-2;-2]};{MSG=};{FQDN=mx1.demo.test};{IP=2001:db8::25};{LRT=3/7/2026 6:46:06 PM}]`;
    expect(parseReport(led)).toMatchObject({ form: 'trace', code: '4.4.316', ip: '2001:db8::25', port: 25, smtpSecurity: '-2;-2' });
  });

  it('explain diagnoses what the prober wrote with the same code and the fix for the same kind', async () => {
    const failure = FAILURES.reset[0] as FailureRecord;
    const result = await explain(exchangeMessage('4.4.318', failure, 'mx1.demo.test', '127.0.0.1', 25), { offline: true });
    expect(result.diagnosis).toMatchObject({ code: '4.4.318', kind: 'reset', firstFix: en.kinds.reset });
  });
});

describe('the tables', () => {
  it.each(WINSOCK.map((w) => [w.number, w] as const))('Winsock %i reads back as its kind and stage, in either of Exchange\'s phrasings', (number, w) => {
    for (const text of [`Socket error code ${number}`, `Failed to connect. Winsock error code: ${number}, Win32 error code: ${number}`]) {
      expect(readMessageText('4.4.317', text)).toMatchObject({ kind: w.kind, stage: w.stage, ...(w.errno ? { errno: w.errno } : {}) });
    }
  });

  it('each Winsock number and each errno appears once', () => {
    expect(new Set(WINSOCK.map((w) => w.number)).size).toBe(WINSOCK.length);
    const errnos = WINSOCK.map((w) => w.errno).filter((e) => e !== null);
    expect(new Set(errnos).size).toBe(errnos.length);
  });

  it.each(Object.entries(CHAIN_STATUS))('%s is written as %s and that name reads back as a reason with the same name', (reason, name) => {
    const failure = readMessageText('4.7.320', `${name}: the chain did not verify`);
    expect(failure.kind).toBe('certificate');
    expect(failure.reason).toBe(REASON_READ_BACK[reason as CertificateReason]);
  });

  it('RevocationStatusUnknown is not read as a shorter name', () => {
    expect(readMessageText('4.7.320', 'RevocationStatusUnknown: no CRL').reason).toBe('revocation-unknown');
  });

  it("a server's own reply that says expired is the server's reply, not a certificate", () => {
    expect(readMessageText('4.4.317', '421 4.4.2 session expired')).toMatchObject({ kind: 'reply', reply: { code: 421, enhanced: '4.4.2' } });
    expect(readMessageText('4.7.320', 'the certificate expired on 2026-01-01')).toMatchObject({ kind: 'certificate', reason: 'expired' });
  });

  it('plain words imply a kind only when the pasted code can carry it', () => {
    expect(readMessageText('4.4.316', 'connection refused').kind).toBe('connect-refused');
    expect(readMessageText('4.4.315', 'connection timed out').kind).toBe('connect-timeout');
    // A 4.4.318 that timed out stalled after connecting; a 4.4.317 is never a refused connect.
    expect(readMessageText('4.4.318', 'the session timed out').kind).toBe('timeout');
    expect(readMessageText('4.4.317', 'relay refused').kind).toBe('reply');
  });

  it('the SubjectMismatch sentence is written and read by the same shape', () => {
    const text = subjectMismatchText({ expected: '*.contoso.com', presented: 'CN=EXCH01', thumbprint: 'D0AC1234' });
    expect(text).toBe('SubjectMismatch Expected Subject: *.contoso.com. Presented Subject: CN=EXCH01. Thumbprint: D0AC1234.');
    expect(readSubjectMismatch(text)).toEqual({ expected: '*.contoso.com', presented: 'CN=EXCH01', thumbprint: 'D0AC1234' });
    expect(readSubjectMismatch('SubjectMismatch')).toEqual({ expected: null, presented: null, thumbprint: null });
  });

  it.each([
    ['203.0.113.25:25', { ip: '203.0.113.25', port: 25 }],
    ['[2001:db8::25]:25', { ip: '2001:db8::25', port: 25 }],
    ['[2001:db8::25]', { ip: '2001:db8::25', port: null }],
    ['2001:db8::25', { ip: '2001:db8::25', port: null }],
    ['203.0.113.\n 25:25', { ip: '203.0.113.25', port: 25 }],
    ['x.x.x.x:25', { ip: null, port: null }],
    ['mail.contoso.com:25', { ip: null, port: null }],
    [`${'1'.repeat(5000)}:25`, { ip: null, port: null }],
  ])('splitIpPort(%j)', (value, want) => {
    expect(splitIpPort(value)).toEqual(want);
  });
});

describe('one list of codes', () => {
  it('the result, the policies and explain take their codes from it, in Exchange order', () => {
    expect(EXCHANGE_CODES).toEqual([...CONNECTOR_CODES, 'other']);
    expect(CONNECTOR_CODES).toEqual(['4.4.312', '4.4.315', '4.4.316', '4.4.317', '4.4.318', '4.7.320']);
    expect(POLICY_CODES).toEqual(['4.7.321', '4.7.322', '4.7.323', '4.7.324', '4.7.325']);
    expect(POLICY_CODES_OF_POLICIES).toBe(POLICY_CODES);
    expect(KNOWN_CODES).toEqual([...CONNECTOR_CODES, ...POLICY_CODES]);
  });

  it.each(KNOWN_CODES)('%s: its status line is `450 <code> …` and both catalogs show exactly it', (code) => {
    const status = (CONNECTOR_STATUS as Record<string, string>)[code] ?? (POLICY_STATUS as Record<string, string>)[code];
    expect(status).toMatch(new RegExp(`^450 ${code.replace(/\./g, '\\.')} [a-zA-Z]`));
    for (const catalog of [en, ptBR]) {
      const entry = (catalog.codes as Record<string, { status: string | null }>)[code] ?? (catalog.policyCodes as Record<string, { status: string | null }>)[code];
      expect(entry?.status).toBe(status);
    }
    // explain reads each code, and its 5.x.x bounce form.
    expect(parseReport(status as string).code).toBe(code);
    expect(parseReport(`550 5.${code.slice(2)} Message expired`)).toMatchObject({ code, expired: true });
  });

  it("explain's refusal names the codes from the list", () => {
    // With its reply code (`550 5.1.1 User unknown`) a foreign status is explained as `other`; bare, it is refused.
    expect(() => parseReport('the code was 5.1.1')).toThrow(`5.1.1 is not one of the connector codes ${CONNECTOR_CODES.join(', ')} or the DANE codes 4.7.321–4.7.325`);
  });
});

// Issue 20: what mutation testing found unasserted (docs/mutation.md), each written or read exactly.
describe('written exactly', () => {
  const refused: FailureRecord = { stage: 'tcp', kind: 'connect-refused', message: 'refused', errno: 'ECONNREFUSED' };

  it('an IPv4 address and its port, unbracketed; IPv6 bracketed', () => {
    expect([formatIpPort('127.0.0.1', 25), formatIpPort('::1', 2525)]).toEqual(['127.0.0.1:25', '[::1]:2525']);
  });

  it('a path without an address has no LastAttemptedIP; a failure without a code says "other" and its message', () => {
    expect(exchangeMessage('4.4.316', refused, 'mx1.contoso.test', null, 25)).toBe(
      '450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx1.contoso.test]',
    );
    expect(exchangeMessage('other', { stage: 'banner', kind: 'protocol', message: 'not SMTP' }, 'mx1.contoso.test', '127.0.0.1', 25)).toBe(
      'other: not SMTP [Message=not SMTP] [LastAttemptedServerName=mx1.contoso.test] [LastAttemptedIP=127.0.0.1:25]',
    );
  });

  it("a DNS failure is Exchange's ErrorRetry; a certificate without a reason is NotSignatureValid", () => {
    expect(exchangeMessageText({ stage: 'dns', kind: 'dns-nxdomain', message: 'host mx1.contoso.test does not exist' })).toBe('ErrorRetry');
    expect(exchangeMessageText({ stage: 'certificate', kind: 'certificate', message: 'bad chain' })).toBe('NotSignatureValid: bad chain');
  });

  it.each([
    ['4.7.323', '127.0.0.1', '450 4.7.323 tlsa-invalid [Message=no TLSA record matches] [LastAttemptedServerName=mx1.contoso.test] [LastAttemptedIP=127.0.0.1:25]'],
    ['other', null, 'other: no TLSA record matches [Message=no TLSA record matches] [LastAttemptedServerName=mx1.contoso.test]'],
  ] as const)('the policy line for %s (address %s)', (code, ip, line) => {
    expect(policyMessage(code, 'no TLSA record matches', 'mx1.contoso.test', ip, 25)).toBe(line);
  });

  it('known codes are the connector and policy codes, nothing else', () => {
    expect(['4.4.316', '4.7.325', '4.4.319', '4.7.326', '5.7.1', ''].map(isKnownCode)).toEqual([true, true, false, false, false, false]);
  });
});

describe('read exactly', () => {
  it.each([
    ['4.4.312', { stage: 'dns', kind: 'dns-error' }],
    ['4.4.315', { stage: 'tcp', kind: 'connect-timeout' }],
    ['4.4.316', { stage: 'tcp', kind: 'connect-refused' }],
    ['4.4.317', { stage: 'ehlo', kind: 'reply' }],
    ['4.4.318', { stage: 'banner', kind: 'closed' }],
    ['4.7.320', { stage: 'certificate', kind: 'certificate', reason: 'invalid' }],
    ['4.7.321', { stage: 'starttls', kind: 'starttls-not-offered' }],
    ['4.7.322', { stage: 'certificate', kind: 'certificate', reason: 'expired' }],
    ['4.7.323', { stage: 'certificate', kind: 'certificate', reason: 'invalid' }],
    ['4.7.324', { stage: 'certificate', kind: 'certificate', reason: 'invalid' }],
    ['4.7.325', { stage: 'certificate', kind: 'certificate', reason: 'name-mismatch' }],
  ] as const)('%s with no detail', (code, want) => {
    expect(spoken(readMessageText(code, null))).toEqual({ ...want, message: `reported as ${code}` });
  });

  it('the detail is cut, its whitespace folded and trimmed', () => {
    expect(readMessageText('4.4.316', '  connection \n  refused  ')).toEqual({ stage: 'tcp', kind: 'connect-refused', message: 'connection refused' });
    expect(readMessageText('4.4.318', `${'x'.repeat(1200)} refused`).message).toBe('x'.repeat(1000));
  });

  it("TLS and the remote reply, with their stages; the reply's enhanced code by its grammar, anchored at the start", () => {
    expect(readMessageText('4.4.317', '451 4.4.0 TLS negotiation failed with error SocketError')).toEqual({ stage: 'tls', kind: 'tls-handshake', message: '451 4.4.0 TLS negotiation failed with error SocketError' });
    expect(readMessageText('4.4.317', '550 5.7.133 sender not allowed')).toEqual({
      stage: 'banner',
      kind: 'reply',
      message: '550 5.7.133 sender not allowed',
      reply: { code: 550, enhanced: '5.7.133', lines: ['5.7.133 sender not allowed'] },
    });
    expect(readMessageText('4.4.317', '554 5.10.1 no')).toMatchObject({ reply: { code: 554, enhanced: '5.10.1', lines: ['5.10.1 no'] } });
    expect(readMessageText('4.4.317', '421 busy')).toMatchObject({ reply: { code: 421, lines: ['busy'] } });
    expect(readMessageText('4.4.317', 'the server said 421 busy')).toEqual({ stage: 'ehlo', kind: 'reply', message: 'the server said 421 busy' });
  });

  it('plain certificate words: expired, and every spelling of self-signed', () => {
    expect(['the certificate expired', 'self-signed', 'a self signed cert', 'SelfSigned'].map((d) => readMessageText('4.7.320', d).reason)).toEqual([
      'expired',
      'untrusted-root',
      'untrusted-root',
      'untrusted-root',
    ]);
  });

  it("a status other than SubjectMismatch does not read the mismatch sentence's fields", () => {
    expect(readMessageText('4.7.320', 'UntrustedRoot Expected Subject: a.contoso.test. Presented Subject: CN=b')).toEqual({
      stage: 'certificate',
      kind: 'certificate',
      reason: 'untrusted-root',
      message: 'UntrustedRoot Expected Subject: a.contoso.test. Presented Subject: CN=b',
    });
  });

  it('a reset and a stall read from words happen after the connect, at the greeting', () => {
    expect(readMessageText('4.4.318', 'the connection was reset')).toEqual({ stage: 'banner', kind: 'reset', message: 'the connection was reset' });
    expect(readMessageText('4.4.318', 'no reply within 5000 ms')).toEqual({ stage: 'banner', kind: 'timeout', message: 'no reply within 5000 ms' });
  });

  it('the SubjectMismatch sentence without its names keeps its shape', () => {
    expect(subjectMismatchText({})).toBe('SubjectMismatch Expected Subject: . Presented Subject: .');
  });

  it('STARTTLS not offered, with or without "was", under 4.4.317', () => {
    expect([readMessageText('4.4.317', 'STARTTLS not offered'), readMessageText('4.4.317', 'STARTTLS was not offered')].map((f) => [f.stage, f.kind])).toEqual([
      ['starttls', 'starttls-not-offered'],
      ['starttls', 'starttls-not-offered'],
    ]);
  });

  it.each([
    ['Expected Subject: mail.contoso.test', { expected: 'mail.contoso.test', presented: null, thumbprint: null }],
    ['Expected Subject: mail.contoso.test and the rest', { expected: 'mail.contoso.test', presented: null, thumbprint: null }],
    ['Expected Subject: mail.contoso.test.Presented Subject: CN=x', { expected: 'mail.contoso.test', presented: 'CN=x', thumbprint: null }],
    ['Expected Subject: mail.contoso.test.Thumbprint: AB12', { expected: 'mail.contoso.test', presented: null, thumbprint: 'AB12' }],
    ['Expected Subject:Presented Subject: CN=x', { expected: null, presented: 'CN=x', thumbprint: null }],
    ['SubjectMismatch Presented Subject: CN=x .', { expected: null, presented: 'CN=x', thumbprint: null }],
  ])('readSubjectMismatch(%j)', (text, want) => {
    expect(readSubjectMismatch(text)).toEqual(want);
  });

  it('a presented subject after the thumbprint runs to the end (the thumbprint does not cut it)', () => {
    expect(readSubjectMismatch('Thumbprint: AB12. Presented Subject: CN=x')).toMatchObject({ expected: null, presented: 'CN=x' });
  });

  it.each([
    [null, { ip: null, port: null }],
    ['x[::1]:25', { ip: null, port: null }],
    ['[::1]:25x', { ip: null, port: null }],
    ['127.0.0.1:abc', { ip: null, port: null }],
    ['127.0.0.1:25x', { ip: null, port: null }],
    ['127.0.0.1:x25', { ip: null, port: null }],
    [`[fe80::1%${'a'.repeat(52)}]:25`, { ip: null, port: null }],
    [`[fe80::1%${'a'.repeat(51)}]:25`, { ip: `fe80::1%${'a'.repeat(51)}`, port: 25 }],
  ])('splitIpPort(%j), the edges', (value, want) => {
    expect(splitIpPort(value)).toEqual(want);
  });

  it('queue sentences and Winsock numbers, in any case and spacing; nothing after the field limit', () => {
    expect(findQueueSentence('451 4.4.0 PRIMARY TARGET IP ADDRESS RESPONDED WITH: "421 busy"')?.text).toBe('Primary target IP address responded with');
    expect(findQueueSentence('all is well')).toBeUndefined();
    expect(findWinsock('Winsock error code:10060')?.name).toBe('WSAETIMEDOUT');
    expect(findWinsock(`${'x'.repeat(1000)} Socket error code 10061`)).toBeUndefined();
  });

  it.each([
    ['5.7.708', { who: 'microsoft', subject: 'security' }],
    ['4.7.510', { who: 'microsoft', subject: 'security' }],
    ['5.1.1', { who: 'sender', subject: 'address' }],
    ['5.2.2', { who: 'recipient', subject: 'mailbox' }],
    ['4.3.2', { who: 'recipient', subject: 'system' }],
    ['4.4.7', { who: 'recipient', subject: 'network' }],
    ['5.5.4', { who: 'sender', subject: 'protocol' }],
    ['5.6.0', { who: 'sender', subject: 'content' }],
    ['5.7.1', { who: 'recipient', subject: 'security' }],
    ['2.0.0', undefined],
  ])('whoActs(%s)', (enhanced, want) => {
    expect(whoActs(enhanced)).toEqual(want);
  });

  it('the last endpoint of an on-premises queue and the innermost cause of a chained bounce are read', () => {
    expect(parseReport('451 4.4.0 Primary target IP address responded with: "421 4.4.1 busy." The last endpoint attempted was 127.0.0.1:25')).toMatchObject({ ip: '127.0.0.1', port: 25 });
    expect(parseReport('550 5.4.300 Message expired -> 451 4.4.400 Target host responded with error -> 421 4.4.2 Connection dropped due to SocketError')).toMatchObject({
      form: 'chained',
      code: '4.4.318',
    });
  });
});

describe('the diagnosis, exactly', () => {
  it("a certificate failure's first fix is its reason's (invalid without one); other kinds', their kind's", () => {
    expect(diagnose('4.7.320', { stage: 'certificate', kind: 'certificate', message: 'x', reason: 'expired' }).firstFix).toBe(en.reasons.expired);
    expect(diagnose('4.7.320', { stage: 'certificate', kind: 'certificate', message: 'x' }).firstFix).toBe(en.reasons.invalid);
    expect(diagnose('4.4.316', { stage: 'tcp', kind: 'connect-refused', message: 'x' }).firstFix).toBe(en.kinds['connect-refused']);
  });

  it('what the server said: its reply, else the evidence, else nothing; the mismatch note only for a name mismatch', () => {
    expect(diagnose('4.4.317', { stage: 'banner', kind: 'protocol', message: 'x', evidence: 'HTTP/1.1 400' }).serverSaid).toBe('HTTP/1.1 400');
    expect(diagnose('4.4.318', { stage: 'banner', kind: 'closed', message: 'x' }).serverSaid).toBe(null);
    const mismatch = diagnose('4.7.320', { stage: 'certificate', kind: 'certificate', message: 'x', reason: 'name-mismatch' });
    expect(mismatch.note).toBe(en.mismatchNote);
    expect(diagnose('4.7.320', { stage: 'certificate', kind: 'certificate', message: 'x', reason: 'expired' })).not.toHaveProperty('note');
  });

  it.each([
    ['4.7.321', 'starttls'],
    ['4.7.322', 'certificate'],
    ['4.7.323', 'certificate'],
    ['4.7.324', 'dns'],
    ['4.7.325', 'certificate'],
    ['other', 'certificate'],
  ] as const)("a policy refusal %s: the stage it bites at (%s), the policy's entry and first fix", (code, stage) => {
    const entry = code === 'other' ? en.policyOther : en.policyCodes[code];
    expect(diagnosePolicy({ policy: 'DANE', domain: 'contoso.test', problem: 'no match', code })).toEqual({
      code,
      status: entry.status,
      title: entry.title,
      meaning: entry.meaning,
      causes: entry.causes,
      fixes: entry.fixes,
      partner: en.policyPartner,
      stage,
      kind: 'policy',
      summary: "contoso.test's DANE policy: no match",
      summaryId: 'judge.policy-summary',
      summaryArgs: { domain: 'contoso.test', policy: 'DANE', problem: 'no match' },
      firstFix: entry.fixes[0],
      serverSaid: null,
    });
  });
});

