/**
 * The countdown to the first bounce. Exchange Online retries a message queued behind a
 * failing connector for the queue lifetime (24 hours in Microsoft's current documentation,
 * 48 in its 2017 page), then returns it to the sender in an NDR. So the first messages
 * queued when the outage began start bouncing at failing-since + lifetime.
 */
import { formatDuration } from '../core/duration.js';

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

/** `2026-11-27 07:00 UTC`: minutes are as precise as a queue retry is. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * Two sentences for reports and alerts:
 * "Failing since 2026-11-27 07:00 UTC (3 h 12 min). Mail queued at the start of the outage
 * starts bouncing at 2026-11-28 07:00 UTC (in 20 h 48 min; queue lifetime 24 h)."
 */
export function countdownText(c: Countdown): string {
  const since = `Failing since ${formatTime(c.failingSince)} (${formatDuration(c.elapsedMs)}).`;
  const lifetime = `queue lifetime ${formatDuration(c.queueLifetimeMs)}`;
  return c.remainingMs > 0
    ? `${since} Mail queued at the start of the outage starts bouncing at ${formatTime(c.bounceAt)} (in ${formatDuration(c.remainingMs)}; ${lifetime}).`
    : `${since} Mail queued at the start of the outage has been bouncing since ${formatTime(c.bounceAt)} (${formatDuration(-c.remainingMs)} ago; ${lifetime}): senders are getting NDRs.`;
}
