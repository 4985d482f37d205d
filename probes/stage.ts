/**
 * The shared vocabulary of the stages: what a stage is called, what it reports when it
 * fails, and the context it runs in. A stage knows the wire and nothing else: it never
 * decides an Exchange code — `src/classify.ts` does, from the typed failure below.
 */
import type { ProbeTextArg, ProbeTextId, ProbeTextRef, Said } from './messages.js';
import type { RevocationCache } from './revocation-cache.js';

/**
 * The stages of one SMTP session, in the order a sending MTA goes through them. `mail`,
 * `rcpt`, `rset` and `data` run only in verify's envelope tests (probes/session.ts): their
 * failures are test outcomes, never a code Exchange Online reports for a connector.
 */
export type StageName =
  | 'dns'
  | 'tcp'
  | 'banner'
  | 'ehlo'
  | 'starttls'
  | 'tls'
  | 'certificate'
  | 'ehlo-tls'
  | 'mail'
  | 'rcpt'
  | 'rset'
  | 'data'
  | 'quit';

/** Every stage of the probe's full STARTTLS session, in order (the probe's phases). */
export const STAGES: readonly StageName[] = [
  'dns',
  'tcp',
  'banner',
  'ehlo',
  'starttls',
  'tls',
  'certificate',
  'ehlo-tls',
  'quit',
];

/** One SMTP reply: the code and every line's text (without the code and separator). */
export interface SmtpReply {
  code: number;
  /** Enhanced status code (RFC 3463) of the first line, when the server gave one. */
  enhanced?: string;
  lines: string[];
}

/** Why a certificate failed the connector's TLS mode. */
export type CertificateReason =
  | 'expired'
  | 'not-yet-valid'
  | 'name-mismatch'
  | 'self-signed'
  | 'untrusted-root'
  | 'incomplete-chain'
  | 'unknown-issuer'
  | 'revoked'
  // the revocation status could not be established and --revocation is hard
  | 'revocation-unknown'
  | 'invalid';

/**
 * What happened on the wire, as a closed set of kinds. `classify` maps each to a code,
 * so adding a kind here is a compile error there until it is classified.
 */
export type FailureKind =
  // DNS: the name or its MX could not be turned into addresses
  | 'dns-nxdomain'
  | 'dns-servfail'
  | 'dns-refused'
  | 'dns-timeout'
  | 'dns-no-address'
  | 'dns-null-mx'
  | 'dns-error'
  // TCP
  | 'connect-refused'
  | 'connect-timeout'
  | 'connect-unreachable'
  // connected, the server said no (4xx/5xx) to the banner, EHLO/HELO or STARTTLS
  | 'reply'
  // connected, the server does not meet the connector's requirements
  | 'starttls-not-offered'
  | 'tls-version'
  | 'tls-no-shared-cipher'
  | 'tls-handshake'
  // connected, then dropped or stalled
  | 'timeout'
  | 'closed'
  | 'reset'
  // the certificate fails the connector's TLS mode
  | 'certificate'
  // the peer does not speak SMTP: garbage, oversize or malformed replies
  | 'protocol'
  // the user cancelled (Ctrl-C): not a failure and not a code
  | 'cancelled'
  // anything we did not foresee
  | 'internal';

/** Facts a failure carries besides its kind; which ones depend on the kind. */
export interface FailureDetail {
  /** The server's reply, for `reply` (and for a protocol failure when it parsed). */
  reply?: SmtpReply;
  /** The certificate reason, for `certificate`. */
  reason?: CertificateReason;
  /** For a name mismatch: the name required and the names the certificate holds. */
  expected?: string;
  presented?: string;
  presentedNames?: string[];
  /** The Node/OpenSSL/c-ares error code that was translated into this failure. */
  errno?: string;
  /** For `protocol`: the first bytes the server sent, printable and truncated. */
  evidence?: string;
  /** The timeout that expired, for `timeout`, `connect-timeout` and `dns-timeout`. */
  timeoutMs?: number;
  /** The TLS protocol the server offered, for `tls-version`, when known. */
  offered?: string;
  /** For `tls-version`: every protocol version the server completed a handshake with when probed alone. */
  offeredVersions?: string[];
  /** For a certificate failure: the leaf's SHA-1 thumbprint, as Exchange prints `Thumbprint:`. */
  thumbprint?: string;
  /** For a revoked certificate: when its CA revoked it (ISO 8601), when the CRL or OCSP response says. */
  revokedAt?: string;
}

/**
 * A stage's failure, as a typed fact. Thrown by a stage, caught by the engine, which
 * records it as data: every network outcome becomes a result, never an exception.
 */
export class StageFailure extends Error {
  override readonly name = 'StageFailure';
  /** The message by id (probes/messages.ts), when it was said from a template. */
  readonly said: ProbeTextRef | undefined;

  constructor(
    readonly stage: StageName,
    readonly kind: FailureKind,
    message: string | Said,
    readonly detail: FailureDetail = {},
    options?: { cause?: unknown },
  ) {
    super(typeof message === 'string' ? message : message.text, options);
    this.said = typeof message === 'string' ? undefined : { id: message.id, args: message.args };
  }

  /** The plain-data form stored in a result. */
  toJSON(): FailureRecord {
    const said = this.said;
    return { stage: this.stage, kind: this.kind, message: this.message, ...(said ? { id: said.id, args: said.args } : {}), ...this.detail };
  }
}

/** A failure as it appears in a result: plain data. */
export interface FailureRecord extends FailureDetail {
  stage: StageName;
  kind: FailureKind;
  message: string;
  /** `message` by id and arguments (probes/messages.ts), for the reports in other languages. */
  id?: ProbeTextId;
  args?: Record<string, ProbeTextArg>;
}

/** One stage as it ran: passed, or failed with its failure; `ms` to a tenth. */
export interface StageResult {
  name: StageName;
  ok: boolean;
  ms: number;
  detail: string;
  /** `detail` by id and arguments (probes/messages.ts), for the reports in other languages. */
  detailId?: ProbeTextId;
  detailArgs?: Record<string, ProbeTextArg>;
  failure?: FailureRecord;
}

/** The connector's TLS setting, as Exchange Online's `TlsSettings` names them. */
export type TlsMode =
  | 'opportunistic'
  | 'encryption-only'
  | 'certificate-validation'
  | 'domain-validation';

export const TLS_MODES: readonly TlsMode[] = [
  'opportunistic',
  'encryption-only',
  'certificate-validation',
  'domain-validation',
];

export interface TlsPolicy {
  mode: TlsMode;
  /** For domain-validation: the name (wildcards allowed) the certificate must carry. */
  domain: string | null;
  /** Trust anchors: Node's bundled roots plus any extra PEM certificates given. */
  ca: string[];
  /** How revocation is checked (`--revocation`); soft when absent. */
  revocation?: 'off' | 'soft' | 'hard';
}

/** A DNS server to ask, as `{ host, port }`; host is an IP literal. */
export interface ResolverAddress {
  host: string;
  port: number;
}

/** Where a transcript line came from: S server, C client, or a note from the prober. */
export type TranscriptLine = string;

/**
 * Everything a stage needs, passed explicitly: nothing is global.
 * `signal` aborts when the probe's overall deadline passes or the user cancels.
 */
export interface ProbeContext {
  /** Aborts on the overall deadline or on cancellation. */
  signal: AbortSignal;
  /** Aborts only when the user cancels; tells a cancellation from a timeout. */
  cancel: AbortSignal;
  /** Absolute time (ms, performance.now() clock) by which the whole probe must end. */
  deadline: number;
  /** The most any single stage may wait. */
  stageTimeoutMs: number;
  resolvers: ResolverAddress[];
  port: number;
  /**
   * The name sent in EHLO/HELO; null: the address literal of the connection's own local
   * address (`[192.0.2.1]`, `[IPv6:2001:db8::1]`, RFC 5321 §4.1.3), which the session
   * sets once connected.
   */
  ehloName: string | null;
  /** The local address outgoing connections bind to (`--source-address`); null: the system's choice. */
  sourceAddress?: string | null;
  tls: TlsPolicy;
  /** The dialogue of this path, appended to as it happens. */
  transcript: TranscriptLine[];
  /**
   * The prober's own `* ` notes of `transcript` by id and arguments (probes/messages.ts),
   * keyed by their English text without the `* `, so a report in another language words
   * them again; filled by `noteInTranscript` (probes/session.ts) when present.
   */
  transcriptRefs?: Record<string, ProbeTextRef>;
  /** CRLs shared with the other probes of this process; the process-wide default when absent. */
  revocationCache?: RevocationCache;
}
