/**
 * Exchange Online's own text, in one place: the codes and their status lines, the fields
 * of its queue and message-trace lines (`[Message=…] [LastAttemptedServerName=…]
 * [LastAttemptedIP=…:25]`), the Windows socket errors and certificate chain statuses it
 * quotes, and the SubjectMismatch sentence. The prober WRITES these (`exchangeMessage`,
 * for every failed path) and `probe explain` READS them back (`readMessageText`, the
 * field names, `splitIpPort`) from the same tables, so the two cannot drift apart
 * (test/exchange-text.test.ts writes every failure and reads it back).
 *
 * Sources: /work/shared/EXCHANGE.md (Microsoft's "Mail flow intelligence" page, the
 * Exchange Team blog, real traces and bounces); Windows' Winsock error list and
 * X509ChainStatusFlags for the numbers and names Exchange prints.
 *
 * Every reader here runs on a capped value (`MAX_FIELD_CHARS`) and uses only indexOf,
 * literal alternations and anchored patterns: a paste is untrusted input and must parse
 * in time linear in its length.
 */
import net from 'node:net';
import { say } from '../../probes/messages.js';
import { formatReply } from '../../probes/smtp.js';
import type { CertificateReason, FailureKind, FailureRecord, StageName } from '../../probes/stage.js';
import { classify } from './classify.js';

/** The connector codes ("Mail flow intelligence"), each with its status line as Exchange writes it. */
export const CONNECTOR_STATUS = {
  '4.4.312': '450 4.4.312 DNS query failed',
  '4.4.315': '450 4.4.315 Connection timed out',
  '4.4.316': '450 4.4.316 Connection refused',
  '4.4.317': '450 4.4.317 Cannot connect to remote server',
  '4.4.318': '450 4.4.318 Connection was closed abruptly',
  '4.7.320': '450 4.7.320 Certificate validation failed',
} as const;

/** The codes Exchange Online gives when a recipient domain's DANE (or MTA-STS) policy is not met. */
export const POLICY_STATUS = {
  '4.7.321': '450 4.7.321 starttls-not-supported',
  '4.7.322': '450 4.7.322 certificate-expired',
  '4.7.323': '450 4.7.323 tlsa-invalid',
  '4.7.324': '450 4.7.324 dnssec-invalid',
  '4.7.325': '450 4.7.325 certificate-host-mismatch',
} as const;

export type ConnectorCode = keyof typeof CONNECTOR_STATUS;
export type PolicyCode = keyof typeof POLICY_STATUS;
/** Every code `probe explain` reads. */
export type KnownCode = ConnectorCode | PolicyCode;

// String keys that are not array indices keep their insertion order (ECMA-262 §10.1.11.1).
export const CONNECTOR_CODES = Object.keys(CONNECTOR_STATUS) as readonly ConnectorCode[];
export const POLICY_CODES = Object.keys(POLICY_STATUS) as readonly PolicyCode[];
export const KNOWN_CODES: readonly KnownCode[] = [...CONNECTOR_CODES, ...POLICY_CODES];

export function isConnectorCode(code: string): code is ConnectorCode {
  return Object.hasOwn(CONNECTOR_STATUS, code);
}

export function isKnownCode(code: string): code is KnownCode {
  return isConnectorCode(code) || Object.hasOwn(POLICY_STATUS, code);
}

/** The status line of a code: `450 4.4.316 Connection refused`. */
export function statusLine(code: KnownCode): string {
  return isConnectorCode(code) ? CONNECTOR_STATUS[code] : POLICY_STATUS[code as PolicyCode];
}

/** The bracketed fields of a queue or trace line, in the order Exchange writes them. */
export const FIELD = {
  message: 'Message',
  server: 'LastAttemptedServerName',
  ip: 'LastAttemptedIP',
  smtpSecurity: 'SmtpSecurity',
} as const;

/** The brace fields of a message-trace reason: `[{LED=…};{MSG=…};{FQDN=…};{IP=…};{LRT=…}]`. */
export const BRACE_FIELD = { led: 'LED', message: 'MSG', server: 'FQDN', ip: 'IP', lastAttempt: 'LRT' } as const;

/** The trace's tail: `OutboundProxyTargetIP: 203.0.113.25. OutboundProxyTargetHostName: mail.contoso.com`. */
export const PROXY_FIELD = { ip: 'OutboundProxyTargetIP', server: 'OutboundProxyTargetHostName' } as const;

/** On-premises queues end a failover error with `The last endpoint attempted was 203.0.113.25:25`. */
export const LAST_ENDPOINT = 'The last endpoint attempted was';

/** The NDR's diagnostic line: `Server at mail.contoso.com (203.0.113.25) returned '550 5.4.317 …'`. */
export const NDR_SERVER = { before: 'Server at', after: 'returned' } as const;

/** Exchange Online's chained expiry bounce separates each cause with this, outermost first. */
export const CHAIN_ARROW = '->';

/** A field value longer than this is cut before any pattern looks at it. */
export const MAX_FIELD_CHARS = 1000;

/** What 4.4.312 traces carry in `[Message=…]`; the report says what DNS actually answered. */
export const DNS_TEXT = 'ErrorRetry';

/** Exchange's own sentence for a TLS upgrade that failed, whatever the TLS error was. */
export const TLS_TEXT = '451 4.4.0 TLS negotiation failed with error SocketError';
/** Pieces of Exchange's TLS sentences (`… TLS negotiation failed …`, `451 4.4.0 Security status IllegalMessage`). */
const TLS_MARKERS = ['TLS negotiation failed', 'Security status', 'IllegalMessage'];

/**
 * Windows socket errors, as Exchange quotes them (`Socket error code 10061`, `Failed to
 * connect. Winsock error code: 995, Win32 error code: 995`): the Node errno each one
 * corresponds to, what it means, and the failure it implies. The first row of a kind is
 * what the writer uses when the failure's errno has no row of its own.
 */
export const WINSOCK = [
  { number: 10061, errno: 'ECONNREFUSED', name: 'WSAECONNREFUSED', kind: 'connect-refused', stage: 'tcp', meaning: 'the connection was refused' },
  { number: 10060, errno: 'ETIMEDOUT', name: 'WSAETIMEDOUT', kind: 'connect-timeout', stage: 'tcp', meaning: 'the connection attempt timed out' },
  { number: 10065, errno: 'EHOSTUNREACH', name: 'WSAEHOSTUNREACH', kind: 'connect-unreachable', stage: 'tcp', meaning: 'no route to the host' },
  { number: 10051, errno: 'ENETUNREACH', name: 'WSAENETUNREACH', kind: 'connect-unreachable', stage: 'tcp', meaning: 'the network is unreachable' },
  { number: 10064, errno: 'EHOSTDOWN', name: 'WSAEHOSTDOWN', kind: 'connect-unreachable', stage: 'tcp', meaning: 'the host is down' },
  { number: 10050, errno: 'ENETDOWN', name: 'WSAENETDOWN', kind: 'connect-unreachable', stage: 'tcp', meaning: 'the network is down' },
  { number: 10049, errno: 'EADDRNOTAVAIL', name: 'WSAEADDRNOTAVAIL', kind: 'connect-unreachable', stage: 'tcp', meaning: 'the address cannot be reached' },
  // Exchange's "Cannot establish session" variant: the connect was aborted.
  { number: 995, errno: null, name: 'ERROR_OPERATION_ABORTED', kind: 'closed', stage: 'tcp', meaning: 'the connection attempt was aborted' },
  // Read only (the writer quotes Winsock numbers for connect failures): a connection the
  // server reset, and a name Windows could not resolve (on-premises queues print these).
  { number: 10054, errno: 'ECONNRESET', name: 'WSAECONNRESET', kind: 'reset', stage: 'banner', meaning: 'the server reset the connection' },
  { number: 11001, errno: 'ENOTFOUND', name: 'WSAHOST_NOT_FOUND', kind: 'dns-error', stage: 'dns', meaning: 'the host name was not found' },
] as const satisfies ReadonlyArray<{ number: number; errno: string | null; name: string; kind: FailureKind; stage: StageName; meaning: string }>;

export type WinsockError = (typeof WINSOCK)[number];

/** The Winsock error Exchange would quote for a TCP failure. */
export function winsockFor(failure: Pick<FailureRecord, 'kind' | 'errno'>): WinsockError | undefined {
  return WINSOCK.find((w) => w.kind === failure.kind && w.errno === failure.errno) ?? WINSOCK.find((w) => w.kind === failure.kind);
}

/**
 * Windows' chain-status names (X509ChainStatusFlags), the vocabulary Exchange's own
 * transport logs use for a certificate that fails; SubjectMismatch is Exchange's own.
 * Two reasons share a name where Windows does not tell them apart; reading back gives
 * the first reason listed with that name.
 */
export const CHAIN_STATUS = {
  'name-mismatch': 'SubjectMismatch',
  expired: 'NotTimeValid',
  'not-yet-valid': 'NotTimeValid',
  'untrusted-root': 'UntrustedRoot',
  'self-signed': 'UntrustedRoot',
  'incomplete-chain': 'PartialChain',
  'unknown-issuer': 'PartialChain',
  revoked: 'Revoked',
  'revocation-unknown': 'RevocationStatusUnknown',
  invalid: 'NotSignatureValid',
} as const satisfies Record<CertificateReason, string>;

export type ChainStatusName = (typeof CHAIN_STATUS)[CertificateReason];

/** Chain-status name → the reason it reads back as (the first reason listed with it). */
const CHAIN_READ = new Map<string, CertificateReason>();
for (const [reason, name] of Object.entries(CHAIN_STATUS) as Array<[CertificateReason, ChainStatusName]>) {
  if (!CHAIN_READ.has(name.toLowerCase())) CHAIN_READ.set(name.toLowerCase(), reason);
}
/** Plain words people paste instead; read only when the detail is not the server's own reply. */
const CHAIN_WORDS = new Map<string, CertificateReason>([
  ['expired', 'expired'],
  ['self-signed', 'untrusted-root'],
  ['self signed', 'untrusted-root'],
  ['selfsigned', 'untrusted-root'],
]);
// Literal alternations, longest first, so `RevocationStatusUnknown` is not read as a shorter name.
const alternation = (words: Iterable<string>): RegExp =>
  new RegExp([...words].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'i');
const CHAIN_PATTERN = alternation(CHAIN_READ.keys());
const CHAIN_WORD_PATTERN = alternation(CHAIN_WORDS.keys());

const MISMATCH = { expected: 'Expected Subject:', presented: 'Presented Subject:', thumbprint: 'Thumbprint:' } as const;

/**
 * Exchange's sentence for a name mismatch (Microsoft's 2025 hybrid blog), thumbprint
 * included when known: `SubjectMismatch Expected Subject: *.contoso.com. Presented
 * Subject: CN=EXCH01. Thumbprint: D0AC….`
 */
export function subjectMismatchText(f: Pick<FailureRecord, 'expected' | 'presented' | 'thumbprint'>): string {
  const thumbprint = f.thumbprint ? ` ${MISMATCH.thumbprint} ${f.thumbprint}.` : '';
  return `${CHAIN_STATUS['name-mismatch']} ${MISMATCH.expected} ${f.expected ?? ''}. ${MISMATCH.presented} ${f.presented ?? ''}.${thumbprint}`;
}

/** The parts of a SubjectMismatch sentence, by position (no pattern that could backtrack). */
export function readSubjectMismatch(text: string): { expected: string | null; presented: string | null; thumbprint: string | null } {
  const lower = text.toLowerCase();
  const at = (label: string): number => {
    const i = lower.indexOf(label.toLowerCase());
    return i < 0 ? -1 : i + label.length;
  };
  const e = at(MISMATCH.expected);
  const p = at(MISMATCH.presented);
  const t = at(MISMATCH.thumbprint);
  const value = (start: number, end: number): string | null => {
    if (start < 0) return null;
    const v = text.slice(start, end < start ? undefined : end).trim().replace(/\.$/, '').trim();
    return v || null;
  };
  // The expected subject is one name; it ends at the first space (older forms run on).
  const expectedRaw = value(e, p >= 0 ? p - MISMATCH.presented.length : t >= 0 ? t - MISMATCH.thumbprint.length : -1);
  const expected = expectedRaw ? (expectedRaw.split(/\s/, 1)[0] ?? '').replace(/\.$/, '') || null : null;
  const presented = value(p, t >= 0 && t > p ? t - MISMATCH.thumbprint.length : -1);
  return { expected, presented, thumbprint: value(t, -1) };
}

/** The `[Message=…]` part: what Exchange would quote for this failure. */
export function exchangeMessageText(failure: FailureRecord): string {
  if (classify(failure) === '4.4.312') return DNS_TEXT;
  switch (failure.kind) {
    case 'connect-refused':
    case 'connect-timeout':
    case 'connect-unreachable':
      return `Socket error code ${winsockFor(failure)?.number ?? WINSOCK[1].number}`;
    case 'reply':
      return failure.reply ? formatReply(failure.reply) : failure.message;
    case 'tls-version':
    case 'tls-no-shared-cipher':
    case 'tls-handshake':
      return TLS_TEXT;
    case 'certificate':
      if (failure.reason === 'name-mismatch') return subjectMismatchText(failure);
      return `${CHAIN_STATUS[failure.reason ?? 'invalid']}: ${failure.message}`;
    default:
      // No known Exchange sentence: the prober's own words (readMessageText knows them).
      return failure.message;
  }
}

/** `203.0.113.7:25`, `[2001:db8::25]:25`: Exchange brackets an IPv6 address before the port. */
export function formatIpPort(ip: string, port: number): string {
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

/**
 * The one-line message in the shape of Exchange Online's queue and message-trace text:
 * `450 4.4.317 Cannot connect to remote server [Message=421 4.3.2 Service not available]
 * [LastAttemptedServerName=smarthost.contoso.com] [LastAttemptedIP=203.0.113.7:25]`.
 *
 * @example
 * ```ts
 * exchangeMessage('4.4.316', failure, 'mx1.contoso.com', '203.0.113.7', 25);
 * // '450 4.4.316 Connection refused [Message=Socket error code 10061] [LastAttemptedServerName=mx1.contoso.com] [LastAttemptedIP=203.0.113.7:25]'
 * ```
 */
export function exchangeMessage(code: ConnectorCode | 'other', failure: FailureRecord, host: string, ip: string | null, port: number): string {
  const parts = [
    code === 'other' ? `other: ${failure.message}` : CONNECTOR_STATUS[code],
    `[${FIELD.message}=${exchangeMessageText(failure)}]`,
    `[${FIELD.server}=${host}]`,
  ];
  if (ip) parts.push(`[${FIELD.ip}=${formatIpPort(ip, port)}]`);
  return parts.join(' ');
}

/**
 * The queue line of a path the recipient domain's DANE or MTA-STS policy refuses:
 * `450 4.7.323 tlsa-invalid [Message=…] [LastAttemptedServerName=…] [LastAttemptedIP=…:25]`
 * (`other: …` for an MTA-STS refusal Exchange documents no code for).
 */
export function policyMessage(code: PolicyCode | 'other', problem: string, host: string, ip: string | null, port: number): string {
  const parts = [code === 'other' ? `other: ${problem}` : POLICY_STATUS[code], `[${FIELD.message}=${problem}]`, `[${FIELD.server}=${host}]`];
  if (ip) parts.push(`[${FIELD.ip}=${formatIpPort(ip, port)}]`);
  return parts.join(' ');
}

/** `203.0.113.25:25`, `[2001:db8::25]:25`, or a bare address; whitespace a wrap put inside is dropped. */
export function splitIpPort(value: string | null): { ip: string | null; port: number | null } {
  if (!value) return { ip: null, port: null };
  const v = value.replace(/\s+/g, '');
  if (v.length > 64) return { ip: null, port: null };
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v);
  if (bracketed) {
    const ip = bracketed[1] ?? '';
    return { ip: net.isIP(ip) ? ip.toLowerCase() : null, port: bracketed[2] ? Number(bracketed[2]) : null };
  }
  if (net.isIP(v)) return { ip: v.toLowerCase(), port: null };
  const colon = v.lastIndexOf(':');
  const port = v.slice(colon + 1);
  const ip = v.slice(0, colon);
  if (colon > 0 && /^\d{1,5}$/.test(port) && net.isIPv4(ip)) return { ip, port: Number(port) };
  return { ip: null, port: null };
}

/**
 * Sentences of on-premises and hybrid Exchange queues (`Get-Queue`, `Get-Message`) and of
 * Exchange Online's chained expiry bounce, each with the wire outcome it states: the
 * Exchange Online code follows from `classify`. `reply` marks the sentences that quote the
 * remote server's reply in double quotes (`… responded with: "421 4.4.1 …"`); `winsock`
 * those that quote a Windows socket error (read through WINSOCK). Matched as literal
 * substrings, case-insensitive, longest first.
 */
export const QUEUE_SENTENCES = [
  { text: 'Primary target IP address responded with', kind: 'reply', stage: 'banner', quotes: 'reply' },
  { text: 'Target host responded with error', kind: 'reply', stage: 'banner', quotes: 'reply' },
  { text: 'Error encountered while communicating with primary target IP address', kind: 'closed', stage: 'banner', quotes: 'winsock' },
  { text: 'Failed to connect', kind: 'connect-timeout', stage: 'tcp', quotes: 'winsock' },
  { text: 'DNS query failed', kind: 'dns-error', stage: 'dns', quotes: null },
  { text: 'Connection dropped due to SocketError', kind: 'closed', stage: 'banner', quotes: null },
  { text: 'SMTPSEND.SuspiciousRemoteServerError', kind: 'closed', stage: 'banner', quotes: null },
  { text: 'Cannot establish session', kind: 'closed', stage: 'tcp', quotes: 'winsock' },
] as const satisfies ReadonlyArray<{ text: string; kind: FailureKind; stage: StageName; quotes: 'reply' | 'winsock' | null }>;

export type QueueSentence = (typeof QUEUE_SENTENCES)[number];

/** The queue sentence a text holds (the first listed that it contains). */
export function findQueueSentence(text: string): QueueSentence | undefined {
  const lower = text.toLowerCase();
  return QUEUE_SENTENCES.find((q) => lower.includes(q.text.toLowerCase()));
}

/** The Winsock error a text quotes (`Winsock error code: 10060`, `Socket error code 10061`). */
export function findWinsock(text: string): WinsockError | undefined {
  const n = /(?:Socket|Winsock|Win32) error code:? *(\d{1,6})/i.exec(text.slice(0, MAX_FIELD_CHARS))?.[1];
  return n ? WINSOCK.find((w) => w.number === Number(n)) : undefined;
}

/**
 * Who has to act on an enhanced status code outside the connector family (RFC 3463's
 * subject digit, then the Microsoft-specific ranges): the sender (a bad address, content
 * refused), the recipient's administrator (their server or filter refused or cannot
 * take the mail), or Microsoft (Exchange Online's own sending limits and blocks). Read
 * in order; the first match wins.
 */
export const WHO_ACTS = [
  // Exchange Online's own: tenant or sender blocked for outbound spam (5.7.703–5.7.750), banned sender (5.7.5xx).
  { pattern: /^[45]\.7\.(?:7\d\d|5\d\d)$/, who: 'microsoft', subject: 'security' },
  { pattern: /^[45]\.1\.\d{1,3}$/, who: 'sender', subject: 'address' },
  { pattern: /^[45]\.2\.\d{1,3}$/, who: 'recipient', subject: 'mailbox' },
  { pattern: /^[45]\.3\.\d{1,3}$/, who: 'recipient', subject: 'system' },
  { pattern: /^[45]\.4\.\d{1,3}$/, who: 'recipient', subject: 'network' },
  { pattern: /^[45]\.5\.\d{1,3}$/, who: 'sender', subject: 'protocol' },
  { pattern: /^[45]\.6\.\d{1,3}$/, who: 'sender', subject: 'content' },
  // A reputation or policy block at the receiving side: its administrator allows or delists.
  { pattern: /^[45]\.7\.\d{1,3}$/, who: 'recipient', subject: 'security' },
] as const;

export type WhoActs = (typeof WHO_ACTS)[number]['who'];
export type CodeSubject = (typeof WHO_ACTS)[number]['subject'];

/** Who acts on an enhanced code outside the connector family, and what it is about; undefined for a code no row covers. */
export function whoActs(enhanced: string): { who: WhoActs; subject: CodeSubject } | undefined {
  const row = WHO_ACTS.find((r) => r.pattern.test(enhanced));
  return row ? { who: row.who, subject: row.subject } : undefined;
}

/**
 * Words the prober itself writes for failures that have no Exchange sentence, and plain
 * words people paste: read only when the kind they imply is one the pasted connector code
 * can carry (a 4.4.318 that "timed out" stalled; it did not fail to connect).
 */
const HINTS: ReadonlyArray<[RegExp, FailureKind, StageName?]> = [
  [/does not offer STARTTLS|STARTTLS (?:was )?not offered/i, 'starttls-not-offered'],
  [/refused/i, 'connect-refused'],
  [/timed out/i, 'connect-timeout'],
  [/\breset\b|ECONNRESET|EPIPE/i, 'reset'],
  [/ within \d+ ms|timed out/i, 'timeout'],
];

/** The stage each kind the reader infers happened at (the paste does not say). */
const STAGE_OF: Partial<Record<FailureKind, StageName>> = {
  'dns-error': 'dns',
  'connect-refused': 'tcp',
  'connect-timeout': 'tcp',
  'connect-unreachable': 'tcp',
  'starttls-not-offered': 'starttls',
  'tls-handshake': 'tls',
  closed: 'banner',
  reset: 'banner',
  timeout: 'banner',
  certificate: 'certificate',
};

/**
 * The wire outcome a code and its `[Message=…]` detail imply: Windows socket errors
 * (10061 refused, 10060 timed out …), the remote server's own reply, Exchange's TLS
 * sentence, a certificate chain status, or the SubjectMismatch sentence. The inverse of
 * `exchangeMessageText`.
 */
/** A paste's failure that says nothing but its code: `reported as 4.4.318`, by id. */
function reportedAs(code: KnownCode): Pick<FailureRecord, 'message' | 'id' | 'args'> {
  const said = say('explain.reported-as', { code });
  return { message: said.text, id: said.id, args: said.args };
}

export function readMessageText(code: KnownCode, detail: string | null): FailureRecord {
  const d = (detail ?? '').slice(0, MAX_FIELD_CHARS).replace(/\s+/g, ' ').trim();
  const make = (kind: FailureKind, extra: Partial<FailureRecord> = {}): FailureRecord => ({
    stage: extra.stage ?? STAGE_OF[kind] ?? 'ehlo',
    kind,
    ...(d ? { message: d } : reportedAs(code)),
    ...extra,
  });
  const certificate = (reason: CertificateReason): FailureRecord => {
    if (reason !== 'name-mismatch') return make('certificate', { reason });
    const { expected, presented, thumbprint } = readSubjectMismatch(d);
    return make('certificate', {
      reason,
      ...(expected ? { expected } : {}),
      ...(presented ? { presented } : {}),
      ...(thumbprint ? { thumbprint } : {}),
    });
  };
  const chain = CHAIN_PATTERN.exec(d)?.[0];
  const reason = chain ? CHAIN_READ.get(chain.toLowerCase()) : undefined;
  if (reason) return certificate(reason);
  // Exchange's own TLS and Windows socket errors come before the remote reply shape:
  // "451 4.4.0 TLS negotiation failed …" is Exchange speaking, not the server.
  const lower = d.toLowerCase();
  if (TLS_MARKERS.some((m) => lower.includes(m.toLowerCase()))) return make('tls-handshake');
  const winsock = findWinsock(d);
  if (winsock) return make(winsock.kind, { stage: winsock.stage, ...(winsock.errno ? { errno: winsock.errno } : {}) });
  const reply = /^([2-5][0-9]{2})[ -](?:([245]\.[0-9]{1,3}\.[0-9]{1,3}) )?(.*)$/.exec(d);
  if (reply) {
    return make('reply', {
      stage: 'banner',
      reply: { code: Number(reply[1]), ...(reply[2] ? { enhanced: reply[2] } : {}), lines: [`${reply[2] ? `${reply[2]} ` : ''}${reply[3] ?? ''}`] },
    });
  }
  const word = CHAIN_WORD_PATTERN.exec(d)?.[0];
  const worded = word ? CHAIN_WORDS.get(word.toLowerCase()) : undefined;
  if (worded) return certificate(worded);
  const hint = HINTS.find(([re, kind]) => re.test(d) && (!isConnectorCode(code) || classify({ stage: 'tcp', kind }) === code));
  if (hint) return make(hint[1]);
  switch (code) {
    case '4.4.312':
      return make('dns-error'); // all Exchange says is DNS_TEXT, `ErrorRetry`
    case '4.4.315':
      return make('connect-timeout');
    case '4.4.316':
      return make('connect-refused');
    case '4.4.317':
      return make('reply');
    case '4.4.318':
      return make('closed');
    case '4.7.320':
      return make('certificate', { reason: 'invalid' });
    case '4.7.321':
      return make('starttls-not-offered');
    case '4.7.322':
      return make('certificate', { reason: 'expired' });
    case '4.7.323':
    case '4.7.324':
      return make('certificate', { reason: 'invalid' });
    case '4.7.325':
      return make('certificate', { reason: 'name-mismatch' });
    default: {
      const unhandled: never = code;
      throw new Error(`unread code ${String(unhandled)}`);
    }
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
