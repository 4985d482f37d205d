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
export function parseStsRecord(record: string): { id: string } | { error: string } {
  const fields = record.split(';').map((f) => f.trim()).filter(Boolean);
  if (fields[0] !== 'v=STSv1') return { error: 'the record does not start with v=STSv1' };
  const id = fields.find((f) => f.startsWith('id='))?.slice(3);
  if (!id || !/^[A-Za-z0-9]{1,32}$/.test(id)) return { error: 'the record has no valid id= (1 to 32 letters and digits)' };
  return { id };
}

/** RFC 8461 §3.2: `key: value` lines (CRLF or LF); `mx` may repeat. */
export function parsePolicy(body: string): MtaStsPolicyText | { error: string } {
  const values = new Map<string, string>();
  const mx: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9_]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    if (key === 'mx') mx.push((m[2] as string).toLowerCase());
    else if (!values.has(key)) values.set(key, m[2] as string);
  }
  if (values.get('version') !== 'STSv1') return { error: 'the policy does not say "version: STSv1"' };
  const mode = values.get('mode');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return { error: `the policy's mode "${mode ?? ''}" is not enforce, testing or none` };
  const maxAgeText = values.get('max_age') ?? '';
  const maxAge = /^[0-9]{1,10}$/.test(maxAgeText) ? Number(maxAgeText) : NaN;
  if (!(maxAge >= 0 && maxAge <= MAX_AGE_LIMIT)) return { error: `the policy's max_age "${maxAgeText}" is not a whole number of seconds from 0 to ${MAX_AGE_LIMIT}` };
  if (mode !== 'none' && !mx.length) return { error: `a policy in mode ${mode} must list at least one mx pattern` };
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
function fetchPolicy(ctx: ProbeContext, host: string, ip: string, port: number): Promise<{ body: string } | { error: string }> {
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
          return finish({ error: `the policy URL redirects (HTTP ${status} to ${response.headers.location ?? '?'}); RFC 8461 §3.3 forbids following redirects` });
        }
        if (status !== 200) return finish({ error: `the policy URL answered HTTP ${status}` });
        const type = String(response.headers['content-type'] ?? '');
        if (!/^text\/plain\b/i.test(type)) return finish({ error: `the policy is served as "${type || 'no Content-Type'}", not text/plain (RFC 8461 §3.2)` });
        const declared = Number(response.headers['content-length'] ?? NaN);
        if (declared > POLICY_MAX_BYTES) return finish({ error: `the policy is ${declared} bytes, more than the ${POLICY_MAX_BYTES} a sender reads` });
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > POLICY_MAX_BYTES) return finish({ error: `the policy is more than ${POLICY_MAX_BYTES} bytes, the most a sender reads` });
          chunks.push(chunk);
        });
        response.on('end', () => finish({ body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (err) => finish({ error: `the policy download failed: ${err.message}` }));
      },
    );
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (window.signal.aborted) return;
      finish({ error: `cannot fetch the policy from ${ip}: ${err.code ?? err.message}${err.code && /CERT|SELF_SIGNED|ALTNAME|ISSUER/.test(err.code) ? ' (the HTTPS certificate is not valid for the policy host)' : ''}` });
    });
    const onAbort = (): void => finish({ error: `no complete policy within ${Math.round(window.timeoutMs)} ms` });
    if (window.signal.aborted) onAbort();
    else window.signal.addEventListener('abort', onAbort, { once: true });
    request.end();
  });
}

/** Looks up the TXT record and, when there is one, fetches and parses the policy. */
export async function lookupMtaSts(ctx: ProbeContext, domain: string, options: MtaStsFetchOptions = {}): Promise<MtaStsLookup> {
  const host = `mta-sts.${domain}`;
  const port = options.port ?? 443;
  const url = `https://${host}${port === 443 ? '' : `:${port}`}/.well-known/mta-sts.txt`;
  const none = { record: null, id: null, url, policy: null };
  let records: string[];
  try {
    const answer = await queryDns(ctx, `_mta-sts.${domain}`, 'TXT');
    if (answer.rcode !== 'NOERROR' && answer.rcode !== 'NXDOMAIN') return { ...none, problem: `the _mta-sts TXT lookup failed: ${answer.rcode}` };
    records = txtStrings(answer.answers).filter((t) => t.startsWith('v=STSv1'));
  } catch (err) {
    return { ...none, problem: `the _mta-sts TXT lookup failed: ${(err as Error).message}` };
  }
  if (!records.length) return { ...none, problem: null };
  // RFC 8461 §3.1: more than one STSv1 record means no policy.
  if (records.length > 1) return { ...none, record: records.join(' | '), problem: 'more than one v=STSv1 record: senders treat the domain as having no policy' };
  const record = records[0] as string;
  const parsed = parseStsRecord(record);
  if ('error' in parsed) return { ...none, record, problem: parsed.error };
  let ip: string | null;
  try {
    ip = await resolvePolicyHost(ctx, host);
  } catch (err) {
    return { ...none, record, id: parsed.id, problem: `${host} could not be resolved: ${(err as Error).message}` };
  }
  if (!ip) return { ...none, record, id: parsed.id, problem: `${host} has no A or AAAA record: the policy cannot be fetched` };
  const fetched = await fetchPolicy(ctx, host, ip, port);
  if ('error' in fetched) return { ...none, record, id: parsed.id, problem: fetched.error };
  const policy = parsePolicy(fetched.body);
  if ('error' in policy) return { ...none, record, id: parsed.id, problem: policy.error };
  return { record, id: parsed.id, url, policy, problem: null };
}

/**
 * Judges one MX path under the policy (RFC 8461 §4): the host must match an mx pattern,
 * offer STARTTLS, and present a certificate that chains to a trusted root and carries
 * the MX host name. `enforce` refuses a path that fails; `testing` delivers and reports.
 */
export function judgeMtaStsPath(path: PathResult, policy: MtaStsPolicyText, chain: X509Certificate[] | undefined): PolicyPathCheck {
  const base = { host: path.host, ip: path.ip };
  if (policy.mode === 'none') return { ...base, satisfied: true, problem: null, action: 'deliver', code: null };
  const fail = (problem: string, code: PolicyPathCheck['code']): PolicyPathCheck => ({
    ...base,
    satisfied: false,
    problem,
    action: policy.mode === 'enforce' ? 'refuse' : 'deliver-and-report',
    code: policy.mode === 'enforce' ? code : null,
  });
  if (!policy.mx.some((p) => mxMatches(p, path.host))) return fail(`${path.host} matches none of the policy's mx patterns (${policy.mx.join(', ')})`, null);
  if (!path.capabilities) return fail('the SMTP session did not get as far as EHLO', null);
  if (!path.capabilities.starttls) return fail('the host does not offer STARTTLS', '4.7.321');
  if (!path.tls || !chain?.length) return fail('the TLS handshake did not complete', null);
  const leaf = chain[0] as X509Certificate;
  if (!path.tls.authorized) {
    const expired = path.tls.authorizationError === 'CERT_HAS_EXPIRED';
    return fail(`the certificate is not valid (${path.tls.authorizationError ?? 'untrusted'})`, expired ? '4.7.322' : null);
  }
  const names = (leaf.subjectAltName ?? '').split(/,\s*/).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4));
  if (!names.some((n) => nameMatchesTlsDomain(path.host, n))) return fail(`the certificate does not carry the MX host name ${path.host}`, null);
  return { ...base, satisfied: true, problem: null, action: 'deliver', code: null };
}

export function judgeMtaSts(lookup: MtaStsLookup, paths: PathResult[], chains: (p: PathResult) => X509Certificate[] | undefined): MtaStsResult {
  const policy = lookup.policy;
  return {
    ...lookup,
    paths: policy ? paths.filter((p) => p.ip !== null).map((p) => judgeMtaStsPath(p, policy, chains(p))) : [],
  };
}
