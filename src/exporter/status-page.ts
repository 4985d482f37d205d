/**
 * The exporter's `/` page: every configured target, its last verdict and code, and its
 * recent history as a small inline SVG chart. Pure functions; no script, no external
 * asset, so it renders the same behind any proxy.
 */
import { html as escape } from '../report/sanitize.js';
import type { HistoryPoint } from './history.js';

export interface StatusRow {
  name: string;
  targets: string[];
  /** Newest last; empty when the target has not been probed yet. */
  history: HistoryPoint[];
}

const COLOURS = { healthy: '#2e7d32', degraded: '#ef6c00', failing: '#c62828' } as const;

/**
 * A bar per probe, oldest left: height is the probe's duration (scaled to the slowest
 * shown), colour its verdict; each bar's tooltip gives time, verdict, code and duration.
 * Takes a plain array, so any history store can feed it.
 */
export function renderHistoryChart(points: readonly HistoryPoint[], opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 240;
  const height = opts.height ?? 36;
  if (!points.length) return `<svg class="chart" width="${width}" height="${height}" role="img" aria-label="no history yet"></svg>`;
  const slowest = Math.max(1, ...points.map((p) => p.durationMs));
  const step = width / Math.max(points.length, 30);
  const bars = points.map((p, i) => {
    const h = Math.max(3, Math.round((p.durationMs / slowest) * (height - 2)));
    const title = `${new Date(p.at).toISOString()} ${p.verdict}${p.code ? ` ${p.code}` : ''} ${Math.round(p.durationMs)} ms`;
    return `<rect x="${(i * step).toFixed(1)}" y="${height - h}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h}" fill="${COLOURS[p.verdict]}" data-verdict="${p.verdict}"><title>${escape(title)}</title></rect>`;
  });
  return `<svg class="chart" width="${width}" height="${height}" role="img" aria-label="last ${points.length} probes">${bars.join('')}</svg>`;
}

/** The whole page. `source` says where the history comes from (memory or a store). */
export function renderStatusPage(rows: readonly StatusRow[], opts: { source: string; now?: Date; version?: string } = { source: 'memory' }): string {
  const body = rows
    .map((row) => {
      const last = row.history.at(-1);
      const verdict = last ? `<span class="verdict ${last.verdict}">${last.verdict}</span>` : '<span class="verdict none">not probed yet</span>';
      return [
        `<tr data-target="${escape(row.name)}">`,
        `<td class="name">${escape(row.name)}</td>`,
        `<td class="hosts">${escape(row.targets.join(' '))}</td>`,
        `<td>${verdict}</td>`,
        `<td class="code">${last?.code ? escape(last.status ?? last.code) : last ? '—' : ''}</td>`,
        `<td class="when">${last ? escape(new Date(last.at).toISOString().replace('T', ' ').slice(0, 19)) + ' UTC' : ''}</td>`,
        `<td>${renderHistoryChart(row.history)}</td>`,
        '</tr>',
      ].join('');
    })
    .join('\n');
  const counts = { healthy: 0, degraded: 0, failing: 0, none: 0 };
  for (const row of rows) counts[row.history.at(-1)?.verdict ?? 'none']++;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mailflow-probe exporter</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
.verdict{font-weight:600}.healthy{color:${COLOURS.healthy}}.degraded{color:${COLOURS.degraded}}.failing{color:${COLOURS.failing}}.none{color:#888}
.hosts,.when{color:#555;font-size:90%}
</style></head><body>
<h1>mailflow-probe exporter</h1>
<p id="summary">${rows.length} targets: ${counts.healthy} healthy, ${counts.degraded} degraded, ${counts.failing} failing, ${counts.none} not probed yet. History: ${escape(opts.source)}.</p>
<p><a href="/metrics">/metrics</a> · probe one: <code>/probe?target=NAME</code></p>
<table><thead><tr><th>target</th><th>smart hosts</th><th>last verdict</th><th>code</th><th>when</th><th>recent probes</th></tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
