/**
 * `probe verify`: probes every enabled connector as Exchange Online would deliver through
 * it, runs the checklist on each result, the optional envelope tests, and gathers one
 * report (schema `mailflow-probe/verify@1`).
 */
import type { Connector, ConnectorPlan } from './connectors.js';
import { probe } from '../core/engine.js';
import { DEFAULTS, defaultEhloName, parseCaPem, parseOptionValue, type ProbeOptions, UsageError } from '../core/options.js';
import type { ResultCode, ProbeResult, Vantage } from '../core/result.js';
import { checklist, envelopeCheck, formatBytes, worst, type Check, type CheckStatus, type PathCheck } from './checklist.js';
import { commandWords, envelopeText } from '../catalog/commands.js';
import type { Catalog } from '../catalog/en.js';
import { catalogFor, type Language } from '../catalog/index.js';
import { findingText, warningText } from '../catalog/probe-text.js';
import { diagnose, diagnosePolicy } from '../core/diagnose.js';
import type { ExchangeCode } from '../core/result.js';
import { fill } from '../report/text.js';
import { recipientTest, sayEnvelope, sendTestMessage, type Envelope, type EnvelopeOutcome, type EnvelopeTarget } from './envelope.js';

export const VERIFY_SCHEMA = 'mailflow-probe/verify@1';

/** Probe warnings a checklist item already reports (STARTTLS, TLS, expiry, a failed path). */
const COVERED = new Set<string>(['no-tls', 'tls-fallback', 'certificate-expiring', 'path-failed']);

/**
 * Exchange Online's maximum message size, the SIZE a smart host should accept: 36 MB,
 * Microsoft's documented default maximum *receive* size for Exchange Online mailboxes
 * ("Exchange Online limits": 35 MB to send, 36 MB to receive, customizable up to 150 MB).
 * A connector carries both mail sent by cloud mailboxes (≤ 35 MB) and mail Exchange Online
 * received and relays on (≤ 36 MB), so the larger default covers both. Exchange counts MB
 * as 1 048 576 bytes and measures the message as transported, i.e. after MIME encoding has
 * grown attachments by about a third — the same bytes the smart host's SIZE limit counts.
 * A tenant that raised its limits (up to 150 MB) passes `--max-message-size 150MB`.
 */
export const EXCHANGE_MAX_MESSAGE_SIZE = 36 * 1048576;

/** A connector's outcome: `skipped` (disabled) and `incomplete` (nothing could be probed) are not verdicts of the host. */
export type ConnectorVerdict = 'pass' | 'warn' | 'fail' | 'skipped' | 'incomplete';

export interface ConnectorReport {
  name: string;
  identity: string;
  connectorType: Connector['connectorType'];
  enabled: boolean;
  plan: {
    action: ConnectorPlan['action'];
    reason: string | null;
    route: ConnectorPlan['route'];
    targets: string[];
    tlsMode: ConnectorPlan['tlsMode'];
    tlsDomain: string | null;
    unresolved: string[];
    notes: string[];
  };
  verdict: ConnectorVerdict;
  /** The probe's headline code, when a path failed. */
  code: ResultCode | null;
  status: string | null;
  checks: Check[];
  /** The probe's warnings that no checklist item speaks for (e.g. plaintext injected before TLS). */
  warnings: string[];
  /** Every distinct fix of the items that warn or fail, the probe's diagnosis first. */
  fixes: string[];
  /** The line that records the validation in Exchange Online; only when nothing failed. Printed, never run. */
  validationCommand: string | null;
  rcptTest: EnvelopeOutcome[] | null;
  sendTest: EnvelopeOutcome | null;
  result: ProbeResult | null;
}

export interface VerifyReport {
  schema: typeof VERIFY_SCHEMA;
  /** The connectors file, or `command line`. */
  source: string;
  startedAt: string;
  durationMs: number;
  maxMessageSize: number;
  warnDays: number;
  verdict: 'pass' | 'warn' | 'fail';
  counts: Record<ConnectorVerdict, number>;
  connectors: ConnectorReport[];
  /** Where the probes ran from (the first probed connector's; every probe shares it). */
  vantage?: Vantage;
}

/** What the progress display hears. */
export type VerifyProgress =
  | { type: 'start'; index: number; total: number; name: string; targets: string[] }
  | { type: 'done'; index: number; total: number; name: string; verdict: ConnectorVerdict };

export interface VerifyOptions extends Omit<ProbeOptions, 'tlsMode' | 'tlsDomain' | 'mx'> {
  /** The SIZE a smart host must accept, in bytes (default EXCHANGE_MAX_MESSAGE_SIZE). */
  maxMessageSize?: number;
  rcptTest?: Envelope | null;
  sendTest?: Envelope | null;
  /** Where the connectors came from, for the report. */
  source?: string;
  /** Whether to print the Set-OutboundConnector line (not for plain targets). */
  validationCommand?: boolean;
  onProgress?: (event: VerifyProgress) => void;
  /** The clock, for the validation timestamp; tests pin it. */
  now?: () => Date;
}

/** `36700160`, `36MB`, `35 MB`, `150mb`, `1.5GB`, `512KB`: Exchange's units (MB = 1 048 576 bytes). */
export function parseSize(input: string | number): number {
  const text = String(input).trim();
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB)?$/i.exec(text);
  const unit = { B: 1, KB: 1024, MB: 1048576, GB: 1073741824 }[(m?.[2] ?? 'B').toUpperCase() as 'B'];
  const bytes = m ? Math.round(Number(m[1]) * unit) : NaN;
  if (!(bytes >= 1 && bytes <= 2 * 1073741824)) {
    throw new UsageError(`invalid maximum message size "${input}": give bytes or a size such as 36MB or 150MB (MB = 1048576 bytes), at most 2GB`);
  }
  return bytes;
}

/** PowerShell single-quoted string: a quote is doubled. */
function psQuote(value: string): string {
  return `'${value.replace(/['‘’‚‛]/g, "''")}'`;
}

/**
 * The command that records a passed validation on the connector — what
 * Validate-OutboundConnector does not do by itself.
 */
export function validationCommand(identity: string, at: Date): string {
  return `Set-OutboundConnector -Identity ${psQuote(identity)} -IsValidated $true -LastValidationTimestamp ${psQuote(at.toISOString().replace(/\.\d{3}Z$/, 'Z'))}`;
}

/**
 * The probe's warnings that no checklist item speaks for, and every distinct fix of the
 * items that warn or fail, the probe's first fix first — in a language (the JSON report
 * is English; verify/localize.ts words a report for the reader with the same function).
 */
export function connectorTexts(result: ProbeResult, checks: readonly Check[], unresolved: readonly string[], language: Language): Pick<ConnectorReport, 'warnings' | 'fixes'> {
  const catalog = catalogFor(language);
  const first = firstFixOf(result, catalog);
  const fixes = [
    ...(first ? [first] : []),
    ...checks.flatMap((ch) => (ch.fix ? [ch.fix] : [])),
    ...unresolved.map((pattern) => fill(commandWords(language).verify.sampleDomain, { pattern })),
  ];
  return { warnings: result.warnings.filter((w) => !COVERED.has(w.kind)).map((w) => warningText(w, catalog)), fixes: [...new Set(fixes)] };
}

/**
 * The diagnosis's first fix in the catalog's language, chosen as judgeProbe chooses it
 * (core/judge.ts) for the headline path: the policy's fix, else the first finding's,
 * else the failure's. English is the result's own.
 */
function firstFixOf(result: ProbeResult, catalog: Catalog): string | null {
  const d = result.diagnosis;
  if (!d) return null;
  if (catalog.language === 'en') return d.firstFix;
  const headline = result.paths.find((p) => p.verdict === 'failing' && p.code);
  if (headline?.policyRefusal) return diagnosePolicy(headline.policyRefusal, catalog).firstFix;
  const finding = headline?.findings?.[0];
  if (finding) return findingText(finding, catalog).firstFix;
  if (headline?.failure && headline.code) return diagnose(headline.code as ExchangeCode, headline.failure, catalog).firstFix;
  return d.firstFix;
}

function verdictOf(checks: Check[], result: ProbeResult, plan: ConnectorPlan): ConnectorVerdict {
  let status: CheckStatus = checks.reduce<CheckStatus>((acc, c) => worst(acc, c.status), 'pass');
  if (result.verdict === 'failing') status = 'fail';
  else if (result.verdict === 'degraded' || plan.unresolved.length) status = worst(status, 'warn');
  return status === 'skip' ? 'pass' : status;
}

function targetsOf(result: ProbeResult, plan: ConnectorPlan, options: VerifyOptions, ca: string[]): EnvelopeTarget[] {
  return result.paths
    .filter((p) => p.verdict !== 'failing' && p.ip)
    .map((p) => ({
      host: p.host,
      ip: p.ip as string,
      port: p.port,
      // the probe validated the revocation mode before this runs
      tls: { mode: plan.tlsMode, domain: plan.tlsDomain, ca, revocation: options.revocation ?? DEFAULTS.revocation },
      ehloName: options.ehloName === undefined ? defaultEhloName() : (parseOptionValue('ehloName', options.ehloName) as string),
      // the CLI hands options over as text; the probe parses them, and so must this
      timeoutMs: options.timeoutMs === undefined ? DEFAULTS.timeoutMs : (parseOptionValue('timeoutMs', options.timeoutMs) as number),
    }));
}

/** The connector's --deadline: the probe, the recipient tests and the test message together. */
function deadlineOf(options: VerifyOptions): number {
  return options.deadlineMs === undefined ? DEFAULTS.deadlineMs : (parseOptionValue('deadlineMs', options.deadlineMs) as number);
}

/** An envelope test that was not started: the connector's deadline had passed. */
function outOfTime(t: EnvelopeTarget, deadlineMs: number): EnvelopeOutcome {
  return { host: t.host, ip: t.ip, ok: false, step: 'connect', reply: null, ...sayEnvelope('not-run', { ms: deadlineMs }), transcript: [] };
}

/** An envelope test's outcome worded in `language`: its detail again from what it was said from. */
export function wordOutcome(o: EnvelopeOutcome, language: Language): EnvelopeOutcome {
  return language === 'en' || !o.detailRef ? o : { ...o, detail: envelopeText(o.detailRef, language) };
}

/** An envelope test's outcome (worded by wordOutcome) as one path of its checklist item. */
export function asPathCheck(o: EnvelopeOutcome, language: Language = 'en'): PathCheck {
  const detail = o.queueId ? fill(commandWords(language).verify.queueIdOf, { detail: o.detail, id: o.queueId }) : o.detail;
  return { host: o.host, ip: o.ip, status: o.ok ? 'pass' : 'fail', detail };
}

/**
 * Verifies every plan; disabled connectors are listed as skipped, plans that cannot be
 * probed as incomplete. Connectors are probed one after another (each probe runs its own
 * paths concurrently), so the progress display reads in order.
 *
 * @example
 * ```ts
 * const plans = readConnectors('connectors.json').map((c) => planConnector(c));
 * const report = await verify(plans, { resolvers: ['192.0.2.53'] });
 * for (const c of report.connectors) console.log(c.verdict, c.name, c.validationCommand ?? '');
 * ```
 */
export async function verify(plans: ConnectorPlan[], options: VerifyOptions = {}): Promise<VerifyReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const started = performance.now();
  const maxMessageSize = options.maxMessageSize ?? EXCHANGE_MAX_MESSAGE_SIZE;
  const warnDays = options.warnDays === undefined ? DEFAULTS.warnDays : (parseOptionValue('warnDays', options.warnDays) as number);
  const ca = (options.ca ?? []).flatMap((pem, i) => parseCaPem(pem, `ca[${i}]`));
  const settings = { maxMessageSize, warnDays };
  const { onProgress, rcptTest, sendTest, maxMessageSize: _m, source: _s, validationCommand: withCommand = true, now: _n, ...probeOptions } = options;
  const reports: ConnectorReport[] = [];
  const probed = plans.filter((p) => p.action === 'probe').length;
  let index = 0;
  for (const plan of plans) {
    const c = plan.connector;
    const base: ConnectorReport = {
      name: c.name,
      identity: c.identity,
      connectorType: c.connectorType,
      enabled: c.enabled,
      plan: {
        action: plan.action,
        reason: plan.reason,
        route: plan.route,
        targets: plan.targets,
        tlsMode: plan.tlsMode,
        tlsDomain: plan.tlsDomain,
        unresolved: plan.unresolved,
        notes: plan.notes,
      },
      verdict: plan.action === 'skip' ? 'skipped' : 'incomplete',
      code: null,
      status: null,
      checks: [],
      warnings: [],
      fixes: plan.action === 'probe' || plan.action === 'skip' ? [] : [plan.reason ?? ''],
      validationCommand: null,
      rcptTest: null,
      sendTest: null,
      result: null,
    };
    if (plan.action !== 'probe') {
      reports.push(base);
      continue;
    }
    index++;
    onProgress?.({ type: 'start', index, total: probed, name: c.name, targets: plan.targets });
    // One deadline per connector, from its start: the probe has it, and the envelope tests
    // get what the probe left of it.
    const connectorStarted = performance.now();
    const deadlineMs = deadlineOf({ ...options, ...plan.options });
    const leftMs = (): number => Math.max(0, Math.floor(connectorStarted + deadlineMs - performance.now()));
    const planCa = [...ca, ...(plan.options?.ca ?? [])];
    // The recipient's DANE/MTA-STS bind only MX delivery (UseMXRecord), never a connector's smart hosts.
    const policies = plan.route === 'mx' ? (plan.options?.policies ?? probeOptions.policies) : false;
    const result = await probe(plan.targets, { ...probeOptions, ...plan.options, ca: planCa, mx: plan.options?.mx ?? true, policies, tlsMode: plan.tlsMode, tlsDomain: plan.tlsDomain });
    const checks = checklist(result, settings);
    const targets = targetsOf(result, plan, { ...options, ...plan.options }, planCa);
    let rcpt: EnvelopeOutcome[] | null = null;
    let sent: EnvelopeOutcome | null = null;
    if (rcptTest && !result.cancelled) {
      rcpt = [];
      for (const t of targets) {
        const left = leftMs();
        rcpt.push(left > 0 ? await recipientTest({ ...t, timeoutMs: Math.min(t.timeoutMs, left) }, rcptTest) : outOfTime(t, deadlineMs));
      }
      if (rcpt.length) checks.push(envelopeCheck('recipient', rcpt.map((o) => asPathCheck(o)), result, settings));
    }
    // One message, through the first path that passed in Exchange Online's order: enough
    // to prove delivery without filling the test mailbox with one copy per address.
    const first = targets[0];
    if (sendTest && first && !result.cancelled) {
      const left = leftMs();
      sent = left > 0 ? await sendTestMessage(first, sendTest, c.name, { totalMs: left, ...(options.signal ? { signal: options.signal } : {}) }) : outOfTime(first, deadlineMs);
      checks.push(envelopeCheck('test-message', [asPathCheck(sent)], result, settings));
    }
    const verdict = verdictOf(checks, result, plan);
    const report: ConnectorReport = {
      ...base,
      verdict,
      code: result.code,
      status: result.status,
      checks,
      ...connectorTexts(result, checks, plan.unresolved, 'en'),
      validationCommand: withCommand && verdict !== 'fail' ? validationCommand(c.identity, now()) : null,
      rcptTest: rcpt,
      sendTest: sent,
      result,
    };
    reports.push(report);
    onProgress?.({ type: 'done', index, total: probed, name: c.name, verdict });
    if (result.cancelled) break;
  }
  const counts: Record<ConnectorVerdict, number> = { pass: 0, warn: 0, fail: 0, skipped: 0, incomplete: 0 };
  for (const r of reports) counts[r.verdict]++;
  const verdict = counts.fail ? 'fail' : counts.warn || counts.incomplete ? 'warn' : 'pass';
  return {
    schema: VERIFY_SCHEMA,
    source: options.source ?? 'command line',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    maxMessageSize,
    warnDays,
    verdict,
    counts,
    connectors: reports,
    ...vantageOfReports(reports),
  };
}

function vantageOfReports(reports: readonly ConnectorReport[]): { vantage?: Vantage } {
  const vantage = reports.find((r) => r.result?.vantage)?.result?.vantage;
  return vantage ? { vantage } : {};
}

export { formatBytes };
