/**
 * The `probe verify` reports for a terminal and for a ticket (Markdown), and the JSON.
 * Pure functions of a VerifyReport.
 */
import type { CheckStatus } from '../verify/checklist.js';
import type { ConnectorReport, ConnectorVerdict, VerifyReport } from '../verify/run.js';
import { formatBytes } from '../verify/checklist.js';
import { markdown, markdownCode, terminalSafe } from './sanitize.js';
import { wrap } from './text.js';

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Style = keyof typeof ANSI;

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '·' };
const CHECK_STYLE: Record<CheckStatus, Style> = { pass: 'green', warn: 'yellow', fail: 'red', skip: 'dim' };
const VERDICT_STYLE: Record<ConnectorVerdict, Style> = { pass: 'green', warn: 'yellow', fail: 'red', skipped: 'dim', incomplete: 'yellow' };

const TLS_NAMES: Record<string, string> = {
  opportunistic: 'opportunistic (TlsSettings null)',
  'encryption-only': 'EncryptionOnly',
  'certificate-validation': 'CertificateValidation',
  'domain-validation': 'DomainValidation',
};

/** One line of what the connector is: type, route, targets, TLS. */
export function describeConnector(c: ConnectorReport): string {
  const parts: string[] = [];
  if (c.connectorType) parts.push(c.connectorType);
  if (c.plan.targets.length) parts.push(`${c.plan.route === 'mx' ? 'MX of' : 'smart hosts'} ${c.plan.targets.join(', ')}`);
  parts.push(`TLS ${TLS_NAMES[c.plan.tlsMode] ?? c.plan.tlsMode}${c.plan.tlsDomain ? ` ${c.plan.tlsDomain}` : ''}`);
  return parts.join(' · ');
}

export function summaryLine(report: VerifyReport): string {
  const n = report.counts;
  const parts = [`${n.pass} pass`, `${n.warn} warn`, `${n.fail} fail`];
  if (n.incomplete) parts.push(`${n.incomplete} incomplete`);
  if (n.skipped) parts.push(`${n.skipped} skipped`);
  return `${report.connectors.length} connector${report.connectors.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/**
 * The terminal report: the summary, then per connector its verdict, checklist, fixes and
 * the Set-OutboundConnector line. Every string of the report (connector names, replies,
 * certificate fields) is escaped for the terminal before our colours are added.
 */
export function renderVerifyText(remote: VerifyReport, options: { color?: boolean; width?: number } = {}): string {
  const report = terminalSafe(remote);
  const width = options.width ?? 100;
  const paint = (style: Style, text: string): string => (options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text);
  const out: string[] = [];
  out.push(paint('dim', `mailflow-probe verify · ${report.source} · max message size ${formatBytes(report.maxMessageSize)} · warn ${report.warnDays} days`));
  out.push(`${paint(VERDICT_STYLE[report.verdict], paint('bold', report.verdict.toUpperCase()))}  ${summaryLine(report)}`);
  for (const c of report.connectors) {
    out.push('');
    const code = c.status ?? (c.code === 'other' ? 'other' : '');
    out.push(`${paint(VERDICT_STYLE[c.verdict], paint('bold', c.verdict.toUpperCase().padEnd(10)))} ${paint('bold', c.name)}${code ? `  ${code}` : ''}`);
    out.push(`           ${paint('dim', describeConnector(c))}`);
    if (c.plan.reason) out.push(`           ${wrap(c.plan.reason, width, 11)}`);
    for (const note of c.plan.notes) out.push(`           ${paint('dim', wrap(`note: ${note}`, width, 11))}`);
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
    for (const w of c.warnings) out.push(`  ${paint('yellow', MARK.warn)} ${wrap(`warning: ${w}`, width, 4)}`);
    if (skipped.length) {
      out.push(paint('dim', `  ${MARK.skip} ${wrap(`not reached: ${skipped.map((check) => check.title).join('; ')}`, width, 4)}`));
    }
    if (c.sendTest?.queueId) out.push(`  test message queued as ${c.sendTest.queueId}`);
    if (c.fixes.length) {
      out.push(`  ${paint('bold', 'Fix:')}`);
      for (const fix of c.fixes) out.push(`   - ${wrap(fix, width, 5)}`);
    }
    if (c.validationCommand) {
      out.push(`  ${paint('dim', 'Record the validation in Exchange Online (printed, not run):')}`);
      out.push(`  ${c.validationCommand}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const MD_MARK: Record<CheckStatus, string> = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skip: '➖ skip' };

/**
 * Markdown for a ticket or a change request. Every value that comes from a server or a
 * file (names, replies, certificate subjects, hosts, the source path, and the fixes and
 * notes that quote them) goes through `markdown`: no link, raw HTML or emphasis from
 * remote text. The Set-OutboundConnector line stays verbatim in a fenced block.
 */
export function renderVerifyMarkdown(report: VerifyReport): string {
  const out: string[] = [];
  out.push(`# Connector verification: ${report.verdict.toUpperCase()}`);
  out.push('');
  out.push(`${markdown(summaryLine(report))} · source ${markdown(report.source)} · ${markdown(report.startedAt)} · max message size ${markdown(formatBytes(report.maxMessageSize))}`);
  out.push('');
  out.push('| Connector | Verdict | Code | Route |');
  out.push('|---|---|---|---|');
  for (const c of report.connectors) {
    out.push(`| ${markdown(c.name)} | ${c.verdict.toUpperCase()} | ${markdown(c.status ?? c.code ?? '')} | ${markdown(describeConnector(c))} |`);
  }
  for (const c of report.connectors) {
    out.push('');
    out.push(`## ${markdown(c.name)}: ${c.verdict.toUpperCase()}`);
    out.push('');
    out.push(markdown(describeConnector(c)));
    if (c.status) out.push('', `**${markdown(c.status)}**${c.result?.message ? `: ${markdown(c.result.message)}` : ''}`);
    if (c.plan.reason) out.push('', markdown(c.plan.reason));
    for (const note of c.plan.notes) out.push('', `> ${markdown(note)}`);
    if (c.checks.length) {
      out.push('', '| Check | Result | Detail |', '|---|---|---|');
      for (const check of c.checks) out.push(`| ${markdown(check.title)} | ${MD_MARK[check.status]} | ${markdown(check.detail)} |`);
    }
    for (const w of c.warnings) out.push('', `> ⚠️ ${markdown(w)}`);
    if (c.fixes.length) {
      out.push('', '**Fixes**', '');
      for (const fix of c.fixes) out.push(`- ${markdown(fix)}`);
    }
    if (c.validationCommand) {
      const { code, fence } = markdownCode(c.validationCommand);
      out.push('', 'Record the validation in Exchange Online (not run by the prober):', '', `${fence}powershell`, code, fence);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The `--json` form: the report as is (schema `mailflow-probe/verify@1`). */
export function renderVerifyJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
