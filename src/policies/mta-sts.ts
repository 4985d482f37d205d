/**
 * MTA-STS (RFC 8461): the `_mta-sts.<domain>` TXT record announces a policy, fetched from
 * `https://mta-sts.<domain>/.well-known/mta-sts.txt`; in `enforce` mode a sender delivers
 * only to MX hosts the policy names, over TLS, with a certificate valid for the MX name.
 *
 * The fetch is bounded as the RFC asks (§3.3): no redirects, a size limit, a time limit;
 * the policy host is resolved through the probe's resolvers, never the system's.
 */
import type { X509Certificate } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import { nameMatchesTlsDomain } from '../../probes/certificate.js';
import { openWindow } from '../../probes/deadline.js';
import { queryDns, txtStrings } from '../../probes/lib/dns-query.js';
import type { ProbeContext } from '../../probes/stage.js';
import { trustAnchors } from '../../probes/tls.js';
import type { PathResult } from '../core/result.js';
import { say } from '../../probes/messages.js';
import { sayProblem, type ProblemRefs } from './problems.js';
import type { MtaStsPolicyText, MtaStsResult, PolicyPathCheck } from './types.js';

/** RFC 8461 §3.3: senders may limit the policy body to 64 KiB. */
export const POLICY_MAX_BYTES = 64 * 1024;
/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
const MAX_AGE_LIMIT = 31_557_600;

export interface MtaStsLookup {
  record: string | null;
  id: string | null;
  url: string;
  policy: MtaStsPolicyText | null;
  problem: string | null;
}

export interface MtaStsFetchOptions {
  /** HTTPS port of the policy host: 443 in the world; tests point it at their server. */
  port?: number;
}

/** RFC 8461 §3.1: `v=STSv1; id=…;` — fields separated by `;`, id of 1–32 alphanumerics. */
export function parseStsRecord(record: string, refs: ProblemRefs = {}): { id: string } | { error: string } {
  const fields = record.split(';').map((f) => f.trim()).filter(Boolean);
  if (fields[0] !== 'v=STSv1') return { error: sayProblem(refs, 'policy.sts-no-version') };
  const id = fields.find((f) => f.startsWith('id='))?.slice(3);
  if (!id || !/^[A-Za-z0-9]{1,32}$/.test(id)) return { error: sayProblem(refs, 'policy.sts-no-id') };
  return { id };
}

/** RFC 8461 §3.2: `key: value` lines (CRLF or LF); `mx` may repeat. */
export function parsePolicy(body: string, refs: ProblemRefs = {}): MtaStsPolicyText | { error: string } {
  const values = new Map<string, string>();
  const mx: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9_]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    if (key === 'mx') mx.push((m[2] as string).toLowerCase());
    else if (!values.has(key)) values.set(key, m[2] as string);
  }
  if (values.get('version') !== 'STSv1') return { error: sayProblem(refs, 'policy.sts-bad-version') };
  const mode = values.get('mode');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return { error: sayProblem(refs, 'policy.sts-bad-mode', { mode: mode ?? '' }) };
  const maxAgeText = values.get('max_age') ?? '';
  const maxAge = /^[0-9]{1,10}$/.test(maxAgeText) ? Number(maxAgeText) : NaN;
  if (!(maxAge >= 0 && maxAge <= MAX_AGE_LIMIT)) return { error: sayProblem(refs, 'policy.sts-bad-max-age', { value: maxAgeText, max: MAX_AGE_LIMIT }) };
  if (mode !== 'none' && !mx.length) return { error: sayProblem(refs, 'policy.sts-no-mx', { mode }) };
  return { version: 'STSv1', mode, mx, maxAge };
}

/** RFC 8461 §4.1: an mx pattern is a name, or `*.` and a name matching exactly one more label. */
export function mxMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p.startsWith('*.')) {
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  }
  return p === h;
}

async function resolvePolicyHost(ctx: ProbeContext, host: string): Promise<string | null> {
  for (const type of ['A', 'AAAA'] as const) {
    const answer = await queryDns(ctx, host, type);
    const ip = (answer.answers.find((a) => a.type === type) as { data?: unknown } | undefined)?.data;
    if (typeof ip === 'string' && net.isIP(ip)) return ip;
  }
  return null;
}

/** GETs the policy: one request, no redirects, at most POLICY_MAX_BYTES, within the stage window. */
function fetchPolicy(ctx: ProbeContext, host: string, ip: string, port: number, refs: ProblemRefs): Promise<{ body: string } | { error: string }> {
  const window = openWindow(ctx);
  const anchors = trustAnchors(ctx);
  return new Promise<{ body: string } | { error: string }>((resolve) => {
    let settled = false;
    const finish = (value: { body: string } | { error: string }): void => {
      if (settled) return;
      settled = true;
      window.dispose();
      request.destroy();
      resolve(value);
    };
    const request = https.request(
      {
        host: ip,
        port,
        // RFC 8461 §3.3: the certificate must be valid for mta-sts.<domain>: SNI and the
        // name check use the host name, while the connection goes to the address our
        // resolvers gave.
        servername: host,
        headers: { host, 'user-agent': 'mailflow-probe' },
        path: '/.well-known/mta-sts.txt',
        method: 'GET',
        agent: false,
        ...(anchors ? { ca: anchors } : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          return finish({ error: sayProblem(refs, 'policy.sts-redirect', { status, location: response.headers.location ?? '?' }) });
        }
        if (status !== 200) return finish({ error: sayProblem(refs, 'policy.sts-http-status', { status }) });
        const type = String(response.headers['content-type'] ?? '');
        if (!/^text\/plain\b/i.test(type)) return finish({ error: sayProblem(refs, 'policy.sts-content-type', { type: type || say('policy.sts-no-content-type') }) });
        const declared = Number(response.headers['content-length'] ?? NaN);
        if (declared > POLICY_MAX_BYTES) return finish({ error: sayProblem(refs, 'policy.sts-too-large', { bytes: declared, max: POLICY_MAX_BYTES }) });
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > POLICY_MAX_BYTES) return finish({ error: sayProblem(refs, 'policy.sts-larger-than', { max: POLICY_MAX_BYTES }) });
          chunks.push(chunk);
        });
        response.on('end', () => finish({ body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (err) => finish({ error: sayProblem(refs, 'policy.sts-download-failed', { error: err.message }) }));
      },
    );
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (window.signal.aborted) return;
      const error = err.code ?? err.message;
      finish({ error: sayProblem(refs, err.code && /CERT|SELF_SIGNED|ALTNAME|ISSUER/.test(err.code) ? 'policy.sts-fetch-failed-cert' : 'policy.sts-fetch-failed', { ip, error }) });
    });
    const onAbort = (): void => finish({ error: sayProblem(refs, 'policy.sts-timeout', { ms: Math.round(window.timeoutMs) }) });
    if (window.signal.aborted) onAbort();
    else window.signal.addEventListener('abort', onAbort, { once: true });
    request.end();
  });
}

/** Looks up the TXT record and, when there is one, fetches and parses the policy. */
export async function lookupMtaSts(ctx: ProbeContext, domain: string, options: MtaStsFetchOptions = {}, refs: ProblemRefs = {}): Promise<MtaStsLookup> {
  const host = `mta-sts.${domain}`;
  const port = options.port ?? 443;
  const url = `https://${host}${port === 443 ? '' : `:${port}`}/.well-known/mta-sts.txt`;
  const none = { record: null, id: null, url, policy: null };
  let records: string[];
  try {
    const answer = await queryDns(ctx, `_mta-sts.${domain}`, 'TXT');
    if (answer.rcode !== 'NOERROR' && answer.rcode !== 'NXDOMAIN') return { ...none, problem: sayProblem(refs, 'policy.sts-lookup-failed', { error: answer.rcode }) };
    records = txtStrings(answer.answers).filter((t) => t.startsWith('v=STSv1'));
  } catch (err) {
    return { ...none, problem: sayProblem(refs, 'policy.sts-lookup-failed', { error: (err as Error).message }) };
  }
  if (!records.length) return { ...none, problem: null };
  // RFC 8461 §3.1: more than one STSv1 record means no policy.
  if (records.length > 1) return { ...none, record: records.join(' | '), problem: sayProblem(refs, 'policy.sts-several') };
  const record = records[0] as string;
  const parsed = parseStsRecord(record, refs);
  if ('error' in parsed) return { ...none, record, problem: parsed.error };
  let ip: string | null;
  try {
    ip = await resolvePolicyHost(ctx, host);
  } catch (err) {
    return { ...none, record, id: parsed.id, problem: sayProblem(refs, 'policy.sts-host-unresolved', { host, error: (err as Error).message }) };
  }
  if (!ip) return { ...none, record, id: parsed.id, problem: sayProblem(refs, 'policy.sts-host-no-address', { host }) };
  const fetched = await fetchPolicy(ctx, host, ip, port, refs);
  if ('error' in fetched) return { ...none, record, id: parsed.id, problem: fetched.error };
  const policy = parsePolicy(fetched.body, refs);
  if ('error' in policy) return { ...none, record, id: parsed.id, problem: policy.error };
  return { record, id: parsed.id, url, policy, problem: null };
}

/**
 * Judges one MX path under the policy (RFC 8461 §4): the host must match an mx pattern,
 * offer STARTTLS, and present a certificate that chains to a trusted root and carries
 * the MX host name. `enforce` refuses a path that fails; `testing` delivers and reports.
 */
export function judgeMtaStsPath(path: PathResult, policy: MtaStsPolicyText, chain: X509Certificate[] | undefined, refs: ProblemRefs = {}): PolicyPathCheck {
  const base = { host: path.host, ip: path.ip };
  if (policy.mode === 'none') return { ...base, satisfied: true, problem: null, action: 'deliver', code: null };
  const fail = (problem: string, code: PolicyPathCheck['code']): PolicyPathCheck => ({
    ...base,
    satisfied: false,
    problem,
    action: policy.mode === 'enforce' ? 'refuse' : 'deliver-and-report',
    code: policy.mode === 'enforce' ? code : null,
  });
  if (!policy.mx.some((p) => mxMatches(p, path.host))) return fail(sayProblem(refs, 'policy.sts-mx-mismatch', { host: path.host, patterns: policy.mx.join(', ') }), null);
  if (!path.capabilities) return fail(sayProblem(refs, 'policy.no-ehlo'), null);
  if (!path.capabilities.starttls) return fail(sayProblem(refs, 'policy.no-starttls'), '4.7.321');
  if (!path.tls || !chain?.length) return fail(sayProblem(refs, 'policy.tls-incomplete'), null);
  const leaf = chain[0] as X509Certificate;
  if (!path.tls.authorized) {
    const expired = path.tls.authorizationError === 'CERT_HAS_EXPIRED';
    return fail(sayProblem(refs, 'policy.sts-invalid-certificate', { error: path.tls.authorizationError ?? say('policy.sts-untrusted') }), expired ? '4.7.322' : null);
  }
  const names = (leaf.subjectAltName ?? '').split(/,\s*/).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4));
  if (!names.some((n) => nameMatchesTlsDomain(path.host, n))) return fail(sayProblem(refs, 'policy.no-mx-name', { host: path.host }), null);
  return { ...base, satisfied: true, problem: null, action: 'deliver', code: null };
}

export function judgeMtaSts(lookup: MtaStsLookup, paths: PathResult[], chains: (p: PathResult) => X509Certificate[] | undefined, refs: ProblemRefs = {}): MtaStsResult {
  const policy = lookup.policy;
  return {
    ...lookup,
    paths: policy ? paths.filter((p) => p.ip !== null).map((p) => judgeMtaStsPath(p, policy, chains(p), refs)) : [],
  };
}
