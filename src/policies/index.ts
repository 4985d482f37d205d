/**
 * The recipient domain's transport security policies, checked alongside the probe:
 * DANE (./dane.ts), MTA-STS (./mta-sts.ts), TLS-RPT (./tls-rpt.ts). Only targets that
 * resolved by MX have them: Exchange Online applies DANE and MTA-STS when it delivers by
 * MX, not to a connector's smart host.
 */
import type { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';
import { peerChain } from '../../probes/certificate.js';
import type { Resolution } from '../../probes/dns.js';
import type { ProbeContext } from '../../probes/stage.js';
import { refuseByPolicy } from '../core/judge.js';
import type { PathResult } from '../core/result.js';
import { judgeDane, lookupDane } from './dane.js';
import { judgeMtaSts, lookupMtaSts } from './mta-sts.js';
import { say } from '../../probes/messages.js';
import type { ProblemRefs } from './problems.js';
import { lookupTlsRpt } from './tls-rpt.js';
import type { PoliciesResult, PolicyPathCheck } from './types.js';

export type * from './types.js';

/**
 * The certificates each path was presented, kept beside the result (not in it: the JSON
 * carries summaries, and DANE needs the DER to compare with TLSA data).
 */
const presented = new WeakMap<PathResult, X509Certificate[]>();

/** Called by the engine once TLS is up, before the certificate is judged. */
export function recordPeer(path: PathResult, socket: tls.TLSSocket): void {
  try {
    presented.set(path, peerChain(socket));
  } catch {
    // a certificate Node cannot parse: the certificate stage reports it
  }
}

export function presentedChain(path: PathResult): X509Certificate[] | undefined {
  return presented.get(path);
}

export interface PolicyOptions {
  /** HTTPS port of the MTA-STS policy host (443; tests use their own). */
  mtaStsPort?: number;
}

/** A target whose recipient domain has policies to look up: one that resolved by MX. */
export function hasPolicies(resolution: Resolution): boolean {
  return resolution.route === 'mx' && !resolution.failure && resolution.hosts.length > 0;
}

/**
 * Starts the lookups for every target that resolved by MX; each resolves to a judge that,
 * given the finished paths, returns that domain's PoliciesResult.
 */
export async function checkPolicies(
  ctx: ProbeContext,
  resolutions: Resolution[],
  options: PolicyOptions = {},
): Promise<Array<(paths: PathResult[]) => PoliciesResult>> {
  const mxRoutes = resolutions.filter(hasPolicies);
  return Promise.all(
    mxRoutes.map(async (r) => {
      const domain = r.target;
      const hosts = r.hosts.map((h) => h.host);
      const refs: ProblemRefs = {};
      const [dane, mtaSts, tlsRpt] = await Promise.all([
        lookupDane(ctx, domain, hosts, refs),
        lookupMtaSts(ctx, domain, options.mtaStsPort !== undefined ? { port: options.mtaStsPort } : {}, refs),
        lookupTlsRpt(ctx, domain, refs),
      ]);
      return (paths: PathResult[]): PoliciesResult => {
        const mine = paths.filter((p) => p.target === domain);
        return {
          domain,
          dane: judgeDane(dane, mine, presentedChain, refs),
          mtaSts: judgeMtaSts(mtaSts, mine, presentedChain, refs),
          tlsRpt,
          problemRefs: refs,
        };
      };
    }),
  );
}

/**
 * Applies the policies to the finished paths, before the probe is judged: a path a
 * policy Exchange Online enforces would refuse becomes a failed path with the policy's
 * code (src/judge.ts refuseByPolicy), so the verdict, the headline and the diagnosis
 * follow the usual rule. DANE is judged first; where DANE is in effect for a host, MTA-STS
 * is not applied to it (RFC 8461 §2). MTA-STS `testing`, and a missing or unvalidated
 * policy, refuse nothing: they stay notes in the policies section.
 */
export function applyPolicies(paths: PathResult[], policies: PoliciesResult[]): void {
  for (const p of policies) {
    const daneHosts = new Set(p.dane.hosts.filter((h) => h.dnssec === 'bogus' || (h.dnssec === 'secure' && h.records.length > 0)).map((h) => h.host));
    for (const path of paths.filter((x) => x.target === p.domain)) {
      const at = (c: PolicyPathCheck): boolean => c.host === path.host && c.ip === path.ip && c.action === 'refuse';
      const dane = p.dane.paths.find(at);
      const sts = daneHosts.has(path.host) ? undefined : p.mtaSts.paths.find(at);
      const refusal = dane ? { policy: 'DANE' as const, check: dane } : sts ? { policy: 'MTA-STS' as const, check: sts } : null;
      if (!refusal) continue;
      const problem = refusal.check.problem ?? say('policy.not-satisfied').text;
      const problemRef = p.problemRefs?.[problem] ?? (refusal.check.problem === null ? { id: 'policy.not-satisfied' as const, args: {} } : undefined);
      refuseByPolicy(path, { policy: refusal.policy, domain: p.domain, problem, ...(problemRef ? { problemRef } : {}), code: refusal.check.code ?? 'other' });
    }
  }
}
