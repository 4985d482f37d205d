import { en, type Catalog } from '../catalog/en.js';
import type { ExplainResult } from '../explain/explain.js';
import { noteText } from '../catalog/probe-text.js';
import { WINSOCK_PT_BR } from '../catalog/probe-text.pt-br.js';
import { terminalSafe } from './sanitize.js';
import { fill, renderDiagnosisFields, renderText, translatedTitle, wrap } from './text.js';

export interface ExplainTextOptions {
  color?: boolean;
  width?: number;
  catalog?: Catalog;
  /** Include the full report of each live re-check (default true). */
  details?: boolean;
}

/**
 * The `probe explain` report: what the paste says, field by field; the diagnosis; then
 * each live re-check with its verdict against the pasted code. Pure; the paste and what
 * the servers said are escaped for the terminal.
 */
export function renderExplain(remote: ExplainResult, options: ExplainTextOptions = {}): string {
  const result = terminalSafe(remote);
  const catalog = options.catalog ?? en;
  const h = catalog.headings;
  const x = h.explain;
  const width = options.width ?? 100;
  const paint = (code: number, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const p = result.parsed;
  const out: string[] = [];
  out.push(paint(1, `${x.title}: ${x.forms[p.form]}`));
  if (p.decoded) out.push(`  ${wrap(x.decodedQp, width, 2)}`);
  const labels = [x.code, x.status, x.remoteSaid, x.winsock, x.server, x.ip, x.when, x.proxy, x.redacted];
  const pad = Math.max(...labels.map((l) => l.length)) + 2;
  const field = (label: string, value: string | null): void => {
    out.push(`  ${label.padEnd(pad)}${value === null ? paint(2, x.notGiven) : wrap(value, width, pad + 2)}`);
  };
  field(x.code, p.other ? p.other.enhanced : p.code);
  field(x.status, p.status);
  if (p.expired) out.push(`  ${' '.repeat(pad)}${wrap(x.expired, width, pad + 2)}`);
  field(x.remoteSaid, p.detail);
  if (p.winsock) field(x.winsock, `${p.winsock.number} ${p.winsock.name}: ${catalog.language === 'pt-BR' ? ((WINSOCK_PT_BR as Record<number, string>)[p.winsock.number] ?? p.winsock.meaning) : p.winsock.meaning}`);
  field(x.server, p.server);
  field(x.ip, p.ip ? `${p.ip.includes(':') ? `[${p.ip}]` : p.ip}${p.port ? `:${p.port}` : ''}` : null);
  if (p.lastAttempt) field(x.when, p.lastAttempt);
  if (p.proxyTargetIp || p.proxyTargetHost) field(x.proxy, [p.proxyTargetHost, p.proxyTargetIp].filter(Boolean).join(' '));
  if (p.redacted.length) field(x.redacted, p.redacted.join(', '));
  if (p.truncated) out.push(`  ${paint(33, '!')} ${wrap(`${x.truncated}${p.incomplete.length ? ` (${p.incomplete.join(', ')})` : ''}`, width, 4)}`);

  const d = result.diagnosis;
  out.push('');
  out.push(paint(1, `${h.diagnosis}: ${d.status ? `${d.status}${translatedTitle(d.code, catalog)}` : d.title}`));
  out.push(...renderDiagnosisFields(d, h, width, false, catalog));

  out.push('');
  out.push(paint(1, `${x.liveCheck}:`));
  if (result.offline) out.push(`  ${x.offline}`);
  else if (result.notRechecked) out.push(`  ${wrap(x.notRechecked, width, 2)}`);
  else if (!result.checks) out.push(`  ${wrap(x.noTarget, width, 2)}`);
  else {
    for (const check of result.checks) {
      const verdict =
        check.outcome === 'same'
          ? paint(31, x.same)
          : check.outcome === 'equivalent'
            ? paint(31, x.equivalent)
            : check.outcome === 'different'
              ? paint(33, fill(x.different, { code: check.result.status ?? check.result.code ?? '' }))
              : paint(32, x.healthy);
      out.push(`  ${fill(x.checkOf, { target: check.target })}: ${verdict}`);
      for (const d of check.dane ?? []) {
        const code = d.code ? `450 ${d.code}` : d.satisfied ? h.policies.satisfied : h.policies.notSatisfied;
        out.push(`    ${h.policies.dane} ${d.ip ?? ''}: ${code}${d.problem ? ` — ${noteText(d.problem, catalog, check.daneRefs)}` : ''}`);
      }
    }
    if (options.details !== false) {
      for (const check of result.checks) {
        out.push('');
        const text = renderText(check.result, { color: Boolean(options.color), width, catalog });
        out.push(...text.trimEnd().split('\n').map((line) => (line ? `  ${line}` : line)));
      }
    }
  }
  return `${out.join('\n')}\n`;
}
