/**
 * `probe history [TARGET] [--since 7d] [--json]`: for each target, the current state and
 * since when, the countdown while failing, uptime over the window (the share of time mail
 * could flow: healthy or degraded), the latest certificate expiry, and the timeline of
 * state changes.
 */
import type { Language } from '../catalog/index.js';
import { scheduledText } from '../catalog/scheduled.js';
import type { AlertKind } from './alert-state.js';
import { countdown, countdownText, formatTime, type Countdown } from './countdown.js';
import { formatDuration } from '../core/duration.js';
import type { History } from './history.js';
import { terminalSafe } from '../report/sanitize.js';
import { fill } from '../report/text.js';
import type { ResultCode, Verdict } from '../core/result.js';

export const HISTORY_SCHEMA = 'mailflow-probe/history@1';

export interface TargetHistory {
  target: string;
  state: Verdict | null;
  stateSince: string | null;
  failingSince: string | null;
  countdown: Countdown | null;
  lastCheckAt: string | null;
  /** Share of the known time in the window during which mail could flow; null if nothing is known. */
  uptime: number | null;
  /** How much of the window the history covers. */
  knownMs: number;
  failingMs: number;
  checks: number;
  failingChecks: number;
  lastCode: ResultCode | null;
  lastStatus: string | null;
  certExpires: string | null;
  timeline: { at: string; from: Verdict | null; to: Verdict; code: ResultCode | null }[];
  alerts: { at: string; kind: AlertKind }[];
}

export interface HistoryReport {
  schema: typeof HISTORY_SCHEMA;
  since: string;
  now: string;
  targets: TargetHistory[];
}

export function buildHistory(history: History, opts: { target: string | null; since: Date; now: Date; queueLifetimeMs: number }): HistoryReport {
  const names = opts.target !== null ? [opts.target] : history.states().map((s) => s.target);
  const targets = names.map((name): TargetHistory => {
    const state = history.state(name);
    const timeline = history.transitions(name, opts.since);
    const results = history.results(name, opts.since);
    // Walk the window: from the state it was in at the start through each change.
    let known = 0;
    let failing = 0;
    let current = history.stateAt(name, opts.since);
    let from = opts.since.getTime();
    const end = opts.now.getTime();
    for (const t of [...timeline, null]) {
      const to = t ? Date.parse(t.at) : end;
      if (current !== null) {
        known += to - from;
        if (current === 'failing') failing += to - from;
      }
      if (t) {
        current = t.to;
        from = to;
      }
    }
    const latest = history.latestResult(name);
    return {
      target: name,
      state: state.state,
      stateSince: state.since,
      failingSince: state.failingSince,
      countdown: state.failingSince ? countdown(state.failingSince, opts.queueLifetimeMs, opts.now) : null,
      lastCheckAt: state.lastCheckAt,
      uptime: known > 0 ? (known - failing) / known : null,
      knownMs: known,
      failingMs: failing,
      checks: results.length,
      failingChecks: results.filter((r) => r.verdict === 'failing').length,
      lastCode: latest?.code ?? null,
      lastStatus: latest?.status ?? null,
      certExpires: history.latestCertExpiry(name)?.certExpires ?? null,
      timeline: timeline.map((t) => ({ at: t.at, from: t.from, to: t.to, code: t.code })),
      alerts: history.alerts(name, opts.since).map((a) => ({ at: a.event.at, kind: a.event.kind })),
    };
  });
  return { schema: HISTORY_SCHEMA, since: opts.since.toISOString(), now: opts.now.toISOString(), targets };
}

/** The terminal report in `language`; target names and statuses are escaped for the terminal. */
export function renderHistory(remote: HistoryReport, language: Language = 'en'): string {
  const t = scheduledText(language);
  const h = t.history;
  const time = (iso: string): string => formatTime(iso, language);
  const report = terminalSafe(remote);
  if (!report.targets.length) return `${h.none}\n`;
  const windowMs = Date.parse(report.now) - Date.parse(report.since);
  const out: string[] = [];
  for (const x of report.targets) {
    if (x.state === null) {
      out.push(fill(h.never, { target: x.target }), '');
      continue;
    }
    const status = x.state === 'failing' && x.lastStatus ? ` — ${x.lastStatus}` : '';
    out.push(`${fill(h.state, { target: x.target, state: t.verdicts[x.state], time: time(x.stateSince ?? report.now) })}${status}`);
    if (x.countdown) out.push(`  ${countdownText(x.countdown, language)}`);
    const uptime = x.uptime === null ? h.uptimeUnknown : `${(x.uptime * 100).toFixed(2).replace('.', t.decimalSeparator)}%`;
    const coverage = x.knownMs < windowMs ? fill(h.coverage, { duration: formatDuration(x.knownMs) }) : '';
    const checks = fill(x.checks === 1 ? h.checksOne : h.checksMany, { count: x.checks });
    out.push(`  ${fill(h.uptime, { window: formatDuration(windowMs), uptime, coverage, checks, failing: x.failingChecks })}`);
    if (x.certExpires) {
      const leftMs = Date.parse(x.certExpires) - Date.parse(report.now);
      out.push(`  ${fill(leftMs >= 0 ? h.certExpires : h.certExpired, { time: time(x.certExpires), duration: formatDuration(Math.abs(leftMs)) })}`);
    }
    if (x.lastCheckAt) out.push(`  ${fill(h.lastCheck, { time: time(x.lastCheckAt) })}`);
    if (x.timeline.length) {
      out.push(`  ${h.changes}`);
      for (const c of x.timeline) out.push(`    ${time(c.at)}  ${c.from ? t.verdicts[c.from] : h.firstCheck} → ${t.verdicts[c.to]}${c.code ? ` (${c.code})` : ''}`);
    } else {
      out.push(`  ${h.noChange}`);
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}
