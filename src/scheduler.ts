/**
 * `probe watch --config FILE`: each target checked on its own cron schedule (croner), the
 * outbox delivered after every pass and retried on a timer. SIGINT/SIGTERM stop the
 * schedules, let in-flight probes finish and their passes commit, deliver, and close the
 * database; a second signal cancels the in-flight probes.
 */
import { Cron } from 'croner';
import type { MonitorConfig } from './config.js';
import { Monitor, type MonitorOptions, type PassOutcome } from './monitor.js';
import { terminal } from './report/sanitize.js';

export interface WatchOptions extends MonitorOptions {
  /** A line per pass and per delivery problem (default: stdout). */
  log?: (line: string) => void;
  /** Check every target once at start, before the first scheduled time (default true). */
  checkAtStart?: boolean;
}

export interface Watcher {
  /** Resolves once every in-flight pass has committed and the database is closed. */
  stop(): Promise<void>;
  /** Cancels in-flight probes (a second Ctrl-C). */
  abort(): void;
  readonly stopped: Promise<void>;
}

export function passLine(p: PassOutcome): string {
  const r = p.result;
  const parts = [p.step.next.lastCheckAt ?? '', p.target.name, r.verdict];
  if (r.code) parts.push(r.code);
  parts.push(`result #${p.resultId}`, `attempts ${p.attempts}`);
  if (p.countdown) parts.push(`bounce at ${p.countdown.bounceAt}`);
  if (p.alerts.length) parts.push(`alerts ${p.alerts.map((a) => `${a.event.kind}:${a.id}`).join(',')}`);
  return parts.join(' ');
}

export function startWatch(config: MonitorConfig, options: WatchOptions = {}): Watcher {
  const log = options.log ?? ((line: string) => process.stdout.write(`${terminal(line)}\n`));
  const monitor = new Monitor(config, options);
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const track = <T>(work: Promise<T>): Promise<T | undefined> => {
    const p = work.catch((err: unknown) => {
      log(`error: ${(err as Error)?.message ?? String(err)}`);
      return undefined;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  const deliver = (): Promise<unknown> =>
    track(
      monitor.deliver().then((d) => {
        for (const f of d.failed) log(`delivery failed: ${f.channel} alert ${f.alertId}: ${f.error} (will retry)`);
        if (d.delivered) log(`delivered ${d.delivered} alert(s)`);
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
        log(passLine(outcome));
        if (outcome.alerts.length && !controller.signal.aborted) await deliver();
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
    while (inFlight.size) await Promise.all([...inFlight]);
    if (!controller.signal.aborted) await monitor.deliver().catch(() => undefined);
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
