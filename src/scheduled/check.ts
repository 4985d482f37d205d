/**
 * `probe check --config FILE`: one pass over every target (the cron use), then the outbox.
 * The exit code is the worst verdict: 0 healthy, 1 degraded, 2 failing.
 */
import type { MonitorConfig, TargetConfig } from './config.js';
import { countdownText } from './countdown.js';
import { Monitor, type DeliveryOutcome, type MonitorOptions, type PassOutcome } from './monitor.js';
import { mapLimit, worstVerdict } from '../core/pool.js';
import type { Verdict } from '../core/result.js';

export { worstVerdict };

/** One target's pass, for a terminal or a cron mail. */
export function renderPass(p: PassOutcome): string {
  const r = p.result;
  const lines = [`${p.target.name}: ${r.verdict}${r.status ? ` — ${r.status}` : ''}${p.attempts > 1 ? ` (confirmed in ${p.attempts} attempts)` : ''}`];
  if (r.diagnosis) {
    lines.push(`  Failing stage: ${r.diagnosis.stage} — ${r.diagnosis.summary}`);
    lines.push(`  First fix: ${r.diagnosis.firstFix}`);
  }
  if (p.countdown) lines.push(`  ${countdownText(p.countdown)}`);
  if (r.verdict !== 'failing') for (const w of r.warnings) lines.push(`  Warning: ${w.message}`);
  for (const a of p.alerts) lines.push(`  Alert queued: ${a.event.kind} (${a.id})`);
  return `${lines.join('\n')}\n`;
}

export function renderDelivery(d: DeliveryOutcome): string {
  if (!d.delivered && !d.failed.length) return '';
  const failed = d.failed.map((f) => `\n  ${f.channel}: ${f.error} (will retry)`).join('');
  return `Alerts delivered: ${d.delivered}${d.failed.length ? `, failed: ${d.failed.length}${failed}` : ''}\n`;
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
