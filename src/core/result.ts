import type { CertificateCheck } from '../../probes/certificate.js';
import type { Route } from '../../probes/dns.js';
import type { ProbeTextArg, ProbeTextId, ProbeTextRef } from '../../probes/messages.js';
import type { Capabilities } from '../../probes/smtp.js';
import type { FailureRecord, StageName, StageResult, TlsMode } from '../../probes/stage.js';
import type { TlsInfo } from '../../probes/tls.js';
import { CONNECTOR_CODES, type ConnectorCode, type PolicyCode } from './exchange-text.js';
import type { Finding } from './findings.js';
import type { PoliciesResult } from '../policies/types.js';

/** The codes Exchange Online reports for a connector it cannot deliver through (listed once, in src/exchange-text.ts). */
export type ExchangeCode = ConnectorCode | 'other';

export const EXCHANGE_CODES: readonly ExchangeCode[] = [...CONNECTOR_CODES, 'other'];

/**
 * A path's (and the headline's) code: a connector code, or on an MX route the code of the
 * recipient domain's DANE/MTA-STS policy that refuses the path (src/policies/index.ts).
 */
export type ResultCode = ExchangeCode | PolicyCode;

/** Why a recipient domain's policy refuses a path that the session itself passed. */
export interface PolicyRefusal {
  policy: 'DANE' | 'MTA-STS';
  /** The recipient domain whose policy it is. */
  domain: string;
  problem: string;
  /** What `problem` was said from (probes/messages.ts), so a report in another language words it again. */
  problemRef?: ProbeTextRef;
  /** The documented code, or 'other' (an MTA-STS refusal Exchange has no code for). */
  code: PolicyCode | 'other';
}

export type Verdict = 'healthy' | 'degraded' | 'failing';

export const RESULT_SCHEMA = 'mailflow-probe/result@1';

export type { StageResult };

export type WarningKind =
  | 'no-tls'
  | 'tls-fallback'
  | 'certificate-expiring'
  | 'starttls-injection'
  | 'path-failed'
  // certificate findings (probes/certificate.ts CertificateFinding)
  | 'weak-key'
  | 'weak-signature'
  | 'revocation-unavailable'
  | 'policy-not-satisfied';

export interface Warning {
  kind: WarningKind;
  message: string;
  /** `message` by id and arguments (probes/messages.ts), for the reports in other languages. */
  id?: ProbeTextId;
  args?: Record<string, ProbeTextArg>;
  host?: string;
  ip?: string | null;
}

/** One way mail could go: a host (the smart host or one of its MX hosts) at one address. */
export interface PathResult {
  target: string;
  host: string;
  route: Route;
  /** MX preference when the host came from an MX record. */
  preference: number | null;
  ip: string | null;
  family: 4 | 6 | null;
  port: number;
  verdict: Verdict;
  code: ResultCode | null;
  status: string | null;
  /** Exchange-style one-line message for this path's failure. */
  message: string | null;
  durationMs: number;
  stages: StageResult[];
  /** The SMTP dialogue: `S: …` from the server, `C: …` from us, `* …` notes. */
  transcript: string[];
  /** The `* …` notes of the transcript by id and arguments (probes/messages.ts), keyed by their English text without the `* `. */
  transcriptRefs?: Record<string, ProbeTextRef>;
  capabilities?: Capabilities;
  capabilitiesAfterTls?: Capabilities;
  tls?: TlsInfo;
  certificate?: CertificateCheck;
  failure?: FailureRecord;
  /** Set when the session passed but the recipient domain's DANE or MTA-STS policy refuses the path. */
  policyRefusal?: PolicyRefusal;
  warnings: Warning[];
  /** Facts recognised from what the server sent, e.g. an SMTP-inspecting firewall (src/findings.ts). */
  findings?: Finding[];
  /** The local address the probe connected from (null: no connection was made). */
  sourceAddress?: string | null;
  /** What a report shows but that does not lower the verdict, e.g. mail going unencrypted under opportunistic TLS. */
  notes?: string[];
  /** Each note by id and arguments (probes/messages.ts), keyed by its English text. */
  noteRefs?: Record<string, ProbeTextRef>;
  /**
   * The path was refused (4.4.315, 4.4.316, or a 5xx greeting) from an address outside
   * Microsoft 365's ranges: a smart host that allows only those answers everyone else
   * this way, so Exchange Online's own result may differ.
   */
  outsideMicrosoft365?: boolean;
  /**
   * With `restrictedToMicrosoft365`: such a refusal cannot be verified from here. The path
   * then counts as passed (verdict healthy, code null; the failure and stages stay as facts).
   */
  unverifiable?: boolean;
}

/** Where the probe ran from: every report says so. */
export interface Vantage {
  tool: 'mailflow-probe';
  version: string;
  /** This machine's host name. */
  host: string;
  /** The DNS servers asked (`HOST:PORT`), or `["system"]`. */
  resolvers: string[];
  /** The source address connections were bound to (`--source-address`); null: the system's choice. */
  sourceAddress: string | null;
}

export interface Diagnosis {
  code: ResultCode;
  status: string | null;
  title: string;
  meaning: string;
  causes: string[];
  fixes: string[];
  partner: string;
  /** What went wrong on the headline path, in one sentence, and the fix for that first. */
  stage: StageName;
  /** The failure's kind, or 'policy' when the recipient domain's policy refuses the path. */
  kind: FailureRecord['kind'] | 'policy';
  summary: string;
  /** `summary` by id and arguments (probes/messages.ts), when it was said from a template. */
  summaryId?: ProbeTextId;
  summaryArgs?: Record<string, ProbeTextArg>;
  firstFix: string;
  /** What the server said, when it said something. */
  serverSaid: string | null;
  /** A note on how Exchange's own reporting differs (e.g. mismatch under 4.4.317). */
  note?: string;
  /** The headline path's findings: what else is in the way, and how to turn it off. */
  findings?: Finding[];
  /** The headline path was refused from outside Microsoft 365's ranges: Exchange Online's result may differ. */
  vantage?: { sourceAddress: string | null; ranges: string[]; message: string; id?: ProbeTextId; args?: Record<string, ProbeTextArg> };
}

/** The `--json` contract, schema `mailflow-probe/result@1` (fields may be added, never renamed). */
export interface ProbeResult {
  schema: typeof RESULT_SCHEMA;
  targets: string[];
  route: Route | 'mixed' | null;
  tlsMode: TlsMode;
  tlsDomain: string | null;
  port: number;
  verdict: Verdict;
  /** True when the user cancelled: the verdict then speaks only of what finished. */
  cancelled: boolean;
  code: ResultCode | null;
  status: string | null;
  message: string | null;
  startedAt: string;
  durationMs: number;
  paths: PathResult[];
  diagnosis: Diagnosis | null;
  warnings: Warning[];
  /** DANE, MTA-STS and TLS-RPT of each target that resolved by MX (checked unless `policies: false`). */
  policies?: PoliciesResult[];
  /** Where the probe ran from (tool, version, host, resolvers). */
  vantage?: Vantage;
  /** The paths' notes, once each: shown, but no warning and no change to the verdict. */
  notes?: string[];
  /** Each note by id and arguments (probes/messages.ts), keyed by its English text. */
  noteRefs?: Record<string, ProbeTextRef>;
  /** True when a path was refused from outside Microsoft 365's ranges: the verdict may differ from Exchange Online's. */
  mayDiffer?: boolean;
  /** True when a path could not be verified from here (`restrictedToMicrosoft365`). */
  unverifiable?: boolean;
}
