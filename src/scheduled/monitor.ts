/**
 * One scheduled check of one target, start to finish: probe, confirm a failure by
 * retrying it with backoff (p-retry), turn the confirmed result into a state and alerts,
 * commit all of it in one transaction, then deliver what the outbox holds. `probe check`
 * runs this once per target; `probe watch` runs it on each target's schedule.
 *
 * The clock is injected, so tests can live through 30 hours in a second.
 */
import pRetry from 'p-retry';
import { formatReply } from '../../probes/smtp.js';
import { advance, type AlertEvent, type AlertPolicy, type Observation, type Step } from './alert-state.js';
import { excerpt } from './alerts/format.js';
import { senderFor, type Sender } from './alerts/send.js';
import type { MonitorConfig, TargetConfig } from './config.js';
import { countdown, type Countdown } from './countdown.js';
import { catalogFor, type Language } from '../catalog/index.js';
import { findingText, stageDetail, textOf, warningText } from '../catalog/probe-text.js';
import { scheduledText } from '../catalog/scheduled.js';
import { probe as realProbe } from '../core/engine.js';
import { claimOwner, History } from './history.js';
import type { ProbeOptions } from '../core/options.js';
import { redactUrls } from '../report/redact.js';
import type { ProbeResult } from '../core/result.js';
import { fill, vantageLine } from '../report/text.js';

export interface MonitorOptions {
  /** The clock (default: the real one). */
  now?: () => Date;
  /** Senders by channel name (default: built from the config). */
  senders?: Record<string, Sender>;
  /** An open history (default: the config's database). */
  history?: History;
  /** The probe (default: the engine's). */
  probe?: (targets: readonly string[], options: ProbeOptions) => Promise<ProbeResult>;
  env?: NodeJS.ProcessEnv;
  /** The language of the diagnosis, the alerts and the reports (default: the config's, else English). */
  language?: Language;
}

export interface PassOutcome {
  target: TargetConfig;
  result: ProbeResult;
  /** How many probes it took to confirm (1 when the first one passed). */
  attempts: number;
  /** What the pass saw, its texts in the monitor's language. */
  observation: Observation;
  step: Step;
  resultId: number;
  alerts: { id: string; event: AlertEvent }[];
  countdown: Countdown | null;
  /** When the pass was committed (the watch log's stamp). */
  finishedAt: string;
}

export interface DeliveryOutcome {
  delivered: number;
  failed: { channel: string; alertId: string; error: string }[];
}

/** A delivery error that names its channel once (the senders' own errors already do). */
export function channelError(f: { channel: string; error: string }): string {
  return f.error.startsWith(`${f.channel}: `) ? f.error : `${f.channel}: ${f.error}`;
}

class Unconfirmed extends Error {
  override readonly name = 'Unconfirmed';
  constructor(readonly result: ProbeResult) {
    super(`still ${result.verdict}: ${result.status ?? result.code ?? ''}`);
  }
}

/** Longest server reply quoted in a short reason (characters). */
const REASON_REPLY_MAX = 60;

/**
 * Why the headline path failed, in a few words of `language` (`port 25 refused on
 * 192.0.2.7`), from the failure's kind: for an alert's subject. Null when nothing failed.
 */
export function shortReason(result: ProbeResult, language: Language = 'en'): string | null {
  const path = result.code ? result.paths.find((p) => p.verdict === 'failing' && p.code === result.code) : undefined;
  if (!path) return null;
  const t = scheduledText(language);
  const values = { host: path.host, ip: path.ip ?? path.host, port: path.port };
  if (path.policyRefusal) return fill(t.reasons.policy, { ...values, domain: path.policyRefusal.domain, policy: path.policyRefusal.policy });
  const f = path.failure;
  if (!f) return null;
  if (f.kind === 'certificate') return fill(t.certificateReasons[f.reason ?? 'invalid'], values);
  return fill(t.reasons[f.kind], { ...values, reply: f.reply ? excerpt(formatReply(f.reply), REASON_REPLY_MAX) : '' });
}

/**
 * A confirmed result as the state machine sees it, its texts in `language`: the failing
 * stage's detail, the warnings and a finding's fix go through src/catalog/probe-text.ts.
 * `failingSince` is the start of the pass's first failed attempt.
 */
export function observe(result: ProbeResult, at: Date, language: Language = 'en', failingSince?: Date): Observation {
  const catalog = catalogFor(language);
  const d = result.diagnosis;
  const headline = result.paths.find((p) => p.verdict === 'failing' && p.code === result.code);
  const failedStage = headline?.stages.find((s) => !s.ok && s.name === d?.stage);
  const finding = d?.findings?.[0];
  return {
    at,
    ...(failingSince && result.verdict === 'failing' ? { failingSince } : {}),
    verdict: result.verdict,
    code: result.code,
    status: result.status,
    stage: d?.stage ?? null,
    summary: d
      ? d.summaryId
        ? textOf(d.summary, d.summaryId, d.summaryArgs, catalog)
        : failedStage && failedStage.detail === d.summary
          ? stageDetail(failedStage, catalog)
          : d.summary
      : null,
    reason: shortReason(result, language),
    firstFix: d ? (finding && finding.firstFix === d.firstFix ? findingText(finding, catalog).firstFix : d.firstFix) : null,
    warnings: result.warnings.map((w) => warningText(w, catalog)),
    tls: result.paths.some((p) => p.tls) ? true : result.paths.some((p) => p.verdict !== 'failing' && p.capabilities) ? false : null,
    ...(result.vantage ? { vantage: vantageLine(result, catalog) } : {}),
  };
}

export class Monitor {
  readonly history: History;
  private readonly now: () => Date;
  private readonly senders: Record<string, Sender>;
  private readonly probeFn: NonNullable<MonitorOptions['probe']>;
  private readonly policy: AlertPolicy;
  private readonly ownsHistory: boolean;
  /** The channels delivering now, each with its run. */
  private readonly delivering = new Map<string, Promise<DeliveryOutcome>>();
  private readonly owner = claimOwner();
  readonly language: Language;

  constructor(readonly config: MonitorConfig, options: MonitorOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.language = options.language ?? config.language ?? 'en';
    this.history = options.history ?? History.open(config.database);
    this.ownsHistory = !options.history;
    this.senders = options.senders ?? Object.fromEntries(config.alerts.map((c) => [c.name, senderFor(c, options.env, this.language)]));
    this.probeFn = options.probe ?? ((targets, o) => realProbe(targets, o));
    this.policy = {
      queueLifetimeMs: config.queueLifetimeMs,
      escalateBeforeMs: config.escalateBeforeMs,
      reminderEveryMs: config.reminderEveryMs,
      flapping: config.flapping,
    };
  }

  /**
   * Probes the target, confirming a failure with `confirm.retries` more attempts, and
   * commits the pass. Returns null when cancelled: a cancelled probe says nothing about
   * the target, so it is not recorded.
   */
  async check(target: TargetConfig, signal?: AbortSignal): Promise<PassOutcome | null> {
    // When each attempt began: the pass is dated by the attempt that decided it (a recovery
    // seen on a retry is dated at the retry), an outage by the first failed one.
    const starts: Date[] = [];
    let attempts = 0;
    const { retries, minDelayMs, maxDelayMs } = this.config.confirm;
    const language = this.language === 'en' ? {} : { language: this.language };
    const once = async (): Promise<ProbeResult> => {
      attempts++;
      starts.push(this.now());
      const result = await this.probeFn(target.hosts, { ...target.options, ...language, ...(signal ? { signal } : {}) });
      // Only a failure is retried: a degraded verdict (an expiring certificate, one bad
      // path) is already a confirmed fact that mail flows.
      if (result.verdict === 'failing' && !result.cancelled) throw new Unconfirmed(result);
      return result;
    };
    let result: ProbeResult;
    try {
      result = await pRetry(once, {
        retries,
        minTimeout: minDelayMs,
        maxTimeout: Math.max(minDelayMs, maxDelayMs),
        factor: 2,
        randomize: false,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (!(err instanceof Unconfirmed)) {
        if (signal?.aborted) return null;
        throw err;
      }
      result = err.result;
    }
    if (result.cancelled || signal?.aborted) return null;
    const at = starts.at(-1)!;
    const observation = observe(result, at, this.language, starts[0]);
    const step = advance(this.history.state(target.name), observation, this.policy);
    const { resultId, alerts } = this.history.recordPass(
      target.name,
      result,
      attempts,
      step,
      this.config.alerts.map((c) => c.name),
    );
    const c = step.next.failingSince ? countdown(step.next.failingSince, this.config.queueLifetimeMs, at) : null;
    return { target, result, attempts, observation, step, resultId, alerts, countdown: c, finishedAt: this.now().toISOString() };
  }

  /**
   * Sends every due outbox row and marks each delivered as soon as its channel took it.
   * Channels deliver independently: each keeps its own alerts in order, and a slow or
   * failing channel delays no other. A failure is retried later with doubling backoff
   * (delivery.minDelay up to delivery.maxDelay), across restarts. A channel already
   * delivering is joined, not started twice. `signal` cancels (shutdown): a cancelled
   * row is released as it was, for the next run.
   */
  deliver(signal?: AbortSignal): Promise<DeliveryOutcome> {
    const due = new Set(this.history.pendingDeliveries(this.now()).map((row) => row.channel));
    for (const channel of due) {
      if (this.delivering.has(channel)) continue;
      const run = this.deliverChannel(channel, signal).finally(() => this.delivering.delete(channel));
      this.delivering.set(channel, run);
    }
    return Promise.all(this.delivering.values()).then((outcomes) => ({
      delivered: outcomes.reduce((n, o) => n + o.delivered, 0),
      failed: outcomes.flatMap((o) => o.failed),
    }));
  }

  private async deliverChannel(channel: string, signal: AbortSignal | undefined): Promise<DeliveryOutcome> {
    const outcome: DeliveryOutcome = { delivered: 0, failed: [] };
    const send = this.senders[channel];
    const timeoutMs = this.config.alerts.find((c) => c.name === channel)?.timeoutMs ?? 15_000;
    for (const row of this.history.pendingDeliveries(this.now()).filter((r) => r.channel === channel)) {
      if (signal?.aborted) break;
      const now = this.now();
      // The timeout is the whole delivery (send.ts), so the claim outlives any send.
      // Another process holding it is sending it; the channel's later alerts wait their turn.
      if (!this.history.claim(row.id, this.owner, now, new Date(now.getTime() + timeoutMs + 10_000))) break;
      try {
        if (!send) throw new Error(fill(scheduledText(this.language).delivery.noChannel, { channel: row.channel }));
        await send(row.event, row.alertId, signal);
        this.history.markDelivered(row.id, this.now());
        outcome.delivered++;
      } catch (err) {
        if (signal?.aborted) {
          // Shutting down: not an attempt. The row stays due for the next run.
          this.history.release(row.id, this.owner);
          break;
        }
        // Error texts may quote a URL with its token or password: never store or print those.
        const error = redactUrls((err as Error).message || String(err));
        const { minDelayMs, maxDelayMs } = this.config.delivery;
        const delay = Math.min(maxDelayMs, minDelayMs * 2 ** row.attempts);
        this.history.markFailed(row.id, error, new Date(this.now().getTime() + delay));
        outcome.failed.push({ channel: row.channel, alertId: row.alertId, error });
        // Keep a channel's alerts in order: once one fails, the rest wait for the next run.
        break;
      }
    }
    return outcome;
  }

  close(): void {
    if (this.ownsHistory) this.history.close();
  }
}
