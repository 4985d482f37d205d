/**
 * `probe check --config FILE`: one pass over every target (the cron use), then the outbox.
 * The exit code is the worst verdict: 0 healthy, 1 degraded, 2 failing.
 */
import type { Language } from '../catalog/index.js';
import { scheduledText } from '../catalog/scheduled.js';
import type { MonitorConfig, TargetConfig } from './config.js';
import { countdownText } from './countdown.js';
import { fill } from '../report/text.js';
import { channelError, Monitor, type DeliveryOutcome, type MonitorOptions, type PassOutcome } from './monitor.js';
import { mapLimit, worstVerdict } from '../core/pool.js';
import type { Verdict } from '../core/result.js';

export { worstVerdict };

/**
 * One target's pass, for a terminal or a cron mail, in `language`. The failing stage's
 * summary, the fix and the warnings are the pass's observation (already in the monitor's
 * language, through src/catalog/probe-text.ts).
 */
export function renderPass(p: PassOutcome, language: Language = 'en'): string {
  const t = scheduledText(language);
  const r = p.result;
  let head = fill(t.check.head, { target: p.target.name, verdict: t.verdicts[r.verdict] });
  if (r.status) head += fill(t.check.status, { status: r.status });
  if (p.attempts > 1) head += fill(t.check.confirmed, { attempts: p.attempts });
  const lines = [head];
  const obs = p.observation;
  if (r.diagnosis && obs.stage) {
    const stage = (t.stages as Record<string, string>)[obs.stage] ?? obs.stage;
    lines.push(`  ${obs.summary ? fill(t.alert.failingStageSummary, { stage, summary: obs.summary }) : fill(t.alert.failingStage, { stage })}`);
    if (obs.firstFix) lines.push(`  ${fill(t.alert.firstFix, { fix: obs.firstFix })}`);
  }
  if (p.countdown) lines.push(`  ${countdownText(p.countdown, language)}`);
  if (r.verdict !== 'failing') for (const w of obs.warnings) lines.push(`  ${fill(t.alert.warning, { warning: w })}`);
  for (const a of p.alerts) lines.push(`  ${fill(t.check.alertQueued, { kind: t.kinds[a.event.kind], id: a.id })}`);
  return `${lines.join('\n')}\n`;
}

export function renderDelivery(d: DeliveryOutcome, language: Language = 'en'): string {
  if (!d.delivered && !d.failed.length) return '';
  const t = scheduledText(language).check;
  const failed = d.failed.map((f) => `\n  ${fill(t.failedChannel, { error: channelError(f) })}`).join('');
  return `${fill(t.delivered, { delivered: d.delivered })}${d.failed.length ? `${fill(t.deliveryFailed, { failed: d.failed.length })}${failed}` : ''}\n`;
}

export interface CheckOutcome {
  passes: PassOutcome[];
  delivery: DeliveryOutcome;
  verdict: Verdict;
  cancelled: boolean;
}

/** Checks the targets (at most `concurrency` at once), then delivers the outbox. */
export async function runCheck(
  config: MonitorConfig,
  options: MonitorOptions & { targets?: TargetConfig[]; signal?: AbortSignal; concurrency?: number } = {},
): Promise<CheckOutcome> {
  const monitor = new Monitor(config, options);
  try {
    const targets = options.targets ?? config.targets;
    const passes = await mapLimit(targets, options.concurrency ?? 4, (t) => monitor.check(t, options.signal));
    const delivery = await monitor.deliver();
    const done = passes.filter((p): p is PassOutcome => p !== null);
    return { passes: done, delivery, verdict: worstVerdict(done.map((p) => p.result.verdict)), cancelled: done.length < targets.length };
  } finally {
    monitor.close();
  }
}
