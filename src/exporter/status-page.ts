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
import { fill } from '../report/text.js';
import { commandWords } from '../catalog/commands.js';
import { catalogFor, type Language } from '../catalog/index.js';
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
export function renderHistoryChart(points: readonly HistoryPoint[], opts: { width?: number; height?: number; language?: Language } = {}): string {
  const width = opts.width ?? 240;
  const height = opts.height ?? 36;
  const language = opts.language ?? 'en';
  const w = commandWords(language).status;
  const verdicts = verdictWords(language);
  if (!points.length) return `<svg class="chart" width="${width}" height="${height}" role="img" aria-label="${escape(w.noHistory)}"></svg>`;
  const slowest = Math.max(1, ...points.map((p) => p.durationMs));
  const step = width / Math.max(points.length, 30);
  const bars = points.map((p, i) => {
    const h = Math.max(3, Math.round((p.durationMs / slowest) * (height - 2)));
    const title = `${new Date(p.at).toISOString()} ${verdicts[p.verdict]}${p.code ? ` ${p.code}` : ''} ${Math.round(p.durationMs)} ms`;
    return `<rect x="${(i * step).toFixed(1)}" y="${height - h}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h}" fill="${COLOURS[p.verdict]}" data-verdict="${p.verdict}"><title>${escape(title)}</title></rect>`;
  });
  return `<svg class="chart" width="${width}" height="${height}" role="img" aria-label="${escape(fill(w.lastProbes, { n: points.length }))}">${bars.join('')}</svg>`;
}

/** A verdict as the pages write it: the catalog's word, in lower case. */
function verdictWords(language: Language): Record<HistoryPoint['verdict'], string> {
  const v = catalogFor(language).headings.verdicts;
  return { healthy: v.healthy.toLowerCase(), degraded: v.degraded.toLowerCase(), failing: v.failing.toLowerCase() };
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** The whole page. `source` says where the history comes from (memory or a store). */
export function renderStatusPage(
  rows: readonly StatusRow[],
  opts: { source: string; now?: Date; version?: string; refreshSeconds?: number; language?: Language } = { source: 'memory' },
): string {
  const language = opts.language ?? 'en';
  const w = commandWords(language).status;
  const verdicts = verdictWords(language);
  const body = rows
    .map((row) => {
      const last = row.history.at(-1);
      const verdict = last ? `<span class="verdict ${last.verdict}">${escape(verdicts[last.verdict])}</span>` : `<span class="verdict none">${escape(w.notProbed)}</span>`;
      return [
        `<tr data-target="${escape(row.name)}">`,
        `<td class="name">${escape(row.name)}</td>`,
        `<td class="hosts">${escape(row.targets.join(' '))}</td>`,
        `<td>${verdict}</td>`,
        `<td class="code">${last?.code ? escape(last.status ?? last.code) : last ? '—' : ''}</td>`,
        `<td class="when">${last ? `<a href="${escape(targetHref(row.name))}">${escape(utc(last.at))}</a>` : ''}</td>`,
        `<td>${renderHistoryChart(row.history, { language })}</td>`,
        '</tr>',
      ].join('');
    })
    .join('\n');
  const counts = { healthy: 0, degraded: 0, failing: 0, none: 0 };
  for (const row of rows) counts[row.history.at(-1)?.verdict ?? 'none']++;
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${escape(w.title)}</title>
<meta http-equiv="refresh" content="${opts.refreshSeconds ?? STATUS_REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
.verdict{font-weight:600}.healthy{color:${COLOURS.healthy}}.degraded{color:${COLOURS.degraded}}.failing{color:${COLOURS.failing}}.none{color:#888}
.hosts,.when{color:#555;font-size:90%}
</style></head><body>
<h1>${escape(w.title)}</h1>
<p id="summary">${escape(fill(w.summary, { n: rows.length, healthy: counts.healthy, degraded: counts.degraded, failing: counts.failing, none: counts.none, source: opts.source }))}</p>
<p><a href="/metrics">/metrics</a> · ${escape(w.probeOne)} <code>/probe?target=NAME</code></p>
<table><thead><tr>${(['target', 'hosts', 'verdict', 'code', 'when', 'recent'] as const).map((k) => `<th>${escape(w.columns[k])}</th>`).join('')}</tr></thead>
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
export function renderTargetDetail(row: StatusRow, opts: { now: Date; source: string; refreshSeconds?: number; language?: Language }): string {
  const language = opts.language ?? 'en';
  const w = commandWords(language).status;
  const verdicts = verdictWords(language);
  const stages = commandWords(language).stages;
  const last = row.history.at(-1);
  const d = last?.detail;
  const fields: [string, string, string][] = [];
  const field = (key: string, label: string, html: string): void => void fields.push([key, label, html]);
  if (last) {
    field('verdict', w.fields.verdict, `<span class="verdict ${last.verdict}">${escape(verdicts[last.verdict])}</span>`);
    field('code', w.fields.code, last.code ? escape(last.status ?? last.code) : '—');
    field('when', w.fields.when, `${escape(utc(last.at))} · ${Math.round(last.durationMs)} ms`);
    if (d?.stage) field('stage', w.fields.stage, escape(stages[d.stage as keyof typeof stages] ?? d.stage));
    if (d?.message) field('message', w.fields.message, `<code>${escape(d.message)}</code>`);
    if (d?.firstFix) field('fix', w.fields.fix, escape(d.firstFix));
    if (d?.certExpires) {
      const expires = Date.parse(d.certExpires);
      field('certificate', w.fields.certificate, escape(fill(w.expires, { when: utc(expires), days: daysText(Math.floor((expires - opts.now.getTime()) / DAY_MS), catalogFor(language)) })));
    }
    if (d?.vantage) field('vantage', w.fields.vantage, escape(d.vantage));
  }
  const paths = (d?.paths ?? [])
    .map((p) => {
      const items = p.stages
        .map((s) => `<li class="stage ${s.ok ? 'ok' : 'failed'}" data-stage="${escape(s.name)}">${s.ok ? '✓' : '✗'} ${escape(stages[s.name as keyof typeof stages] ?? s.name)} <span class="ms">${Math.round(s.ms)} ms</span></li>`)
        .join('');
      const where = p.ip && p.ip !== p.host ? `${p.host} ${p.ip}` : (p.ip ?? `${p.host} ${w.noAddress}`);
      return `<section class="path" data-verdict="${p.verdict}"><h3>${escape(where)} <span class="verdict ${p.verdict}">${escape(verdicts[p.verdict])}</span></h3><ol class="stages">${items}</ol></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${escape(row.name)} · mailflow-probe</title>
<meta http-equiv="refresh" content="${opts.refreshSeconds ?? STATUS_REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
dl{display:grid;grid-template-columns:max-content auto;gap:.3em 1em}dt{color:#555}dd{margin:0}
.verdict{font-weight:600}.healthy{color:${COLOURS.healthy}}.degraded{color:${COLOURS.degraded}}.failing{color:${COLOURS.failing}}
ol.stages{list-style:none;padding-left:1em}.stage.failed{color:${COLOURS.failing}}.ms{color:#777}
</style></head><body>
<p><a href="./">${escape(w.allTargets)}</a></p>
<h1>${escape(row.name)}</h1>
<p class="hosts">${escape(row.targets.join(' '))}</p>
${last ? `<dl id="last">${fields.map(([key, label, html]) => `<dt>${escape(label)}</dt><dd data-field="${key}">${html}</dd>`).join('')}</dl>` : `<p id="last" class="none">${escape(w.notProbed)}</p>`}
${paths ? `<h2>${escape(w.paths)}</h2>\n${paths}` : ''}
<h2>${escape(w.recent)}</h2>
${renderHistoryChart(row.history, { language })}
<p class="source">${escape(fill(w.historyIs, { source: opts.source }))}</p>
</body></html>
`;
}
