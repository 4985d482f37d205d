/**
 * The `probe verify` reports for a terminal and for a ticket (Markdown), and the JSON.
 * Pure functions of a VerifyReport.
 */
import type { CheckStatus } from '../verify/checklist.js';
import type { ConnectorReport, ConnectorVerdict, VerifyReport } from '../verify/run.js';
import { formatBytes } from '../verify/checklist.js';
import { commandWords } from '../catalog/commands.js';
import type { Language } from '../catalog/index.js';
import { markdown, markdownCode, terminalSafe } from './sanitize.js';
import { fill, wrap } from './text.js';

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Style = keyof typeof ANSI;

/** The reports' language: English by default; the report's texts are worded by verify/localize.ts. */
export interface VerifyRenderOptions {
  language?: Language;
}

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '·' };
const CHECK_STYLE: Record<CheckStatus, Style> = { pass: 'green', warn: 'yellow', fail: 'red', skip: 'dim' };
const VERDICT_STYLE: Record<ConnectorVerdict, Style> = { pass: 'green', warn: 'yellow', fail: 'red', skipped: 'dim', incomplete: 'yellow' };

const TLS_NAMES: Record<string, string> = {
  'encryption-only': 'EncryptionOnly',
  'certificate-validation': 'CertificateValidation',
  'domain-validation': 'DomainValidation',
};

/** One line of what the connector is: type, route, targets, TLS. */
export function describeConnector(c: ConnectorReport, language: Language = 'en'): string {
  const w = commandWords(language).verify;
  const parts: string[] = [];
  if (c.connectorType) parts.push(c.connectorType);
  if (c.plan.targets.length) parts.push(fill(c.plan.route === 'mx' ? w.mxOf : w.smartHosts, { targets: c.plan.targets.join(', ') }));
  const mode = c.plan.tlsMode === 'opportunistic' ? w.tlsOpportunistic : (TLS_NAMES[c.plan.tlsMode] ?? c.plan.tlsMode);
  parts.push(`TLS ${mode}${c.plan.tlsDomain ? ` ${c.plan.tlsDomain}` : ''}`);
  return parts.join(' · ');
}

export function summaryLine(report: VerifyReport, language: Language = 'en'): string {
  const w = commandWords(language).verify;
  const n = report.counts;
  const shown: (keyof typeof n)[] = ['pass', 'warn', 'fail'];
  if (n.incomplete) shown.push('incomplete');
  if (n.skipped) shown.push('skipped');
  const total = report.connectors.length;
  return fill(w.summary, {
    connectors: total === 1 ? w.connectorsOne : fill(w.connectorsMany, { n: total }),
    counts: shown.map((k) => fill(w.counts[k], { n: n[k] })).join(', '),
  });
}

/**
 * The terminal report: the summary, then per connector its verdict, checklist, fixes and
 * the Set-OutboundConnector line. Every string of the report (connector names, replies,
 * certificate fields) is escaped for the terminal before our colours are added.
 */
export function renderVerifyText(remote: VerifyReport, options: { color?: boolean; width?: number } & VerifyRenderOptions = {}): string {
  const report = terminalSafe(remote);
  const language = options.language ?? 'en';
  const w = commandWords(language).verify;
  const width = options.width ?? 100;
  const paint = (style: Style, text: string): string => (options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text);
  const out: string[] = [];
  out.push(paint('dim', fill(w.header, { source: report.source, size: formatBytes(report.maxMessageSize, language), days: report.warnDays })));
  out.push(`${paint(VERDICT_STYLE[report.verdict], paint('bold', w.verdicts[report.verdict]))}  ${summaryLine(report, language)}`);
  for (const c of report.connectors) {
    out.push('');
    const code = c.status ?? (c.code === 'other' ? 'other' : '');
    out.push(`${paint(VERDICT_STYLE[c.verdict], paint('bold', w.verdicts[c.verdict].padEnd(10)))} ${paint('bold', c.name)}${code ? `  ${code}` : ''}`);
    out.push(`           ${paint('dim', describeConnector(c, language))}`);
    if (c.plan.reason) out.push(`           ${wrap(c.plan.reason, width, 11)}`);
    for (const note of c.plan.notes) out.push(`           ${paint('dim', wrap(fill(w.note, { text: note }), width, 11))}`);
    const skipped = c.checks.filter((check) => check.status === 'skip');
    for (const check of c.checks) {
      if (check.status === 'skip') continue;
      const mark = paint(CHECK_STYLE[check.status], MARK[check.status]);
      out.push(`  ${mark} ${check.title.padEnd(52)} ${paint(check.status === 'pass' ? 'dim' : CHECK_STYLE[check.status], wrap(check.detail, width, 57))}`);
      const paths = check.paths.filter((p) => p.status === 'fail' || p.status === 'warn');
      // the item's detail already names the one path; list them when several are at fault
      if (paths.length > 1) {
        for (const p of paths) out.push(`      ${paint(CHECK_STYLE[p.status], MARK[p.status])} ${p.host}${p.ip && p.ip !== p.host ? ` ${p.ip}` : ''}: ${wrap(p.detail, width, 8)}`);
      }
    }
    for (const warning of c.warnings) out.push(`  ${paint('yellow', MARK.warn)} ${wrap(fill(w.warning, { text: warning }), width, 4)}`);
    if (skipped.length) {
      out.push(paint('dim', `  ${MARK.skip} ${wrap(fill(w.notReached, { list: skipped.map((check) => check.title).join('; ') }), width, 4)}`));
    }
    if (c.sendTest?.queueId) out.push(`  ${fill(w.queuedAs, { id: c.sendTest.queueId })}`);
    if (c.fixes.length) {
      out.push(`  ${paint('bold', w.fix)}`);
      for (const fix of c.fixes) out.push(`   - ${wrap(fix, width, 5)}`);
    }
    if (c.validationCommand) {
      out.push(`  ${paint('dim', w.recordValidation)}`);
      out.push(`  ${c.validationCommand}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * Markdown for a ticket or a change request. Every value that comes from a server or a
 * file (names, replies, certificate subjects, hosts, the source path, and the fixes and
 * notes that quote them) goes through `markdown`: no link, raw HTML or emphasis from
 * remote text. The Set-OutboundConnector line stays verbatim in a fenced block.
 */
export function renderVerifyMarkdown(report: VerifyReport, options: VerifyRenderOptions = {}): string {
  const language = options.language ?? 'en';
  const w = commandWords(language).verify;
  const out: string[] = [];
  out.push(`# ${fill(w.mdTitle, { verdict: w.verdicts[report.verdict] })}`);
  out.push('');
  out.push(
    fill(w.mdMeta, {
      summary: markdown(summaryLine(report, language)),
      source: markdown(report.source),
      startedAt: markdown(report.startedAt),
      size: markdown(formatBytes(report.maxMessageSize, language)),
    }),
  );
  out.push('');
  out.push(w.mdOverview);
  out.push('|---|---|---|---|');
  for (const c of report.connectors) {
    out.push(`| ${markdown(c.name)} | ${w.verdicts[c.verdict]} | ${markdown(c.status ?? c.code ?? '')} | ${markdown(describeConnector(c, language))} |`);
  }
  for (const c of report.connectors) {
    out.push('');
    out.push(`## ${markdown(c.name)}: ${w.verdicts[c.verdict]}`);
    out.push('');
    out.push(markdown(describeConnector(c, language)));
    if (c.status) out.push('', `**${markdown(c.status)}**${c.result?.message ? `: ${markdown(c.result.message)}` : ''}`);
    if (c.plan.reason) out.push('', markdown(c.plan.reason));
    for (const note of c.plan.notes) out.push('', `> ${markdown(note)}`);
    if (c.checks.length) {
      out.push('', w.mdChecks, '|---|---|---|');
      for (const check of c.checks) out.push(`| ${markdown(check.title)} | ${w.mdMarks[check.status]} | ${markdown(check.detail)} |`);
    }
    for (const warning of c.warnings) out.push('', `> ⚠️ ${markdown(warning)}`);
    if (c.fixes.length) {
      out.push('', `**${w.fixes}**`, '');
      for (const fix of c.fixes) out.push(`- ${markdown(fix)}`);
    }
    if (c.validationCommand) {
      const { code, fence } = markdownCode(c.validationCommand);
      out.push('', w.mdRecordValidation, '', `${fence}powershell`, code, fence);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The `--json` form: the report as is (schema `mailflow-probe/verify@1`). */
export function renderVerifyJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
