/**
 * DANE for SMTP (RFC 7672): TLSA records at `_25._tcp.<mx host>`, trusted only when the
 * resolver validated them with DNSSEC (the AD bit), compared with the certificate each
 * MX path presented.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import type { Answer } from 'dns-packet';
import { nameMatchesTlsDomain } from '../../probes/certificate.js';
import { queryDns, QueryError } from '../../probes/lib/dns-query.js';
import type { ProbeContext } from '../../probes/stage.js';
import type { PathResult } from '../core/result.js';
import { sayProblem, type ProblemRefs } from './problems.js';
import type { DaneHost, DaneResult, DnssecStatus, PolicyPathCheck, TlsaRecordInfo } from './types.js';

/** What the DNS said, before any path is judged. */
export interface DaneLookup {
  mxDnssec: DnssecStatus;
  hosts: DaneHost[];
}

/** RFC 6698 §2.1: usage, selector, matching type. */
const USAGE_NAMES: Record<number, string> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE' };

export function describeTlsa(r: Pick<TlsaRecordInfo, 'usage' | 'selector' | 'matchingType' | 'data'>): string {
  const data = r.data.length > 16 ? `${r.data.slice(0, 16)}…` : r.data;
  return `${r.usage} ${r.selector} ${r.matchingType} ${data} (${USAGE_NAMES[r.usage] ?? 'unknown usage'})`;
}

function toRecord(answer: Answer): TlsaRecordInfo | null {
  if (answer.type !== 'TLSA') return null;
  const { usage, selector, matchingType, certificate } = answer.data;
  // RFC 7672 §3.1.3: SMTP senders treat PKIX-TA(0) and PKIX-EE(1) as unusable;
  // selectors are 0 (whole certificate) or 1 (SubjectPublicKeyInfo), matching types 0
  // (exact), 1 (SHA-256) or 2 (SHA-512) (RFC 6698 §2.1.2–2.1.3).
  const usable = (usage === 2 || usage === 3) && (selector === 0 || selector === 1) && matchingType >= 0 && matchingType <= 2;
  return { usage, selector, matchingType, data: Buffer.from(certificate).toString('hex'), usable };
}

function dnssecOf(rcode: string, authenticated: boolean): DnssecStatus {
  if (rcode === 'SERVFAIL') return 'bogus';
  return authenticated ? 'secure' : 'insecure';
}

/** Looks up the MX record set's DNSSEC status and every MX host's TLSA records. */
export async function lookupDane(ctx: ProbeContext, domain: string, mxHosts: string[], refs: ProblemRefs = {}): Promise<DaneLookup> {
  let mxDnssec: DnssecStatus = 'insecure';
  try {
    const mx = await queryDns(ctx, domain, 'MX');
    mxDnssec = dnssecOf(mx.rcode, mx.authenticated);
  } catch {
    mxDnssec = 'bogus';
  }
  const hosts = await Promise.all(
    mxHosts.map(async (host): Promise<DaneHost> => {
      const name = `_25._tcp.${host}`;
      try {
        const answer = await queryDns(ctx, name, 'TLSA');
        const dnssec = dnssecOf(answer.rcode, answer.authenticated);
        if (answer.rcode !== 'NOERROR' && answer.rcode !== 'NXDOMAIN') {
          return { host, name, dnssec: 'bogus', error: sayProblem(refs, 'policy.tlsa-lookup-failed', { error: answer.rcode }), records: [] };
        }
        return { host, name, dnssec, error: null, records: answer.answers.map(toRecord).filter((r): r is TlsaRecordInfo => r !== null) };
      } catch (err) {
        const text = err instanceof QueryError ? err.message : String(err);
        return { host, name, dnssec: 'bogus', error: sayProblem(refs, 'policy.tlsa-lookup-failed', { error: text }), records: [] };
      }
    }),
  );
  return { mxDnssec, hosts };
}

function digest(data: Buffer, matchingType: number): string {
  if (matchingType === 1) return createHash('sha256').update(data).digest('hex');
  if (matchingType === 2) return createHash('sha512').update(data).digest('hex');
  return data.toString('hex');
}

/** Does this certificate match this TLSA record (selector and matching type applied)? */
export function tlsaMatches(record: TlsaRecordInfo, cert: X509Certificate): boolean {
  const selected = record.selector === 1 ? cert.publicKey.export({ type: 'spki', format: 'der' }) : cert.raw;
  return digest(selected, record.matchingType) === record.data.toLowerCase();
}

/** Verifies that `chain[0]` chains, certificate by certificate, up to `chain[upTo]`. */
function chainsTo(chain: X509Certificate[], upTo: number): boolean {
  for (let i = 0; i < upTo; i++) {
    const child = chain[i] as X509Certificate;
    const parent = chain[i + 1] as X509Certificate;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) return false;
  }
  return true;
}

/**
 * Judges one MX path against its host's TLSA records, as RFC 7672 has a sender do:
 * DANE-EE(3) matches the server's own certificate or key, and then neither the names nor
 * the dates matter (§3.1.1); DANE-TA(2) matches a CA in the chain the server sent, and
 * the leaf must chain to it, be in date, and carry the MX host name (§3.1.2, §3.2.3).
 */
export function judgeDanePath(path: PathResult, host: DaneHost | undefined, chain: X509Certificate[] | undefined, now = Date.now(), refs: ProblemRefs = {}): PolicyPathCheck {
  const base = { host: path.host, ip: path.ip };
  if (!host || (host.dnssec === 'insecure' && host.error === null) || (!host.records.length && host.dnssec !== 'bogus')) {
    const problem = host && host.records.length ? sayProblem(refs, 'policy.dane-not-validated') : null;
    return { ...base, satisfied: true, problem, action: 'deliver', code: null, matched: null };
  }
  if (host.dnssec === 'bogus') {
    // RFC 7672 §2.2: a TLSA lookup that fails (not NXDOMAIN/NODATA) makes the MX host unusable.
    return { ...base, satisfied: false, problem: host.error ?? sayProblem(refs, 'policy.dane-bogus'), action: 'refuse', code: '4.7.324', matched: null };
  }
  if (!path.capabilities) {
    return { ...base, satisfied: false, problem: sayProblem(refs, 'policy.no-ehlo'), action: 'refuse', code: null, matched: null };
  }
  if (!path.capabilities.starttls) {
    return { ...base, satisfied: false, problem: sayProblem(refs, 'policy.dane-no-starttls'), action: 'refuse', code: '4.7.321', matched: null };
  }
  const usable = host.records.filter((r) => r.usable);
  if (!usable.length) {
    // RFC 7672 §3.1.3: with only unusable records, TLS is still required, but not authenticated.
    return { ...base, satisfied: true, problem: sayProblem(refs, 'policy.dane-unusable'), action: 'deliver', code: null, matched: null };
  }
  if (!chain?.length) {
    return { ...base, satisfied: false, problem: sayProblem(refs, 'policy.dane-no-certificate'), action: 'refuse', code: '4.7.323', matched: null };
  }
  const leaf = chain[0] as X509Certificate;
  const ee = usable.find((r) => r.usage === 3 && tlsaMatches(r, leaf));
  if (ee) return { ...base, satisfied: true, problem: null, action: 'deliver', code: null, matched: describeTlsa(ee) };
  for (const record of usable.filter((r) => r.usage === 2)) {
    const at = chain.findIndex((cert, i) => i > 0 && tlsaMatches(record, cert));
    if (at < 0 || !chainsTo(chain, at)) continue;
    const matched = describeTlsa(record);
    if (Date.parse(leaf.validTo) < now) {
      return { ...base, satisfied: false, problem: sayProblem(refs, 'policy.expired', { date: new Date(leaf.validTo).toISOString().slice(0, 10) }), action: 'refuse', code: '4.7.322', matched };
    }
    const names = (leaf.subjectAltName ?? '').split(/,\s*/).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4));
    if (!names.some((n) => nameMatchesTlsDomain(path.host, n))) {
      return { ...base, satisfied: false, problem: sayProblem(refs, 'policy.no-mx-name', { host: path.host }), action: 'refuse', code: '4.7.323', matched };
    }
    return { ...base, satisfied: true, problem: null, action: 'deliver', code: null, matched };
  }
  return {
    ...base,
    satisfied: false,
    problem: sayProblem(refs, usable.length === 1 ? 'policy.dane-no-match-one' : 'policy.dane-no-match', { count: usable.length, name: host.name }),
    action: 'refuse',
    code: '4.7.323',
    matched: null,
  };
}

/** The DANE part of the result: the lookups, and every MX path judged. */
export function judgeDane(lookup: DaneLookup, paths: PathResult[], chains: (p: PathResult) => X509Certificate[] | undefined, refs: ProblemRefs = {}): DaneResult {
  const byHost = new Map(lookup.hosts.map((h) => [h.host, h]));
  const checks = paths.filter((p) => p.ip !== null).map((p) => judgeDanePath(p, byHost.get(p.host), chains(p), Date.now(), refs));
  const inEffect = lookup.hosts.some((h) => h.dnssec === 'bogus' || (h.dnssec === 'secure' && h.records.length > 0));
  return { mxDnssec: lookup.mxDnssec, inEffect, hosts: lookup.hosts, paths: checks };
}
