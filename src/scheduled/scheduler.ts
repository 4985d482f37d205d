/**
 * `probe watch --config FILE`: each target checked on its own cron schedule (croner), the
 * outbox delivered beside the schedules — after a pass that raised alerts, and on a retry
 * timer — and never waited for by a pass, so a slow relay cannot hold the checks back.
 * stop() (SIGINT/SIGTERM) stops the schedules and gives in-flight passes and deliveries
 * a grace period (STOP_GRACE_MS) to commit; then it cancels them: a cancelled probe is not
 * recorded, a cancelled delivery stays in the outbox for the next run. The database is
 * closed either way.
 */
import { Cron } from 'croner';
import type { Language } from '../catalog/index.js';
import { scheduledText } from '../catalog/scheduled.js';
import type { MonitorConfig } from './config.js';
import { channelError, Monitor, type MonitorOptions, type PassOutcome } from './monitor.js';
import { terminal } from '../report/sanitize.js';
import { fill } from '../report/text.js';

export interface WatchOptions extends MonitorOptions {
  /** A line per pass and per delivery problem (default: stdout). */
  log?: (line: string) => void;
  /** Check every target once at start, before the first scheduled time (default true). */
  checkAtStart?: boolean;
  /** How long stop() lets in-flight work finish before it cancels it (default STOP_GRACE_MS). */
  stopGraceMs?: number;
}

/** stop() finishes within this plus the time cancelled work takes to unwind (milliseconds). */
export const STOP_GRACE_MS = 3000;

export interface Watcher {
  /** Resolves once every in-flight pass has committed and the database is closed. */
  stop(): Promise<void>;
  /** Cancels in-flight probes and deliveries at once. */
  abort(): void;
  readonly stopped: Promise<void>;
}

/**
 * One pass, logged when it finishes and stamped with that time: a log someone tails (or
 * journald stamps) reads in time order, and a slow target's line, written after a fast
 * one's, never carries an earlier time. The time the result was seen is in the history.
 */
export function passLine(p: PassOutcome, language: Language = 'en'): string {
  const t = scheduledText(language);
  const r = p.result;
  const parts = [p.finishedAt, p.target.name, t.verdicts[r.verdict]];
  if (r.code) parts.push(r.code);
  parts.push(fill(t.watch.result, { id: p.resultId }), fill(t.watch.attempts, { attempts: p.attempts }));
  if (p.countdown) parts.push(fill(t.watch.bounceAt, { time: p.countdown.bounceAt }));
  if (p.alerts.length) parts.push(fill(t.watch.alerts, { list: p.alerts.map((a) => `${t.kinds[a.event.kind]}:${a.id}`).join(',') }));
  return parts.join(' ');
}

export function startWatch(config: MonitorConfig, options: WatchOptions = {}): Watcher {
  const log = options.log ?? ((line: string) => process.stdout.write(`${terminal(line)}\n`));
  const monitor = new Monitor(config, options);
  const text = scheduledText(monitor.language);
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const track = <T>(work: Promise<T>): Promise<T | undefined> => {
    const p = work.catch((err: unknown) => {
      log(fill(text.watch.error, { message: (err as Error)?.message ?? String(err) }));
      return undefined;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  const deliver = (): Promise<unknown> =>
    track(
      monitor.deliver(controller.signal).then((d) => {
        for (const f of d.failed) log(fill(text.watch.deliveryFailed, { id: f.alertId, error: channelError(f) }));
        if (d.delivered) log(fill(text.watch.delivered, { delivered: d.delivered }));
      }),
    );

  // One pass per target at a time, whoever starts it: croner's `protect` covers only its
  // own runs, so without this the start-up pass and the first scheduled one could overlap
  // (the same target probed twice at start-up).
  const running = new Set<number>();
  const runPass = async (index: number): Promise<void> => {
    if (stopping || running.has(index)) return;
    running.add(index);
    try {
      const target = config.targets[index]!;
      const outcome = await track(monitor.check(target, controller.signal));
      if (outcome) {
        log(passLine(outcome, monitor.language));
        // Not awaited: the next pass must not wait for a relay.
        if (outcome.alerts.length && !controller.signal.aborted) void deliver();
      }
    } finally {
      running.delete(index);
    }
  };

  // protect: a pass still running when its next time comes is not started twice.
  const jobs = config.targets.map(
    (target, i) => new Cron(target.schedule, { protect: true, name: `probe:${target.name}:${i}` }, () => runPass(i)),
  );
  const retryMs = Math.max(1000, Math.min(config.delivery.minDelayMs, 30_000));
  const retryTimer = setInterval(() => void deliver(), retryMs);

  // What a previous run committed but could not deliver (it was killed) goes out first.
  void deliver();
  if (options.checkAtStart ?? true) config.targets.forEach((_, i) => void runPass(i));

  const stop = async (): Promise<void> => {
    if (stopping) return stopped;
    stopping = true;
    for (const job of jobs) job.stop();
    clearInterval(retryTimer);
    const grace = setTimeout(() => controller.abort(new DOMException('stopping', 'AbortError')), options.stopGraceMs ?? STOP_GRACE_MS);
    while (inFlight.size) await Promise.all([...inFlight]);
    // What the last passes committed goes out now, within the same grace period.
    if (!controller.signal.aborted) await deliver();
    while (inFlight.size) await Promise.all([...inFlight]);
    clearTimeout(grace);
    monitor.close();
    resolveStopped();
    return stopped;
  };

  return {
    stop,
    abort: () => controller.abort(new DOMException('cancelled', 'AbortError')),
    stopped,
  };
}
