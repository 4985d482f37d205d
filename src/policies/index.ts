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
import type { PathResult, ProbeResult } from '../core/result.js';
import { judgeDane, lookupDane } from './dane.js';
import { judgeMtaSts, lookupMtaSts } from './mta-sts.js';
import { lookupTlsRpt } from './tls-rpt.js';
import type { PoliciesResult } from './types.js';

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

/**
 * Starts the lookups for every target that resolved by MX; each resolves to a judge that,
 * given the finished paths, returns that domain's PoliciesResult.
 */
export async function checkPolicies(
  ctx: ProbeContext,
  resolutions: Resolution[],
  options: PolicyOptions = {},
): Promise<Array<(paths: PathResult[]) => PoliciesResult>> {
  const mxRoutes = resolutions.filter((r) => r.route === 'mx' && !r.failure && r.hosts.length);
  return Promise.all(
    mxRoutes.map(async (r) => {
      const domain = r.target;
      const hosts = r.hosts.map((h) => h.host);
      const [dane, mtaSts, tlsRpt] = await Promise.all([
        lookupDane(ctx, domain, hosts),
        lookupMtaSts(ctx, domain, options.mtaStsPort !== undefined ? { port: options.mtaStsPort } : {}),
        lookupTlsRpt(ctx, domain),
      ]);
      return (paths: PathResult[]): PoliciesResult => {
        const mine = paths.filter((p) => p.target === domain);
        return {
          domain,
          dane: judgeDane(dane, mine, presentedChain),
          mtaSts: judgeMtaSts(mtaSts, mine, presentedChain),
          tlsRpt,
        };
      };
    }),
  );
}

/**
 * Adds the policies to a result: a path a policy-honouring sender would refuse is a
 * warning, and a healthy verdict becomes degraded (Exchange Online honours both DANE and
 * MTA-STS when it delivers by MX).
 */
export function applyPolicies(result: ProbeResult, policies: PoliciesResult[]): void {
  result.policies = policies;
  for (const p of policies) {
    for (const [name, checks] of [['DANE', p.dane.paths], ['MTA-STS', p.mtaSts.paths]] as const) {
      for (const c of checks.filter((x) => x.action === 'refuse')) {
        result.warnings.push({
          kind: 'policy-not-satisfied',
          message: `${p.domain}'s ${name} policy is not satisfied by ${c.host} at ${c.ip ?? '(no address)'}: ${c.problem ?? ''}; a sender that honours it would not deliver there${c.code ? ` (Exchange Online: 450 ${c.code})` : ''}`,
          host: c.host,
          ip: c.ip,
        });
        if (result.verdict === 'healthy') result.verdict = 'degraded';
      }
    }
  }
}
