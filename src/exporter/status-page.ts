/**
 * The exporter's `/` page: every configured target, its last verdict and code, and its
 * recent history as a small inline SVG chart; and `/target?name=NAME`, the last result of
 * one target (each path's stages, the code, the fix to try first, the certificate's
 * expiry). Both reload themselves (a meta refresh) and read only the history, so they
 * work from the scheduled checks' store alone. Pure functions (the time is passed in); no
 * script, no external asset, so they render the same behind any proxy.
 */
import { html as escape } from '../report/sanitize.js';
import { daysText } from '../report/certificate-text.js';
import type { HistoryPoint } from './history.js';

/** How often the pages reload themselves, in seconds. */
export const STATUS_REFRESH_SECONDS = 30;

/** The detail view's address for a target (a relative link: works behind a path prefix). */
export function targetHref(name: string): string {
  return `target?name=${encodeURIComponent(name)}`;
}

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

function utc(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** The whole page. `source` says where the history comes from (memory or a store). */
export function renderStatusPage(
  rows: readonly StatusRow[],
  opts: { source: string; now?: Date; version?: string; refreshSeconds?: number } = { source: 'memory' },
): string {
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
        `<td class="when">${last ? `<a href="${escape(targetHref(row.name))}">${escape(utc(last.at))}</a>` : ''}</td>`,
        `<td>${renderHistoryChart(row.history)}</td>`,
        '</tr>',
      ].join('');
    })
    .join('\n');
  const counts = { healthy: 0, degraded: 0, failing: 0, none: 0 };
  for (const row of rows) counts[row.history.at(-1)?.verdict ?? 'none']++;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mailflow-probe exporter</title>
<meta http-equiv="refresh" content="${opts.refreshSeconds ?? STATUS_REFRESH_SECONDS}">
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

const DAY_MS = 86_400_000;

/**
 * One target's last result, from its history alone: verdict, code, when, the failing
 * stage, Exchange Online's line, the fix to try first, the certificate's expiry, and every
 * path's stages with their timings.
 */
export function renderTargetDetail(row: StatusRow, opts: { now: Date; source: string; refreshSeconds?: number }): string {
  const last = row.history.at(-1);
  const d = last?.detail;
  const fields: [string, string, string][] = [];
  const field = (key: string, label: string, html: string): void => void fields.push([key, label, html]);
  if (last) {
    field('verdict', 'verdict', `<span class="verdict ${last.verdict}">${last.verdict}</span>`);
    field('code', 'code', last.code ? escape(last.status ?? last.code) : '—');
    field('when', 'when', `${escape(utc(last.at))} · ${Math.round(last.durationMs)} ms`);
    if (d?.stage) field('stage', 'failed at', escape(d.stage));
    if (d?.message) field('message', 'Exchange Online would report', `<code>${escape(d.message)}</code>`);
    if (d?.firstFix) field('fix', 'fix first', escape(d.firstFix));
    if (d?.certExpires) {
      const expires = Date.parse(d.certExpires);
      field('certificate', 'certificate', `expires ${escape(utc(expires))} (${escape(daysText(Math.floor((expires - opts.now.getTime()) / DAY_MS)))})`);
    }
    if (d?.vantage) field('vantage', 'probed', escape(d.vantage));
  }
  const paths = (d?.paths ?? [])
    .map((p) => {
      const stages = p.stages
        .map((s) => `<li class="stage ${s.ok ? 'ok' : 'failed'}" data-stage="${escape(s.name)}">${s.ok ? '✓' : '✗'} ${escape(s.name)} <span class="ms">${Math.round(s.ms)} ms</span></li>`)
        .join('');
      const where = p.ip && p.ip !== p.host ? `${p.host} ${p.ip}` : (p.ip ?? `${p.host} (no address)`);
      return `<section class="path" data-verdict="${p.verdict}"><h3>${escape(where)} <span class="verdict ${p.verdict}">${p.verdict}</span></h3><ol class="stages">${stages}</ol></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(row.name)} · mailflow-probe</title>
<meta http-equiv="refresh" content="${opts.refreshSeconds ?? STATUS_REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
dl{display:grid;grid-template-columns:max-content auto;gap:.3em 1em}dt{color:#555}dd{margin:0}
.verdict{font-weight:600}.healthy{color:${COLOURS.healthy}}.degraded{color:${COLOURS.degraded}}.failing{color:${COLOURS.failing}}
ol.stages{list-style:none;padding-left:1em}.stage.failed{color:${COLOURS.failing}}.ms{color:#777}
</style></head><body>
<p><a href="./">← all targets</a></p>
<h1>${escape(row.name)}</h1>
<p class="hosts">${escape(row.targets.join(' '))}</p>
${last ? `<dl id="last">${fields.map(([key, label, html]) => `<dt>${escape(label)}</dt><dd data-field="${key}">${html}</dd>`).join('')}</dl>` : '<p id="last" class="none">not probed yet</p>'}
${paths ? `<h2>Paths</h2>\n${paths}` : ''}
<h2>Recent probes</h2>
${renderHistoryChart(row.history)}
<p class="source">History: ${escape(opts.source)}.</p>
</body></html>
`;
}
