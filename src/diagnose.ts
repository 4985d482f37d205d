import { formatReply } from '../probes/smtp.js';
import type { CertificateReason, FailureRecord } from '../probes/stage.js';
import { en, type Catalog } from './catalog/en.js';
import { classify } from './classify.js';
import type { Diagnosis, ExchangeCode } from './result.js';

/**
 * Windows' chain-status names (X509ChainStatusFlags), the vocabulary Exchange's own
 * transport logs use for a certificate that fails; SubjectMismatch is Exchange's own.
 */
const CHAIN_STATUS: Record<CertificateReason, string> = {
  expired: 'NotTimeValid',
  'not-yet-valid': 'NotTimeValid',
  'name-mismatch': 'SubjectMismatch',
  'self-signed': 'UntrustedRoot',
  'untrusted-root': 'UntrustedRoot',
  'unknown-issuer': 'PartialChain',
  'incomplete-chain': 'PartialChain',
  revoked: 'Revoked',
  'revocation-unknown': 'RevocationStatusUnknown',
  invalid: 'NotSignatureValid',
};

/** Windows socket errors, as Exchange's `[Message=Socket error code …]` shows them. */
const WINSOCK: Record<string, string> = {
  ECONNREFUSED: '10061',
  ETIMEDOUT: '10060',
  EHOSTUNREACH: '10065',
  ENETUNREACH: '10051',
};

/** The `[Message=…]` part: what Exchange would quote for this failure. */
export function exchangeMessageText(failure: FailureRecord): string {
  // Real 4.4.312 traces carry only this; the report says what DNS actually answered.
  if (classify(failure) === '4.4.312') return 'ErrorRetry';
  switch (failure.kind) {
    case 'connect-refused':
      return `Socket error code ${WINSOCK.ECONNREFUSED}`;
    case 'connect-timeout':
    case 'connect-unreachable':
      return `Socket error code ${WINSOCK[failure.errno ?? 'ETIMEDOUT'] ?? WINSOCK.ETIMEDOUT}`;
    case 'reply':
      return failure.reply ? formatReply(failure.reply) : failure.message;
    case 'tls-version':
    case 'tls-no-shared-cipher':
    case 'tls-handshake':
      return '451 4.4.0 TLS negotiation failed with error SocketError';
    case 'certificate':
      if (failure.reason === 'name-mismatch') {
        // Exchange adds the presented certificate's thumbprint (Microsoft's 2025 hybrid blog).
        const thumbprint = failure.thumbprint ? ` Thumbprint: ${failure.thumbprint}.` : '';
        return `SubjectMismatch Expected Subject: ${failure.expected ?? ''}. Presented Subject: ${failure.presented ?? ''}.${thumbprint}`;
      }
      return `${CHAIN_STATUS[failure.reason ?? 'invalid']}: ${failure.message}`;
    default:
      return failure.message;
  }
}

/**
 * The one-line message in the shape of Exchange Online's queue and message-trace text:
 * `450 4.4.317 Cannot connect to remote server [Message=421 4.3.2 Service not available]
 * [LastAttemptedServerName=smarthost.contoso.com] [LastAttemptedIP=203.0.113.7:25]`.
 */
export function exchangeMessage(
  code: ExchangeCode,
  failure: FailureRecord,
  host: string,
  ip: string | null,
  port: number,
  catalog: Catalog = en,
): string {
  const status = catalog.codes[code].status;
  const parts = [
    status ?? `other: ${failure.message}`,
    `[Message=${exchangeMessageText(failure)}]`,
    `[LastAttemptedServerName=${host}]`,
  ];
  if (ip) parts.push(`[LastAttemptedIP=${ip.includes(':') ? `[${ip}]` : ip}:${port}]`);
  return parts.join(' ');
}

export function diagnose(code: ExchangeCode, failure: FailureRecord, catalog: Catalog = en): Diagnosis {
  const entry = catalog.codes[code];
  const firstFix =
    failure.kind === 'certificate' ? catalog.reasons[failure.reason ?? 'invalid'] : catalog.kinds[failure.kind];
  return {
    code,
    status: entry.status,
    title: entry.title,
    meaning: entry.meaning,
    causes: entry.causes,
    fixes: entry.fixes,
    partner: catalog.partner,
    stage: failure.stage,
    kind: failure.kind,
    summary: failure.message,
    firstFix,
    serverSaid: failure.reply ? formatReply(failure.reply) : (failure.evidence ?? null),
    ...(failure.reason === 'name-mismatch' ? { note: catalog.mismatchNote } : {}),
  };
}
