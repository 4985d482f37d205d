/**
 * The one worker pool and the one verdict order, shared by the engine (paths of a probe),
 * `probe check` (targets of a pass) and fleet mode (connectors of a list).
 */
import type { Verdict } from './result.js';

/**
 * Runs `fn` over `items` with at most `limit` in flight — a pool of workers, not batches,
 * so one slow item holds one slot and never the rest — and resolves with every result in
 * input order. `limit` below 1 counts as 1.
 *
 * @example
 * ```ts
 * const results = await mapLimit(targets, 8, (t) => probe(t));
 * ```
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  // A probe's usual single path: no pool to build (an array, a closure, Promise.all).
  if (items.length === 1) return [await fn(items[0] as T, 0)];
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** The worst of some verdicts: failing > degraded > healthy; healthy for none. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'healthy';
  for (const v of verdicts) {
    if (v === 'failing') return 'failing';
    if (v === 'degraded') worst = 'degraded';
  }
  return worst;
}
