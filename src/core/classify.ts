import type { FailureKind, StageName } from '../../probes/stage.js';
import type { ExchangeCode } from './result.js';

/**
 * The one place a wire outcome becomes an Exchange Online code: DESIGN.md's
 * classification table, line by line. Pure; no I/O. `null` only for a cancellation,
 * which is not a failure.
 */
export function classify(failure: { stage: StageName; kind: FailureKind }): ExchangeCode | null {
  switch (failure.kind) {
    // The name or its MX cannot be resolved: NXDOMAIN, SERVFAIL, resolver timeout, no
    // A/AAAA, MX host unresolvable, null MX (RFC 7505).
    case 'dns-nxdomain':
    case 'dns-servfail':
    case 'dns-refused':
    case 'dns-timeout':
    case 'dns-no-address':
    case 'dns-null-mx':
    case 'dns-error':
      return '4.4.312';
    // The SYN got no answer before the timeout; host or network unreachable.
    case 'connect-timeout':
    case 'connect-unreachable':
      return '4.4.315';
    // The connection was actively refused (RST).
    case 'connect-refused':
      return '4.4.316';
    // Connected, but the server answered with an error or does not meet the connection's
    // requirements (TLS required but not offered, TLS below 1.2, no shared cipher).
    case 'reply':
    case 'starttls-not-offered':
    case 'tls-version':
    case 'tls-no-shared-cipher':
    case 'tls-handshake':
      return '4.4.317';
    // Connected, then dropped or stalled: no greeting or reply in time, reset, EOF.
    case 'timeout':
    case 'closed':
    case 'reset':
      return '4.4.318';
    // The certificate fails the connector's TLS mode.
    case 'certificate':
      return '4.7.320';
    // Anything else: a peer that does not speak SMTP, an outcome we did not foresee.
    case 'protocol':
    case 'internal':
      return 'other';
    case 'cancelled':
      return null;
    default: {
      const unhandled: never = failure.kind;
      throw new Error(`unclassified failure kind ${String(unhandled)}`);
    }
  }
}
