/**
 * Where the status page gets a target's recent history. The scheduled checks keep it
 * in SQLite; until an exporter is given that store, it remembers the last results it
 * produced itself, in memory.
 */
import type { ExchangeCode, ProbeResult, Verdict } from '../result.js';

/** One point of a target's history: enough for the chart and the last-verdict column. */
export interface HistoryPoint {
  /** When the probe started, ms since the epoch. */
  at: number;
  verdict: Verdict;
  code: ExchangeCode | null;
  /** `450 4.4.316 Connection refused` … or null when nothing failed. */
  status: string | null;
  durationMs: number;
}

/** A history store the status page reads; newest point last. */
export interface HistorySource {
  recent(name: string, limit: number): HistoryPoint[] | Promise<HistoryPoint[]>;
}

export function historyPoint(result: ProbeResult): HistoryPoint {
  return { at: Date.parse(result.startedAt), verdict: result.verdict, code: result.code, status: result.status, durationMs: result.durationMs };
}

/** The last `capacity` results per target, in memory. */
export class MemoryHistory implements HistorySource {
  readonly #points = new Map<string, HistoryPoint[]>();

  constructor(readonly capacity = 60) {}

  record(name: string, point: HistoryPoint): void {
    const list = this.#points.get(name) ?? [];
    list.push(point);
    if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
    this.#points.set(name, list);
  }

  recent(name: string, limit: number): HistoryPoint[] {
    return (this.#points.get(name) ?? []).slice(-limit);
  }
}
