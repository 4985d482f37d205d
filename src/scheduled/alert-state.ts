/**
 * The state of a checked target and the alerts its changes cause: a pure function of the
 * previous state, one confirmed observation and the policy. No clock, no I/O — the
 * monitor commits what this returns in one transaction (the outbox), and tests drive it
 * through simulated days.
 *
 * Alerts go out on state changes only (healthy → degraded → failing → recovered); while
 * a target stays failing, escalations as the first bounce nears, one when it arrives, and
 * a reminder when nothing else was said for a while. A target that changes state too
 * often is flapping: that is said once, and again once it has settled.
 */
import type { ResultCode, Verdict } from '../core/result.js';

export type AlertKind = 'degraded' | 'failing' | 'escalation' | 'bouncing' | 'reminder' | 'recovered' | 'flapping' | 'settled' | 'tls-stopped';

/** What one confirmed check found (the monitor builds it from a ProbeResult). */
export interface Observation {
  /** When the result was seen: the start of the attempt that decided the pass. */
  at: Date;
  /**
   * When the failure was first seen: the start of the pass's first failed attempt (before
   * the retries confirmed it). An outage that begins here counts from then; default `at`.
   */
  failingSince?: Date;
  verdict: Verdict;
  code: ResultCode | null;
  status: string | null;
  stage: string | null;
  summary: string | null;
  /** Why, in a few words (`port 25 refused on 192.0.2.7`), for an alert's subject. */
  reason?: string | null;
  firstFix: string | null;
  /** The warnings of a degraded result, one line each. */
  warnings: string[];
  /** Whether mail went over TLS: true when a path upgraded, false when the paths that passed went plain, null when unknown. */
  tls?: boolean | null;
  /** Where the check ran from, one line (src/report/text.ts vantageLine). */
  vantage?: string;
}

export interface TargetState {
  target: string;
  /** null until the first check. */
  state: Verdict | null;
  /** When the current state began. */
  since: string | null;
  failingSince: string | null;
  lastAlertAt: string | null;
  /** Escalation thresholds (ms before the bounce) already announced in this outage. */
  escalated: number[];
  bouncingAnnounced: boolean;
  /** Times of recent state changes, within the flapping window. */
  changes: string[];
  flapping: boolean;
  lastCheckAt: string | null;
  /** Whether the last check that could tell saw TLS (absent in older states). */
  usedTls?: boolean;
}

export interface AlertPolicy {
  queueLifetimeMs: number;
  /** Largest first. */
  escalateBeforeMs: number[];
  reminderEveryMs: number | null;
  flapping: { changes: number; windowMs: number };
}

/** One alert, before it is addressed to a channel. Carries everything the text needs. */
export interface AlertEvent {
  kind: AlertKind;
  target: string;
  at: string;
  state: Verdict;
  previous: Verdict | null;
  failingSince: string | null;
  /** failingSince + queue lifetime. */
  bounceAt: string | null;
  queueLifetimeMs: number;
  /** For an escalation: how long before the bounce it was due. */
  thresholdMs?: number;
  /** For a recovery: how long the outage lasted. */
  outageMs?: number;
  /** For flapping: changes counted in the window. */
  changes?: number;
  code: ResultCode | null;
  status: string | null;
  stage: string | null;
  summary: string | null;
  /** Why, in a few words, in the monitor's language (absent in older events). */
  reason?: string | null;
  firstFix: string | null;
  warnings: string[];
  /** Where the check ran from (absent in older events). */
  vantage?: string;
}

export function initialState(target: string): TargetState {
  return {
    target,
    state: null,
    since: null,
    failingSince: null,
    lastAlertAt: null,
    escalated: [],
    bouncingAnnounced: false,
    changes: [],
    flapping: false,
    lastCheckAt: null,
  };
}

export interface Step {
  next: TargetState;
  alerts: AlertEvent[];
  /** The state changed (a row for the timeline). */
  changed: boolean;
  previous: Verdict | null;
}

/** Applies one observation. */
export function advance(prev: TargetState, obs: Observation, policy: AlertPolicy): Step {
  const now = obs.at.getTime();
  const at = obs.at.toISOString();
  const state = obs.verdict;
  const changed = prev.state !== state;
  const changes = prev.changes.filter((t) => now - Date.parse(t) < policy.flapping.windowMs);
  if (changed && prev.state !== null) changes.push(at);

  const stillFailing = state === 'failing' && prev.state === 'failing';
  // An outage counts from its first failed attempt, not from the retry that confirmed it.
  const began = obs.failingSince && obs.failingSince.getTime() <= now ? obs.failingSince.toISOString() : at;
  const failingSince = state !== 'failing' ? null : stillFailing ? prev.failingSince ?? began : began;
  const bounceAt = failingSince ? new Date(Date.parse(failingSince) + policy.queueLifetimeMs).toISOString() : null;
  const next: TargetState = {
    target: prev.target,
    state,
    since: changed ? at : prev.since,
    failingSince,
    lastAlertAt: prev.lastAlertAt,
    escalated: stillFailing ? [...prev.escalated] : [],
    bouncingAnnounced: stillFailing ? prev.bouncingAnnounced : false,
    changes,
    flapping: prev.flapping,
    lastCheckAt: at,
    ...(obs.tls === true || obs.tls === false ? { usedTls: obs.tls } : prev.usedTls !== undefined ? { usedTls: prev.usedTls } : {}),
  };

  const alerts: AlertEvent[] = [];
  const alert = (kind: AlertKind, extra: Partial<AlertEvent> = {}): void => {
    alerts.push({
      kind,
      target: prev.target,
      at,
      state,
      previous: prev.state,
      failingSince,
      bounceAt,
      queueLifetimeMs: policy.queueLifetimeMs,
      code: obs.code,
      status: obs.status,
      stage: obs.stage,
      summary: obs.summary,
      ...(obs.reason ? { reason: obs.reason } : {}),
      firstFix: obs.firstFix,
      warnings: obs.warnings,
      ...(obs.vantage ? { vantage: obs.vantage } : {}),
      ...extra,
    });
  };

  if (!prev.flapping && changes.length >= policy.flapping.changes) {
    next.flapping = true;
    alert('flapping', { changes: changes.length });
  } else if (prev.flapping) {
    // Settled once a whole window has passed without a change.
    if (changes.length === 0) {
      next.flapping = false;
      alert('settled');
    }
  } else if (changed) {
    if (state === 'failing') alert('failing');
    else if (prev.state === 'failing') alert('recovered', { outageMs: prev.failingSince ? now - Date.parse(prev.failingSince) : 0 });
    else if (state === 'degraded') alert('degraded');
    else if (prev.state === 'degraded') alert('recovered');
  }

  // Opportunistic TLS delivers in the clear without warning, but a target that used TLS
  // and stops offering it is a change worth saying, once (the next check already sees false).
  if (prev.usedTls === true && obs.tls === false && !alerts.length) alert('tls-stopped');

  if (state === 'failing' && !next.flapping && failingSince && !alerts.length) {
    const remaining = Date.parse(failingSince) + policy.queueLifetimeMs - now;
    if (remaining <= 0) {
      if (!next.bouncingAnnounced) {
        next.bouncingAnnounced = true;
        next.escalated = [...policy.escalateBeforeMs];
        alert('bouncing');
      }
    } else {
      const due = policy.escalateBeforeMs.filter((t) => remaining <= t && !next.escalated.includes(t));
      if (due.length) {
        // Several due at once (a long gap between checks): say the most urgent, once.
        next.escalated.push(...due);
        alert('escalation', { thresholdMs: Math.min(...due) });
      }
    }
    if (!alerts.length && policy.reminderEveryMs !== null && prev.lastAlertAt && now - Date.parse(prev.lastAlertAt) >= policy.reminderEveryMs) {
      alert('reminder');
    }
  }
  if (alerts.length) next.lastAlertAt = at;
  return { next, alerts, changed, previous: prev.state };
}
