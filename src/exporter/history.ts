/**
 * Where the status page gets a target's recent history. The scheduled checks keep it
 * in SQLite; until an exporter is given that store, it remembers the last results it
 * produced itself, in memory.
 */
import { en, type Catalog } from '../catalog/en.js';
import type { ResultRow } from '../scheduled/history.js';
import type { ResultCode, ProbeResult, Verdict } from '../core/result.js';
import { earliestExpiry, headlinePath } from '../core/result-facts.js';
import { vantageLine } from '../report/text.js';

/** One point of a target's history: enough for the chart and the last-verdict column. */
export interface HistoryPoint {
  /** When the probe started, ms since the epoch. */
  at: number;
  verdict: Verdict;
  code: ResultCode | null;
  /** `450 4.4.316 Connection refused` … or null when nothing failed. */
  status: string | null;
  durationMs: number;
  /** The result in brief, for the target's detail view; absent in older points. */
  detail?: PointDetail;
}

/** What the detail view shows of a result: each path's stages, the failure, the fix, the certificate. */
export interface PointDetail {
  /** The stage that failed on the reported path, or null. */
  stage: string | null;
  /** Exchange Online's one-line message, or null when nothing failed. */
  message: string | null;
  /** The fix to try first: the probe's own when it is known, else the code's first fix. */
  firstFix: string | null;
  /** When the earliest certificate expires (ISO 8601), or null when none was seen. */
  certExpires: string | null;
  paths: { host: string; ip: string | null; verdict: Verdict; stages: { name: string; ok: boolean; ms: number }[] }[];
  /** Where the probe ran from, one line (src/report/text.ts vantageLine); absent in older points and in the SQLite history. */
  vantage?: string;
}

/** The code's first fix in the catalogue: what a stored result (which keeps no diagnosis) can say. */
function codeFirstFix(code: ResultCode | null, catalog: Catalog): string | null {
  if (!code) return null;
  const entry = Object.hasOwn(catalog.codes, code) ? catalog.codes[code as keyof typeof catalog.codes] : catalog.policyCodes[code as keyof typeof catalog.policyCodes];
  return entry?.fixes[0] ?? null;
}

/** A history store the status page reads; newest point last. */
export interface HistorySource {
  recent(name: string, limit: number): HistoryPoint[] | Promise<HistoryPoint[]>;
}

/** A result as a point, its words (the vantage line, the code's first fix) in `catalog`'s language: the status page's. */
export function historyPoint(result: ProbeResult, catalog: Catalog = en): HistoryPoint {
  const headline = headlinePath(result);
  return {
    at: Date.parse(result.startedAt),
    verdict: result.verdict,
    code: result.code,
    status: result.status,
    durationMs: result.durationMs,
    detail: {
      stage: result.code ? (result.diagnosis?.stage ?? headline?.failure?.stage ?? null) : null,
      message: result.message,
      firstFix: result.diagnosis?.firstFix ?? codeFirstFix(result.code, catalog),
      certExpires: earliestExpiry(result)?.validTo ?? null,
      paths: result.paths.map((p) => ({ host: p.host, ip: p.ip, verdict: p.verdict, stages: p.stages.map((s) => ({ name: s.name, ok: s.ok, ms: s.ms })) })),
      ...(result.vantage ? { vantage: vantageLine(result, catalog) } : {}),
    },
  };
}

/** A row of the scheduled checks' SQLite history as a point: the status page works from the store alone. */
export function historyPointFromRow(row: ResultRow, catalog: Catalog = en): HistoryPoint {
  return {
    at: Date.parse(row.at),
    verdict: row.verdict,
    code: row.code,
    status: row.status,
    durationMs: row.durationMs,
    detail: { stage: row.stage, message: row.message, firstFix: codeFirstFix(row.code, catalog), certExpires: row.certExpires, paths: row.stages },
  };
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
