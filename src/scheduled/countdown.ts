/**
 * The countdown to the first bounce. Exchange Online retries a message queued behind a
 * failing connector for the queue lifetime (24 hours in Microsoft's current documentation,
 * 48 in its 2017 page), then returns it to the sender in an NDR. So the first messages
 * queued when the outage began start bouncing at failing-since + lifetime.
 */
import type { Language } from '../catalog/index.js';
import { scheduledText } from '../catalog/scheduled.js';
import { formatDuration } from '../core/duration.js';
import { fill } from '../report/text.js';

export interface Countdown {
  failingSince: string;
  /** When messages queued at the start of the outage start bouncing. */
  bounceAt: string;
  /** Time left until then; negative once they are bouncing. */
  remainingMs: number;
  /** How long it has been failing. */
  elapsedMs: number;
  queueLifetimeMs: number;
}

/** The countdown at `now` for an outage that began at `failingSince`. */
export function countdown(failingSince: string | Date, queueLifetimeMs: number, now: Date): Countdown {
  const start = new Date(failingSince).getTime();
  const bounce = start + queueLifetimeMs;
  return {
    failingSince: new Date(start).toISOString(),
    bounceAt: new Date(bounce).toISOString(),
    remainingMs: bounce - now.getTime(),
    elapsedMs: now.getTime() - start,
    queueLifetimeMs,
  };
}

/** `2026-11-27 07:00 UTC` (`27/11/2026 07:00 UTC` in pt-BR): minutes are as precise as a queue retry is. */
export function formatTime(iso: string, language: Language = 'en'): string {
  return fill(scheduledText(language).time, { y: iso.slice(0, 4), m: iso.slice(5, 7), d: iso.slice(8, 10), hh: iso.slice(11, 13), mm: iso.slice(14, 16) });
}

/**
 * Two sentences for reports and alerts:
 * "Failing since 2026-11-27 07:00 UTC (3 h 12 min). Mail queued at the start of the outage
 * starts bouncing at 2026-11-28 07:00 UTC (in 20 h 48 min; queue lifetime 24 h)."
 */
export function countdownText(c: Countdown, language: Language = 'en'): string {
  const t = scheduledText(language).countdown;
  const since = fill(t.since, { time: formatTime(c.failingSince, language), elapsed: formatDuration(c.elapsedMs) });
  const values = { since, bounce: formatTime(c.bounceAt, language), lifetime: formatDuration(c.queueLifetimeMs) };
  return c.remainingMs > 0
    ? fill(t.ahead, { ...values, remaining: formatDuration(c.remainingMs) })
    : fill(t.past, { ...values, ago: formatDuration(-c.remainingMs) });
}
