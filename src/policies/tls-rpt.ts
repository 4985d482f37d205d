/** TLS-RPT (RFC 8460): where a domain wants reports of failed TLS sessions sent. */
import { queryDns, txtStrings } from '../../probes/lib/dns-query.js';
import type { ProbeContext } from '../../probes/stage.js';
import { sayProblem, type ProblemRefs } from './problems.js';
import type { TlsRptResult } from './types.js';

/** Reads `_smtp._tls.<domain>`: `v=TLSRPTv1; rua=mailto:…,https://…`. */
export async function lookupTlsRpt(ctx: ProbeContext, domain: string, refs: ProblemRefs = {}): Promise<TlsRptResult> {
  try {
    const answer = await queryDns(ctx, `_smtp._tls.${domain}`, 'TXT');
    const records = txtStrings(answer.answers).filter((t) => /^v=TLSRPTv1\s*(;|$)/.test(t));
    if (!records.length) return { record: null, rua: [], problem: null };
    // RFC 8460 §3: more than one record means no reporting.
    if (records.length > 1) return { record: records.join(' | '), rua: [], problem: sayProblem(refs, 'policy.rpt-several') };
    const record = records[0] as string;
    const rua = /(?:^|;)\s*rua=([^;]*)/.exec(record)?.[1]?.split(',').map((u) => u.trim()).filter(Boolean) ?? [];
    const bad = rua.filter((u) => !/^(mailto:|https:)/i.test(u));
    const problem = !rua.length ? sayProblem(refs, 'policy.rpt-no-rua') : bad.length ? sayProblem(refs, 'policy.rpt-bad-rua', { entries: bad.join(', ') }) : null;
    return { record, rua, problem };
  } catch (err) {
    return { record: null, rua: [], problem: sayProblem(refs, 'policy.rpt-lookup-failed', { error: (err as Error).message }) };
  }
}
