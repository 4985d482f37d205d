/**
 * Fleet reports: JSON Lines (one `mailflow-probe/result@1` object a line, with the
 * target's `name` added) and a summary table. Pure functions of the entries.
 */
import type { FleetEntry } from '../fleet/fleet.js';
import type { Verdict } from '../core/result.js';
import { commandWords } from '../catalog/commands.js';
import { reportText } from '../catalog/report-text.js';
import { catalogFor, type Language } from '../catalog/index.js';
import { failureText, warningText } from '../catalog/probe-text.js';
import { terminal } from './sanitize.js';
import { fill, otherMessage } from './text.js';

/** One JSON line: the result `probe --json` prints, plus the target's name, first. */
export function renderFleetJsonLine(entry: FleetEntry): string {
  return `${JSON.stringify({ name: entry.name, ...entry.result })}\n`;
}

const RANK: Record<Verdict, number> = { failing: 0, degraded: 1, healthy: 2 };

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** What a row says after its code: the Exchange-style message, else the first warning. */
function detail(entry: FleetEntry, language: Language): string {
  const r = entry.result;
  if (r.cancelled) return commandWords(language).fleet.cancelled;
  const catalog = catalogFor(language);
  if (r.verdict === 'failing') {
    const failure = r.paths[0]?.failure;
    return r.status ?? otherMessage(r, catalog) ?? r.message ?? (failure ? failureText(failure, catalog) : '');
  }
  return r.warnings[0] ? warningText(r.warnings[0], catalog) : '';
}

/**
 * The summary table: worst first (failing, degraded, healthy), then in input order;
 * a closing line with the counts and the wall time.
 */
export function renderFleetTable(entries: readonly FleetEntry[], opts: { wallMs?: number; width?: number; language?: Language } = {}): string {
  const language = opts.language ?? 'en';
  const w = commandWords(language).fleet;
  // names and details escaped before they are measured, so the columns stay aligned
  const rows = [...entries]
    .sort((a, b) => RANK[a.result.verdict] - RANK[b.result.verdict] || a.index - b.index)
    .map((e) => ({ ...e, name: terminal(e.name, { newlines: false }) }));
  const nameWidth = Math.min(40, Math.max(4, ...rows.map((e) => e.name.length)));
  const width = opts.width ?? 120;
  // Each column as wide as its longest word in this language (English: VERDICT 8, CODE 7, TIME 7).
  const v = catalogFor(language).headings.verdicts;
  const verdicts: Record<Verdict, string> = { healthy: v.healthy.toLowerCase(), degraded: v.degraded.toLowerCase(), failing: v.failing.toLowerCase() };
  const verdictWidth = Math.max(8, w.header.verdict.length, ...Object.values(verdicts).map((word) => word.length));
  const codeWidth = Math.max(7, w.header.code.length);
  const timeWidth = Math.max(7, w.header.time.length);
  const lines = [`${pad(w.header.name, nameWidth)}  ${pad(w.header.verdict, verdictWidth)}  ${pad(w.header.code, codeWidth)}  ${pad(w.header.time, timeWidth)}  ${w.header.detail}`];
  for (const e of rows) {
    const head = `${pad(e.name.length > nameWidth ? `${e.name.slice(0, nameWidth - 1)}…` : e.name, nameWidth)}  ${pad(verdicts[e.result.verdict], verdictWidth)}  ${pad(e.result.code === 'other' ? reportText(catalogFor(language)).other : (e.result.code ?? '-'), codeWidth)}  ${pad(seconds(e.result.durationMs), timeWidth)}  `;
    const text = terminal(detail(e, language), { newlines: false });
    const room = Math.max(20, width - head.length);
    lines.push(`${head}${text.length > room ? `${text.slice(0, room - 1)}…` : text}`.trimEnd());
  }
  const count = (v: Verdict): number => entries.filter((e) => e.result.verdict === v).length;
  const codes = new Map<string, number>();
  for (const e of entries) if (e.result.code) codes.set(e.result.code, (codes.get(e.result.code) ?? 0) + 1);
  const byCode = [...codes].sort().map(([c, n]) => `${n}× ${c === 'other' ? reportText(catalogFor(language)).other : c}`).join(', ');
  lines.push(
    '',
    fill(w.summary, { n: entries.length, healthy: count('healthy'), degraded: count('degraded'), failing: count('failing') }) +
      (byCode ? fill(w.byCode, { codes: byCode }) : '') +
      (opts.wallMs !== undefined ? fill(w.in, { time: seconds(opts.wallMs) }) : ''),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * A one-line progress bar for a terminal (stderr), redrawn at most every 100 ms:
 * `[#######.............] 350/1000  ✓ 340  ~ 4  ✗ 6`. `clear()` erases it.
 */
export function progressBar(stream: NodeJS.WriteStream, total: number): { update(done: number, counts: Record<Verdict, number>): void; clear(): void } {
  let last = 0;
  let shown = false;
  const draw = (done: number, counts: Record<Verdict, number>): void => {
    const cells = 24;
    const filled = total ? Math.round((done / total) * cells) : cells;
    const bar = '#'.repeat(filled) + '.'.repeat(cells - filled);
    stream.write(`\r[${bar}] ${done}/${total}  ✓ ${counts.healthy}  ~ ${counts.degraded}  ✗ ${counts.failing}\x1b[K`);
    shown = true;
  };
  return {
    update(done, counts) {
      const now = performance.now();
      if (done < total && now - last < 100) return;
      last = now;
      draw(done, counts);
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
