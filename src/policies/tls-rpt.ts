/** TLS-RPT (RFC 8460): where a domain wants reports of failed TLS sessions sent. */
import { queryDns, txtStrings } from '../../probes/lib/dns-query.js';
import type { ProbeContext } from '../../probes/stage.js';
import type { TlsRptResult } from './types.js';

/** Reads `_smtp._tls.<domain>`: `v=TLSRPTv1; rua=mailto:…,https://…`. */
export async function lookupTlsRpt(ctx: ProbeContext, domain: string): Promise<TlsRptResult> {
  try {
    const answer = await queryDns(ctx, `_smtp._tls.${domain}`, 'TXT');
    const records = txtStrings(answer.answers).filter((t) => /^v=TLSRPTv1\s*(;|$)/.test(t));
    if (!records.length) return { record: null, rua: [], problem: null };
    // RFC 8460 §3: more than one record means no reporting.
    if (records.length > 1) return { record: records.join(' | '), rua: [], problem: 'more than one v=TLSRPTv1 record: senders send no reports' };
    const record = records[0] as string;
    const rua = /(?:^|;)\s*rua=([^;]*)/.exec(record)?.[1]?.split(',').map((u) => u.trim()).filter(Boolean) ?? [];
    const bad = rua.filter((u) => !/^(mailto:|https:)/i.test(u));
    const problem = !rua.length ? 'the record has no rua= (where to send reports)' : bad.length ? `rua entries that are neither mailto: nor https: (${bad.join(', ')})` : null;
    return { record, rua, problem };
  } catch (err) {
    return { record: null, rua: [], problem: `the _smtp._tls TXT lookup failed: ${(err as Error).message}` };
  }
}
