import type { Catalog } from '../catalog/en.js';
import { noteText } from '../catalog/probe-text.js';
import type { PoliciesResult, PolicyPathCheck } from '../policies/types.js';
import { terminalSafe } from './sanitize.js';

type Style = 'red' | 'green' | 'yellow' | 'dim' | 'bold' | 'cyan';

export interface PoliciesTextOptions {
  catalog: Catalog;
  width: number;
  paint: (style: Style, text: string) => string;
}

/** A domain's problem texts in the catalog's language, from what each was said from. */
function wordProblems(p: PoliciesResult, catalog: Catalog): PoliciesResult {
  const refs = p.problemRefs;
  if (catalog.language === 'en' || !refs) return p;
  const t = (text: string | null): string | null => (text === null ? null : noteText(text, catalog, refs));
  const path = (c: PolicyPathCheck): PolicyPathCheck => ({ ...c, problem: t(c.problem) });
  return {
    ...p,
    dane: { ...p.dane, hosts: p.dane.hosts.map((h) => ({ ...h, error: t(h.error) })), paths: p.dane.paths.map(path) },
    mtaSts: { ...p.mtaSts, problem: t(p.mtaSts.problem), paths: p.mtaSts.paths.map(path) },
    tlsRpt: { ...p.tlsRpt, problem: t(p.tlsRpt.problem) },
  };
}

/**
 * The policies section of the text report: per domain, DANE (DNSSEC status, TLSA records),
 * MTA-STS (record, policy), TLS-RPT, and under each policy every MX path with whether it
 * satisfies it, what a sender honouring it would do, and the code Exchange Online would give.
 */
export function renderPolicies(remote: PoliciesResult[], options: PoliciesTextOptions): string[] {
  // records, policy files and MX names are remote text, and so are the words a problem quotes
  const policies = terminalSafe(remote.map((p) => wordProblems(p, options.catalog)));
  const h = options.catalog.headings.policies;
  const { paint } = options;
  const out: string[] = [];
  if (!policies.length) return ['', paint('dim', h.notMx)];
  const pathLine = (c: PolicyPathCheck): string => {
    const mark = c.satisfied ? paint('green', '✓') : c.action === 'refuse' ? paint('red', '✗') : paint('yellow', '!');
    const ip = c.ip ? (c.ip.includes(':') ? ` [${c.ip}]` : ` ${c.ip}`) : '';
    const state = c.satisfied ? h.satisfied : paint(c.action === 'refuse' ? 'red' : 'yellow', h.notSatisfied);
    const code = c.code ? `; ${h.exchangeCode}: 450 ${c.code}` : c.satisfied ? '' : `; ${h.exchangeCode}: ${h.noCode}`;
    const lines = [`    ${mark} ${c.host}${ip}: ${state}; ${h.senderWould}: ${h.actions[c.action]}${code}`];
    if (c.matched) lines.push(`        TLSA ${c.matched}`);
    if (c.problem) lines.push(`        ${c.problem}`);
    return lines.join('\n');
  };
  for (const p of policies) {
    out.push('');
    out.push(paint('bold', h.title.replace('{domain}', p.domain)));
    // DANE
    const dnssecText = (s: 'secure' | 'insecure' | 'bogus'): string => (s === 'secure' ? h.dnssecSecure : s === 'bogus' ? h.dnssecBogus : h.dnssecInsecure);
    const published = p.dane.hosts.some((x) => x.records.length || x.error);
    out.push(`  ${paint('cyan', h.dane)}${published ? '' : `: ${h.none}`}`);
    out.push(`    ${h.dnssec} (MX): ${dnssecText(p.dane.mxDnssec)}`);
    for (const host of p.dane.hosts) {
      if (!host.records.length && !host.error) continue;
      out.push(`    ${host.name}: ${host.error ?? dnssecText(host.dnssec)}`);
      for (const r of host.records) out.push(`      ${r.usage} ${r.selector} ${r.matchingType} ${r.data.slice(0, 32)}${r.data.length > 32 ? '…' : ''}${r.usable ? '' : paint('dim', ` (${h.unusable})`)}`);
    }
    if (p.dane.inEffect) out.push(...p.dane.paths.map(pathLine));
    // MTA-STS
    const sts = p.mtaSts;
    out.push(`  ${paint('cyan', h.mtaSts)}: ${sts.record ?? h.none}`);
    if (sts.record) out.push(`    ${sts.url}`);
    if (sts.problem) out.push(`    ${paint('yellow', `${h.problem}: ${sts.problem}`)}`);
    if (sts.policy) {
      out.push(`    ${h.mode}: ${sts.policy.mode}; ${h.mx}: ${sts.policy.mx.join(', ') || '-'}; ${h.maxAge}: ${sts.policy.maxAge}`);
      out.push(...sts.paths.map(pathLine));
    }
    // TLS-RPT
    out.push(`  ${paint('cyan', h.tlsRpt)}: ${p.tlsRpt.record ?? h.none}`);
    if (p.tlsRpt.problem) out.push(`    ${paint('yellow', `${h.problem}: ${p.tlsRpt.problem}`)}`);
  }
  return out;
}
