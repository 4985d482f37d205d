/**
 * `probe verify --report report.html`: one self-contained HTML file for the customer or the
 * change board. No external assets (styles inline, timelines as inline SVG, no scripts), so
 * it works offline and from a mail attachment; `@media print` keeps cards whole on paper.
 * Pure: a function of the VerifyReport.
 */
import type { PathResult } from '../core/result.js';
import type { CheckStatus } from '../verify/checklist.js';
import { formatBytes } from '../verify/checklist.js';
import type { ConnectorReport, ConnectorVerdict, VerifyReport } from '../verify/run.js';
import { html as esc } from './sanitize.js';
import { daysText } from './certificate-text.js';
import { describeConnector, summaryLine, type VerifyRenderOptions } from './verify-text.js';
import { fill, vantageLine } from './text.js';
import { commandWords, type CommandWords } from '../catalog/commands.js';
import { catalogFor, type Language } from '../catalog/index.js';
import { stageDetail } from '../catalog/probe-text.js';

/** HTML-escapes text for element content and attribute values (report/sanitize.ts). */
export { esc };


const CSS = `
:root { --pass:#1a7f37; --warn:#9a6700; --fail:#cf222e; --skip:#6e7781; --ink:#1f2328; --muted:#59636e; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; background: var(--bg); }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
header.summary { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 20px; }
header.summary h1 { margin: 0 0 4px; font-size: 22px; }
.meta { color: var(--muted); font-size: 13px; }
.badge { display: inline-block; border-radius: 4px; padding: 1px 8px; font-weight: 700; font-size: 12px; letter-spacing: .04em; color: #fff; vertical-align: middle; }
.v-pass { background: var(--pass); } .v-warn, .v-incomplete { background: var(--warn); } .v-fail { background: var(--fail); } .v-skipped { background: var(--skip); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
.overview td:first-child { font-weight: 600; }
section.card { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--skip); border-radius: 8px; padding: 16px 20px; margin-bottom: 20px; }
section.card.c-pass { border-left-color: var(--pass); } section.card.c-warn, section.card.c-incomplete { border-left-color: var(--warn); } section.card.c-fail { border-left-color: var(--fail); }
section.card h2 { margin: 0; font-size: 18px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.s { font-weight: 700; white-space: nowrap; }
.s-pass { color: var(--pass); } .s-warn { color: var(--warn); } .s-fail { color: var(--fail); } .s-skip { color: var(--skip); }
ul.fixes { margin: 4px 0 0; padding-left: 20px; } ul.fixes li { margin-bottom: 4px; }
.note { color: var(--muted); font-size: 13px; margin: 4px 0; }
pre.ps { background: #0d1117; color: #e6edf3; padding: 10px 12px; border-radius: 6px; white-space: pre-wrap; word-break: break-all; font-size: 12.5px; }
.timeline { margin: 6px 0 10px; }
.timeline svg { max-width: 100%; height: auto; }
.timeline .path { font-size: 12.5px; margin: 8px 0 2px; }
svg text { font: 11px system-ui, sans-serif; }
.cert td:first-child { width: 140px; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; text-align: center; margin: 24px 0; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section.card, header.summary { break-inside: avoid; page-break-inside: avoid; border-color: #999; }
  .badge, .s, section.card { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  pre.ps { background: #fff; color: #000; border: 1px solid #999; }
  a { color: inherit; text-decoration: none; }
}
`;

const STAGE_COLOR = { ok: '#2da44e', fail: '#cf222e' };

function pathLabel(p: PathResult, language: Language = 'en'): string {
  const ip = p.ip ? (p.ip.includes(':') ? `[${p.ip}]` : p.ip) : catalogFor(language).headings.noAddress;
  return `${p.host}${p.preference !== null ? ` (MX ${p.preference})` : ''} ${ip}:${p.port}`;
}

/** The time a path's stages took in all. */
function totalMs(p: PathResult): number {
  return p.stages.reduce((sum, s) => sum + Math.max(s.ms, 0), 0);
}

/**
 * The stages of one path as a horizontal bar: each stage a segment as long as it took,
 * on a scale of `scaleMs` (the slowest path of the connector) so that paths compare.
 */
export function timelineSvg(p: PathResult, width = 900, scaleMs = totalMs(p), language: Language = 'en'): string {
  const words = commandWords(language);
  const catalog = catalogFor(language);
  const min = 66; // every stage stays readable, however fast
  const usable = Math.max(width - min * 9, 0);
  let x = 0;
  const parts: string[] = [];
  for (const s of p.stages) {
    const w = min + (scaleMs > 0 ? (Math.max(s.ms, 0) / scaleMs) * usable : 0);
    const name = words.stages[s.name];
    const title = `${name}: ${s.ok ? words.verify.html.stageOk : words.verify.html.stageFailed}, ${s.ms} ms: ${stageDetail(s, catalog)}`;
    parts.push(
      `<g><title>${esc(title)}</title><rect x="${x.toFixed(1)}" y="0" width="${(w - 2).toFixed(1)}" height="22" rx="3" fill="${s.ok ? STAGE_COLOR.ok : STAGE_COLOR.fail}"/>` +
        `<text x="${(x + 4).toFixed(1)}" y="15" fill="#fff">${esc(name)}</text>` +
        `<text x="${(x + 4).toFixed(1)}" y="36" fill="#59636e">${esc(s.ms >= 1000 ? `${(s.ms / 1000).toFixed(1)} s` : `${Math.round(s.ms)} ms`)}</text></g>`,
    );
    x += w;
  }
  return `<svg role="img" aria-label="${esc(fill(words.verify.html.stagesOf, { path: pathLabel(p, language) }))}" width="${width}" height="42" viewBox="0 0 ${width} 42" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function certificateTable(c: ConnectorReport, words: CommandWords['verify']['html'], language: Language): string {
  const withCert = c.result?.paths.find((p) => p.certificate?.chain.length);
  const check = withCert?.certificate;
  const leaf = check?.chain[0];
  if (!check || !leaf) return '';
  const expiry = c.checks.find((x) => x.id === 'certificate-expiry');
  const rows: [string, string][] = [
    [words.subject, leaf.subject],
    [words.names, leaf.names.join(', ') || words.none],
    [words.issuer, leaf.issuer],
    [words.valid, fill(words.validRange, { from: leaf.validFrom.slice(0, 10), to: leaf.validTo.slice(0, 10), days: daysText(leaf.daysLeft, catalogFor(language)) })],
    [words.trusted, check.trusted ? words.yes : fill(words.no, { why: check.verifyError ?? words.untrusted })],
  ];
  if (check.requiredName) rows.push(['TlsDomain', fill(check.nameMatches ? words.matches : words.doesNotMatch, { name: check.requiredName })]);
  rows.push(['SHA-256', leaf.fingerprint256]);
  return (
    `<h3>${esc(words.certificate)} <span class="s s-${expiry?.status ?? 'skip'}">${esc(expiry ? words.statusLabels[expiry.status] : '')}</span></h3>` +
    `<table class="cert">${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td class="${k === 'SHA-256' ? 'code' : ''}">${esc(v)}</td></tr>`).join('')}</table>`
  );
}

function card(c: ConnectorReport, i: number, language: Language): string {
  const words = commandWords(language);
  const w = words.verify.html;
  const verdicts = words.verify.verdicts;
  const h = catalogFor(language).headings;
  const parts: string[] = [];
  parts.push(
    `<section class="card c-${c.verdict}" id="connector-${i + 1}" data-connector="${esc(c.name)}" data-verdict="${c.verdict}">` +
      `<h2><span class="badge v-${c.verdict}" data-role="verdict">${esc(verdicts[c.verdict])}</span> <span>${esc(c.name)}</span>` +
      (c.status ? ` <span class="code" data-role="code">${esc(c.status)}</span>` : c.code ? ` <span class="code" data-role="code">${esc(c.code)}</span>` : '') +
      `</h2><p class="meta">${esc(describeConnector(c, language))}</p>`,
  );
  if (c.result?.message) parts.push(`<p class="code">${esc(c.result.message)}</p>`);
  if (c.plan.reason) parts.push(`<p><strong>${esc(c.plan.reason)}</strong></p>`);
  for (const note of c.plan.notes) parts.push(`<p class="note">${esc(note)}</p>`);
  if (c.checks.length) {
    parts.push(`<h3>${esc(w.checklist)}</h3><table class="checklist"><tr>${w.checkHeader.split('|').map((th) => `<th>${esc(th)}</th>`).join('')}</tr>`);
    for (const check of c.checks) {
      parts.push(
        `<tr data-check="${check.id}" data-status="${check.status}"><td>${esc(check.title)}</td><td class="s s-${check.status}">${esc(w.statusLabels[check.status])}</td><td>${esc(check.detail)}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  for (const warning of c.warnings) parts.push(`<p class="note" data-role="warning"><span class="s s-warn">${esc(w.warning)}</span> ${esc(warning)}</p>`);
  if (c.result?.paths.length) {
    parts.push(`<h3>${esc(w.stagesPerPath)}</h3><div class="timeline">`);
    const scale = Math.max(...c.result.paths.map(totalMs));
    for (const p of c.result.paths) {
      const status = p.status ?? h.verdicts[p.verdict].toLowerCase();
      parts.push(`<div class="path">${esc(pathLabel(p, language))}: <span class="s s-${p.verdict === 'failing' ? 'fail' : p.verdict === 'degraded' ? 'warn' : 'pass'}">${esc(status)}</span></div>${timelineSvg(p, 900, scale, language)}`);
    }
    parts.push('</div>');
  }
  parts.push(certificateTable(c, w, language));
  if (c.sendTest) {
    const queue = c.sendTest.queueId ? ` (${esc(w.queueId)} <span class="code">${esc(c.sendTest.queueId)}</span>)` : '';
    parts.push(`<p>${esc(fill(w.testMessage, { detail: c.sendTest.detail }))}${queue}</p>`);
  }
  if (c.fixes.length) {
    parts.push(`<h3>${esc(words.verify.fixes)}</h3><ul class="fixes">${c.fixes.map((f) => `<li data-role="fix">${esc(f)}</li>`).join('')}</ul>`);
  }
  if (c.validationCommand) {
    parts.push(`<h3>${esc(w.recordValidation)}</h3><p class="note">${esc(w.recordValidationNote)}</p><pre class="ps">${esc(c.validationCommand)}</pre>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** Where the probes ran from: every report says so (issue 14). */
function vantageHtml(report: VerifyReport, language: Language): string {
  const line = vantageLine({ vantage: report.vantage, paths: report.connectors.flatMap((c) => c.result?.paths ?? []) }, catalogFor(language));
  return line ? `<p class="meta" data-role="vantage">${esc(line)}</p>` : '';
}

/** The whole report as one HTML document. */
export function renderVerifyHtml(report: VerifyReport, options: VerifyRenderOptions = {}): string {
  const language = options.language ?? 'en';
  const words = commandWords(language).verify;
  const w = words.html;
  const overview = report.connectors
    .map(
      (c, i) =>
        `<tr><td><a href="#connector-${i + 1}">${esc(c.name)}</a></td><td><span class="badge v-${c.verdict}">${esc(words.verdicts[c.verdict])}</span></td><td class="code">${esc(c.status ?? c.code ?? '')}</td><td>${esc(describeConnector(c, language))}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(fill(w.title, { verdict: words.verdicts[report.verdict] }))}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="summary">
<h1><span class="badge v-${report.verdict}" data-role="overall">${esc(words.verdicts[report.verdict])}</span> ${esc(w.heading)}</h1>
<p class="meta">${esc(
    fill(w.meta, {
      summary: summaryLine(report, language),
      source: report.source,
      startedAt: report.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
      size: formatBytes(report.maxMessageSize, language),
      days: report.warnDays,
    }),
  )}</p>
${vantageHtml(report, language)}
<table class="overview"><tr>${w.overview.split('|').map((th) => `<th>${esc(th)}</th>`).join('')}</tr>${overview}</table>
</header>
${report.connectors.map((c, i) => card(c, i, language)).join('\n')}
<footer>${esc(w.footer)}</footer>
</main>
</body>
</html>
`;
}
