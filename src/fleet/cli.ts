/**
 * `probe --targets FILE`: loads the list, runs the fleet, prints JSON Lines as results
 * arrive (or the summary table at the end), a progress bar on stderr when it is a
 * terminal, and returns the exit code of the worst verdict.
 */
import { EXIT } from '../cli/exit.js';
import { parseLanguage } from '../catalog/index.js';
import { FLEET_DEFAULT_CONCURRENCY, runFleet, worstVerdict, type FleetEntry } from './fleet.js';
import { parseInteger, type ProbeOptions } from '../core/options.js';
import { progressBar, renderFleetJsonLine, renderFleetTable } from '../report/fleet.js';
import type { Verdict } from '../core/result.js';
import { loadNamedTargets } from './target-sources.js';

export async function runFleetCommand(
  file: string,
  defaults: ProbeOptions,
  opts: { concurrency: string | undefined; json: boolean; signal: AbortSignal },
): Promise<number> {
  const concurrency = opts.concurrency === undefined ? FLEET_DEFAULT_CONCURRENCY : parseInteger(opts.concurrency, 'concurrency', 1, 4096);
  const list = loadNamedTargets(file, defaults);
  const started = performance.now();
  const counts: Record<Verdict, number> = { healthy: 0, degraded: 0, failing: 0 };
  const bar = process.stderr.isTTY ? progressBar(process.stderr, list.length) : null;
  const entries: FleetEntry[] = await runFleet(list, {
    concurrency,
    signal: opts.signal,
    onResult(entry, done) {
      counts[entry.result.verdict]++;
      if (opts.json) {
        bar?.clear();
        process.stdout.write(renderFleetJsonLine(entry));
      }
      bar?.update(done, counts);
    },
  });
  bar?.clear();
  if (!opts.json) {
    const language = defaults.language === undefined ? 'en' : parseLanguage(defaults.language);
    process.stdout.write(renderFleetTable(entries, { wallMs: performance.now() - started, width: process.stdout.columns ?? 120, language }));
  }
  if (entries.some((e) => e.result.cancelled)) return EXIT.cancelled;
  return EXIT[worstVerdict(entries.map((e) => e.result.verdict))];
}
