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
import { describeConnector, summaryLine } from './verify-text.js';
import { vantageLine } from './text.js';

/** HTML-escapes text for element content and attribute values (report/sanitize.ts). */
export { esc };

const STATUS_LABEL: Record<CheckStatus, string> = { pass: 'Pass', warn: 'Warn', fail: 'Fail', skip: 'Not reached' };
const VERDICT_LABEL: Record<ConnectorVerdict, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skipped: 'SKIPPED', incomplete: 'INCOMPLETE' };

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

function pathLabel(p: PathResult): string {
  const ip = p.ip ? (p.ip.includes(':') ? `[${p.ip}]` : p.ip) : '(no address)';
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
export function timelineSvg(p: PathResult, width = 900, scaleMs = totalMs(p)): string {
  const min = 66; // every stage stays readable, however fast
  const usable = Math.max(width - min * 9, 0);
  let x = 0;
  const parts: string[] = [];
  for (const s of p.stages) {
    const w = min + (scaleMs > 0 ? (Math.max(s.ms, 0) / scaleMs) * usable : 0);
    const title = `${s.name}: ${s.ok ? 'ok' : 'failed'}, ${s.ms} ms: ${s.detail}`;
    parts.push(
      `<g><title>${esc(title)}</title><rect x="${x.toFixed(1)}" y="0" width="${(w - 2).toFixed(1)}" height="22" rx="3" fill="${s.ok ? STAGE_COLOR.ok : STAGE_COLOR.fail}"/>` +
        `<text x="${(x + 4).toFixed(1)}" y="15" fill="#fff">${esc(s.name)}</text>` +
        `<text x="${(x + 4).toFixed(1)}" y="36" fill="#59636e">${esc(s.ms >= 1000 ? `${(s.ms / 1000).toFixed(1)} s` : `${Math.round(s.ms)} ms`)}</text></g>`,
    );
    x += w;
  }
  return `<svg role="img" aria-label="${esc(`stages of ${pathLabel(p)}`)}" width="${width}" height="42" viewBox="0 0 ${width} 42" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function certificateTable(c: ConnectorReport): string {
  const withCert = c.result?.paths.find((p) => p.certificate?.chain.length);
  const check = withCert?.certificate;
  const leaf = check?.chain[0];
  if (!check || !leaf) return '';
  const expiry = c.checks.find((x) => x.id === 'certificate-expiry');
  const rows: [string, string][] = [
    ['Subject', leaf.subject],
    ['Names', leaf.names.join(', ') || '(none)'],
    ['Issuer', leaf.issuer],
    ['Valid', `${leaf.validFrom.slice(0, 10)} to ${leaf.validTo.slice(0, 10)} (${daysText(leaf.daysLeft)})`],
    ['Trusted', check.trusted ? 'yes' : `no (${check.verifyError ?? 'untrusted'})`],
  ];
  if (check.requiredName) rows.push(['TlsDomain', `${check.requiredName}: ${check.nameMatches ? 'matches' : 'does not match'}`]);
  rows.push(['SHA-256', leaf.fingerprint256]);
  return (
    `<h3>Certificate <span class="s s-${expiry?.status ?? 'skip'}">${esc(expiry ? STATUS_LABEL[expiry.status] : '')}</span></h3>` +
    `<table class="cert">${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td class="${k === 'SHA-256' ? 'code' : ''}">${esc(v)}</td></tr>`).join('')}</table>`
  );
}

function card(c: ConnectorReport, i: number): string {
  const parts: string[] = [];
  parts.push(
    `<section class="card c-${c.verdict}" id="connector-${i + 1}" data-connector="${esc(c.name)}" data-verdict="${c.verdict}">` +
      `<h2><span class="badge v-${c.verdict}" data-role="verdict">${VERDICT_LABEL[c.verdict]}</span> <span>${esc(c.name)}</span>` +
      (c.status ? ` <span class="code" data-role="code">${esc(c.status)}</span>` : c.code ? ` <span class="code" data-role="code">${esc(c.code)}</span>` : '') +
      `</h2><p class="meta">${esc(describeConnector(c))}</p>`,
  );
  if (c.result?.message) parts.push(`<p class="code">${esc(c.result.message)}</p>`);
  if (c.plan.reason) parts.push(`<p><strong>${esc(c.plan.reason)}</strong></p>`);
  for (const note of c.plan.notes) parts.push(`<p class="note">${esc(note)}</p>`);
  if (c.checks.length) {
    parts.push('<h3>Checklist</h3><table class="checklist"><tr><th>Check</th><th>Result</th><th>Detail</th></tr>');
    for (const check of c.checks) {
      parts.push(
        `<tr data-check="${check.id}" data-status="${check.status}"><td>${esc(check.title)}</td><td class="s s-${check.status}">${STATUS_LABEL[check.status]}</td><td>${esc(check.detail)}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  for (const w of c.warnings) parts.push(`<p class="note" data-role="warning"><span class="s s-warn">Warning</span> ${esc(w)}</p>`);
  if (c.result?.paths.length) {
    parts.push('<h3>Stages per path</h3><div class="timeline">');
    const scale = Math.max(...c.result.paths.map(totalMs));
    for (const p of c.result.paths) parts.push(`<div class="path">${esc(pathLabel(p))}: <span class="s s-${p.verdict === 'failing' ? 'fail' : p.verdict === 'degraded' ? 'warn' : 'pass'}">${esc(p.status ?? p.verdict)}</span></div>${timelineSvg(p, 900, scale)}`);
    parts.push('</div>');
  }
  parts.push(certificateTable(c));
  if (c.sendTest) parts.push(`<p>Test message: ${esc(c.sendTest.detail)}${c.sendTest.queueId ? ` (queue id <span class="code">${esc(c.sendTest.queueId)}</span>)` : ''}</p>`);
  if (c.fixes.length) {
    parts.push(`<h3>Fixes</h3><ul class="fixes">${c.fixes.map((f) => `<li data-role="fix">${esc(f)}</li>`).join('')}</ul>`);
  }
  if (c.validationCommand) {
    parts.push(`<h3>Record the validation in Exchange Online</h3><p class="note">Printed for an administrator to run; the prober never runs it.</p><pre class="ps">${esc(c.validationCommand)}</pre>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** Where the probes ran from: every report says so (issue 14). */
function vantageHtml(report: VerifyReport): string {
  const line = vantageLine({ vantage: report.vantage, paths: report.connectors.flatMap((c) => c.result?.paths ?? []) });
  return line ? `<p class="meta" data-role="vantage">${esc(line)}</p>` : '';
}

/** The whole report as one HTML document. */
export function renderVerifyHtml(report: VerifyReport): string {
  const overview = report.connectors
    .map(
      (c, i) =>
        `<tr><td><a href="#connector-${i + 1}">${esc(c.name)}</a></td><td><span class="badge v-${c.verdict}">${VERDICT_LABEL[c.verdict]}</span></td><td class="code">${esc(c.status ?? c.code ?? '')}</td><td>${esc(describeConnector(c))}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connector verification: ${esc(report.verdict.toUpperCase())}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="summary">
<h1><span class="badge v-${report.verdict}" data-role="overall">${esc(report.verdict.toUpperCase())}</span> Exchange Online connector verification</h1>
<p class="meta">${esc(summaryLine(report))} · ${esc(report.source)} · ${esc(report.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))} · maximum message size ${esc(formatBytes(report.maxMessageSize))} · certificate warning horizon ${report.warnDays} days</p>
${vantageHtml(report)}
<table class="overview"><tr><th>Connector</th><th>Verdict</th><th>Code</th><th>Route and TLS</th></tr>${overview}</table>
</header>
${report.connectors.map(card).join('\n')}
<footer>mailflow-probe · probed the way Exchange Online delivers through each connector: MX/A lookup, TCP 25, greeting, EHLO, STARTTLS, TLS, certificate</footer>
</main>
</body>
</html>
`;
}
