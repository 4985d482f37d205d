/**
 * The `policies` field of the result: a recipient domain's DANE (RFC 7672), MTA-STS
 * (RFC 8461) and TLS-RPT (RFC 8460) policies, and whether each MX path satisfies them.
 */
import type { PolicyCode } from '../core/exchange-text.js';
import type { ProblemRefs } from './problems.js';

/** The codes Exchange Online gives when outbound DANE (or MTA-STS) is not satisfied (listed once, in src/exchange-text.ts). */
export { POLICY_CODES, type PolicyCode } from '../core/exchange-text.js';

/**
 * What the resolver said about a record set: `secure` (AD bit set, RFC 4035 §3.2.3),
 * `insecure` (no AD bit: unsigned zone or a resolver that does not validate), `bogus`
 * (SERVFAIL, as a validating resolver answers a record set that fails validation).
 */
export type DnssecStatus = 'secure' | 'insecure' | 'bogus';

/** What a sender that honours the policy would do on one path. */
export type SenderAction = 'deliver' | 'deliver-and-report' | 'refuse';

export interface TlsaRecordInfo {
  usage: number;
  selector: number;
  matchingType: number;
  /** Association data, hex. */
  data: string;
  /** RFC 7672 §3.1: only DANE-TA(2) and DANE-EE(3) are usable for SMTP. */
  usable: boolean;
}

/** One MX path judged against one policy. */
export interface PolicyPathCheck {
  host: string;
  ip: string | null;
  satisfied: boolean;
  /** Why not, in a sentence; null when satisfied. */
  problem: string | null;
  action: SenderAction;
  /** The code Exchange Online would give on this path, when one is documented. */
  code: PolicyCode | null;
  /** For DANE: the TLSA record that matched (`3 1 1 ab12…`). */
  matched?: string | null;
}

export interface DaneHost {
  host: string;
  /** `_25._tcp.<host>` */
  name: string;
  dnssec: DnssecStatus;
  /** Set when the TLSA lookup failed outright (SERVFAIL, timeout). */
  error: string | null;
  records: TlsaRecordInfo[];
}

export interface DaneResult {
  /** DNSSEC status of the MX record set itself (RFC 7672 §2.2.1). */
  mxDnssec: DnssecStatus;
  /** True when at least one MX host has usable, DNSSEC-validated TLSA records (or a bogus lookup). */
  inEffect: boolean;
  hosts: DaneHost[];
  paths: PolicyPathCheck[];
}

export interface MtaStsPolicyText {
  version: string;
  mode: 'enforce' | 'testing' | 'none';
  mx: string[];
  maxAge: number;
}

export interface MtaStsResult {
  /** The `_mta-sts` TXT record, when there is one. */
  record: string | null;
  id: string | null;
  url: string;
  /** The parsed policy, when it was fetched and is valid. */
  policy: MtaStsPolicyText | null;
  /** Why the record or the policy is unusable; null when all is well (or nothing is published). */
  problem: string | null;
  paths: PolicyPathCheck[];
}

export interface TlsRptResult {
  record: string | null;
  /** Where reports go (`mailto:` / `https:` URIs). */
  rua: string[];
  problem: string | null;
}

export interface PoliciesResult {
  /** The recipient domain (the target that resolved by MX). */
  domain: string;
  dane: DaneResult;
  mtaSts: MtaStsResult;
  tlsRpt: TlsRptResult;
  /** What each problem text above (a path's `problem`, a host's `error`, the MTA-STS and TLS-RPT `problem`) was said from, by its English text. */
  problemRefs?: ProblemRefs;
}
