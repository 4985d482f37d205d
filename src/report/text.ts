import { en, type Catalog } from '../catalog/en.js';
import { failureText, findingText, noteText, stageDetail, textOf, transcriptLine, warningText } from '../catalog/probe-text.js';
import { reportText } from '../catalog/report-text.js';
import type { Diagnosis, PathResult, ProbeResult, ResultCode, Verdict } from '../core/result.js';
import { certificateLines } from './certificate-text.js';
import { renderPolicies } from './policies-text.js';
import { terminalSafe } from './sanitize.js';

export interface TextOptions {
  /** ANSI colours (the CLI turns them off for NO_COLOR, --no-color and non-terminals). */
  color?: boolean;
  /** Include each path's SMTP transcript. */
  transcript?: boolean;
  /** Wrap prose at this many columns. */
  width?: number;
  /** The language of the headings and the diagnosis (default English). */
  catalog?: Catalog;
}

/** Fills `{name}` placeholders of a catalog string. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1, cyan: 36 } as const;
type Style = keyof typeof ANSI;

/** Word-wraps `text` to `width`, indenting continuation lines by `indent` spaces. */
export function wrap(text: string, width: number, indent: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width - indent) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function formatMs(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function pathName(p: PathResult, noAddress = en.headings.noAddress): string {
  const pref = p.preference !== null ? ` (MX ${p.preference})` : '';
  const address = p.ip ? `${p.ip.includes(':') ? `[${p.ip}]` : p.ip}:${p.port}` : noAddress;
  return p.host === p.ip ? address : `${p.host}${pref} ${address}`;
}

/**
 * The terminal report: the verdict and headline code first, then every path with its
 * stages and timings, then the diagnosis for the failing code and Exchange's own wording.
 * Pure: a function of the result alone. Every string of the result (banners, replies,
 * certificate fields, names) is escaped for the terminal before our colours are added.
 */
export function renderText(remote: ProbeResult, options: TextOptions = {}): string {
  const result = terminalSafe(remote);
  const width = options.width ?? 100;
  const catalog = options.catalog ?? en;
  const h = catalog.headings;
  const r = reportText(catalog);
  const paint = (style: Style, text: string): string => (options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text);
  const verdictStyle: Record<Verdict, Style> = { healthy: 'green', degraded: 'yellow', failing: 'red' };
  const out: string[] = [];
  const tls = result.tlsMode + (result.tlsDomain ? ` (${result.tlsDomain})` : '');
  out.push(paint('dim', fill(r.header, { targets: result.targets.join(', '), port: result.port, tls })));
  const vantage = vantageLine(result, catalog);
  if (vantage) out.push(paint('dim', vantage));
  const headline = result.cancelled
    ? paint('yellow', h.cancelled)
    : paint(verdictStyle[result.verdict], paint('bold', h.verdicts[result.verdict]));
  const passed = result.paths.filter((p) => p.verdict !== 'failing').length;
  const code = result.status ? `${result.status}${translatedTitle(result.code, catalog)}` : result.code === 'other' ? h.otherCode : '';
  out.push(`${headline}${code ? `  ${code}` : ''}  ${paint('dim', `${fill(h.pathsPass, { passed, total: result.paths.length })} · ${formatMs(result.durationMs)}`)}`);
  if (result.unverifiable) out.push(paint('yellow', r.unverifiable));
  if (result.mayDiffer) out.push(paint('yellow', r.mayDiffer));

  for (const p of result.paths) {
    out.push('');
    const mark = p.verdict === 'failing' ? paint('red', '✗') : p.verdict === 'degraded' ? paint('yellow', '!') : paint('green', '✓');
    out.push(`${mark} ${paint('bold', pathName(p, h.noAddress))}  ${paint(verdictStyle[p.verdict], h.verdicts[p.verdict].toLowerCase())}${p.code ? `  ${p.code === 'other' ? r.other : p.code}` : ''}  ${paint('dim', formatMs(p.durationMs))}`);
    for (const s of p.stages) {
      const sm = s.ok ? paint('green', '✓') : paint('red', '✗');
      const detail = wrap(stageDetail(s, catalog), width, 28);
      out.push(`    ${sm} ${r.stageNames[s.name].padEnd(12)}${formatMs(s.ms).padStart(8)}  ${s.ok ? detail : paint('red', detail)}`);
    }
    for (const w of p.warnings) out.push(`    ${paint('yellow', '!')} ${wrap(warningText(w, catalog), width, 6)}`);
    for (const f of p.findings ?? []) out.push(`    ${paint('yellow', '!')} ${wrap(`${findingText(f, catalog).title}: ${f.evidence.join(' | ')}`, width, 6)}`);
    for (const n of p.notes ?? []) out.push(`    ${paint('cyan', 'i')} ${wrap(noteText(n, catalog, p.noteRefs), width, 6)}`);
    if (p.certificate) for (const line of certificateLines(p.certificate, 4, catalog)) out.push(paint('dim', line));
    if (options.transcript && p.transcript.length) {
      out.push(paint('dim', `    ${h.transcript}`));
      for (const line of p.transcript) out.push(paint('dim', `      ${transcriptLine(line, catalog, p.transcriptRefs)}`));
    }
  }

  const d = result.diagnosis;
  if (d) {
    out.push('');
    out.push(paint('bold', `${h.diagnosis}: ${d.status ? `${d.status}${translatedTitle(d.code, catalog)}` : `${h.otherPrefix} — ${d.title}`}`));
    out.push(...renderDiagnosisFields(d, h, width, true, catalog));
  }
  if (result.message) {
    out.push('');
    out.push(paint('bold', h.exchangeWouldReport));
    out.push(`  ${otherMessage(result, catalog) ?? result.message}`);
  }
  const global = result.warnings.filter((w) => w.kind === 'path-failed');
  if (global.length && result.verdict === 'degraded') {
    out.push('');
    out.push(paint('yellow', h.stillFlows));
    for (const w of global) out.push(`  ! ${wrap(warningText(w, catalog), width, 4)}`);
  }
  if (result.policies) out.push(...renderPolicies(result.policies, { catalog: options.catalog ?? en, width, paint }));
  return `${out.join('\n')}\n`;
}

/**
 * Where the probe ran from, in one line: `from HOST (source ADDR) · resolvers … · mailflow-probe VERSION`.
 * Shared by the text, nagios and alert reports. Empty for a result without `vantage`.
 */
export function vantageLine(result: Pick<ProbeResult, 'vantage' | 'paths'>, catalog: Pick<Catalog, 'language'> = en): string {
  const v = result.vantage;
  if (!v) return '';
  const r = reportText(catalog);
  const sources = [...new Set(result.paths.map((p) => p.sourceAddress).filter((a): a is string => !!a))];
  const source = sources.length ? sources.join(', ') : (v.sourceAddress ?? r.notConnected);
  const resolvers = v.resolvers.map((x) => (x === 'system' ? r.systemResolver : x)).join(', ');
  return fill(r.vantage, { host: v.host, source, resolvers, tool: v.tool, version: v.version });
}

/**
 * The message of a failure Exchange has no code for (`other: <what happened> [Message=…] …`,
 * src/core/exchange-text.ts): its opening is ours, not Exchange's, so it is said in the
 * catalog's language; the fields stay as Exchange writes them. Null when it is not such one.
 */
export function otherMessage(result: ProbeResult, catalog: Catalog): string | null {
  if (catalog.language === 'en' || result.code !== 'other' || !result.message) return null;
  const path = result.paths.find((p) => p.code === 'other' && (p.failure || p.policyRefusal));
  // a failure of the session, or an MTA-STS refusal (src/core/judge.ts refuseByPolicy)
  const failure = path?.failure;
  const refusal = path?.policyRefusal;
  const [english, worded] = failure
    ? [failure.message, failureText(failure, catalog)]
    : refusal
      ? [refusal.problem, textOf(refusal.problem, refusal.problemRef?.id, refusal.problemRef?.args, catalog)]
      : [null, null];
  const opening = `other: ${english}`;
  if (english === null || !result.message.startsWith(opening)) return null;
  return `${reportText(catalog).other}: ${worded}${result.message.slice(opening.length)}`;
}

/**
 * After Exchange's English status line, the code's title in the catalog's language
 * (` — Conexão recusada`); nothing in English, where the status line already says it.
 */
export function translatedTitle(code: ResultCode | null, catalog: Catalog): string {
  if (catalog.language === 'en' || !code) return '';
  const entry = (catalog.codes as Partial<Record<string, { title: string }>>)[code] ?? (catalog.policyCodes as Partial<Record<string, { title: string }>>)[code];
  return entry ? ` — ${entry.title}` : '';
}

/**
 * The diagnosis fields (what happened, meaning, fixes …), labels padded to the longest
 * label of the catalog's language. Shared with `probe explain`, which leaves out the stage
 * (a paste does not say which stage failed; only a live probe knows).
 */
export function renderDiagnosisFields(d: Diagnosis, h: Catalog['headings'], width: number, showStage = true, catalog: Catalog = en): string[] {
  const out: string[] = [];
  const r = reportText(catalog);
  const findings = (d.findings ?? []).map((f) => findingText(f, catalog));
  const summary = textOf(d.summary, d.summaryId, d.summaryArgs, catalog);
  const pad = Math.max(15, ...[h.whatHappened, h.serverSaid, h.meaning, h.fixFirst, h.causes, h.fixes, h.partner, h.note, r.fromHere, r.finding, r.turnItOff].map((l) => l.length + 2));
  const field = (label: string, text: string): void => {
    out.push(`  ${label.padEnd(pad)}${wrap(text, width, pad + 2)}`);
  };
  const list = (label: string, items: string[]): void => {
    if (!items.length) return;
    out.push(`  ${label.padEnd(pad)}${items.map((c, i) => `${i ? ' '.repeat(pad + 2) : ''}- ${wrap(c, width, pad + 4)}`).join('\n')}`);
  };
  field(h.whatHappened, showStage ? `${summary} (${h.stage}: ${r.stageNames[d.stage]})` : summary);
  if (d.serverSaid && d.serverSaid !== d.summary) field(h.serverSaid, d.serverSaid);
  field(h.meaning, d.meaning);
  // A finding's first fix replaced the code's (src/core/judge.ts): in this language too.
  field(h.fixFirst, findings[0] ? findings[0].firstFix : d.firstFix);
  list(h.causes, d.causes);
  list(h.fixes, d.fixes);
  if (d.partner) field(h.partner, d.partner);
  if (d.note) field(h.note, d.note);
  if (d.vantage) field(r.fromHere, textOf(d.vantage.message, d.vantage.id, d.vantage.args, catalog));
  for (const f of findings) {
    field(r.finding, f.message);
    list(r.turnItOff, f.fixes);
  }
  return out;
}
