import { openContext, type ProbeScope } from '../../probes/context.js';
import { resolveTarget, type Resolution, type Route } from '../../probes/dns.js';
import { PROBE_STEPS, runSession, type SessionFacts, type SessionStep } from '../../probes/session.js';
import { StageFailure, type StageResult } from '../../probes/stage.js';
import { say, type Said } from '../../probes/messages.js';
import { explainTlsFailure } from '../../probes/tls-versions.js';
import { en, type Catalog } from '../catalog/en.js';
import { catalogFor, parseLanguage } from '../catalog/index.js';
import { judgePath, judgeProbe } from './judge.js';
import { applyPolicies, checkPolicies, hasPolicies, recordPeer } from '../policies/index.js';
import { mapLimit } from './pool.js';
import { hostName, parsePort, resolveSettings, type ProbeOptions, type Settings } from './options.js';
import type { PathResult, ProbeResult, Vantage } from './result.js';
import { VERSION } from './version.js';

/** The probe's steps, with a TLS 1.2+ handshake the server refuses explained: which older versions does it speak? */
const PROBE_STEPS_EXPLAINED: readonly SessionStep[] = PROBE_STEPS.map((s) => (s.stage === 'tls' ? { stage: 'tls', explain: explainTlsFailure } : s));

/** One path to probe: a host at one address (ip null when the host did not resolve). */
interface PlannedPath {
  target: string;
  route: Route;
  host: string;
  preference: number | null;
  ip: string | null;
  family: 4 | 6 | null;
  dns: StageResult | null;
  dnsFailure?: StageFailure;
}

function ms(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

/** The paths of one target's resolution, in Exchange Online's order. */
function plan(resolution: Resolution): PlannedPath[] {
  const { target, route } = resolution;
  // Objects written out, not spread: a spread copies through V8's runtime on every path
  // (~10 µs a probe on Node 20), and every stage result keeps one shape. Key order is the JSON's.
  const dnsStage = (ok: boolean, detail: Said | string, failure?: StageFailure): StageResult => {
    const stage: StageResult =
      typeof detail === 'string'
        ? { name: 'dns', ok, ms: Math.round(resolution.ms * 10) / 10, detail }
        : { name: 'dns', ok, ms: Math.round(resolution.ms * 10) / 10, detail: detail.text, detailId: detail.id, detailArgs: detail.args };
    if (failure) stage.failure = failure.toJSON();
    return stage;
  };
  const path = (host: string, preference: number | null, ip: string | null, family: 4 | 6 | null, dns: StageResult | null, dnsFailure?: StageFailure): PlannedPath =>
    dnsFailure ? { target, route, host, preference, ip, family, dns, dnsFailure } : { target, route, host, preference, ip, family, dns };
  const failure = resolution.failure;
  if (failure) {
    return [path(target, null, null, null, dnsStage(false, failure.said ? { ...failure.said, text: failure.message } : failure.message, failure), failure)];
  }
  const paths: PlannedPath[] = [];
  for (const host of resolution.hosts) {
    // An IP literal's path has no DNS stage, so nothing to say (`say` builds its text).
    if (route === 'ip' && !host.failure) {
      for (const a of host.addresses) paths.push(path(host.host, host.preference, a.ip, a.family, null));
      continue;
    }
    const via = host.preference !== null ? say('dns.via-mx', { preference: host.preference, host: host.host }) : route === 'ip' ? say('dns.via-ip') : host.host;
    if (host.failure) {
      const reason = host.failure.said ?? host.failure.message;
      paths.push(path(host.host, host.preference, null, null, dnsStage(false, say('dns.host-failed', { via, reason }), host.failure), host.failure));
      continue;
    }
    const all = host.addresses.map((a) => a.ip).join(', ');
    for (const a of host.addresses) paths.push(path(host.host, host.preference, a.ip, a.family, dnsStage(true, say('dns.resolved', { via, addresses: all }))));
  }
  return paths;
}

/** Where this probe runs from: tool, version, host name, resolvers, bound source address. */
export function vantageOf(settings: Pick<Settings, 'resolvers' | 'sourceAddress'>): Vantage {
  return {
    tool: 'mailflow-probe',
    version: VERSION,
    host: hostName(),
    resolvers: settings.resolvers.length ? settings.resolvers.map((r) => (r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`)) : ['system'],
    sourceAddress: settings.sourceAddress,
  };
}

/**
 * The SMTP session of one path (probes/session.ts, the probe's steps), judged
 * (src/judge.ts). Never throws for a network outcome; every socket it opens is destroyed
 * before it returns.
 */
async function probePath(settings: Settings, scope: ProbeScope, path: PlannedPath, catalog: Catalog = en): Promise<PathResult> {
  const started = performance.now();
  const ctx = scope.context();
  const result: PathResult = {
    target: path.target,
    host: path.host,
    route: path.route,
    preference: path.preference,
    ip: path.ip,
    family: path.family,
    port: settings.port,
    verdict: 'healthy',
    code: null,
    status: null,
    message: null,
    durationMs: 0,
    stages: path.dns ? [path.dns] : [],
    transcript: ctx.transcript,
    warnings: [],
  };
  const facts: SessionFacts = path.dnsFailure
    ? { stages: result.stages, transcript: ctx.transcript, events: [], replies: {}, failure: path.dnsFailure }
    : await runSession(ctx, {
        ip: path.ip as string,
        servername: path.host,
        steps: PROBE_STEPS_EXPLAINED,
        stages: result.stages,
        onTls: (socket) => recordPeer(result, socket),
      });
  if (facts.capabilities) result.capabilities = facts.capabilities;
  if (facts.tls) result.tls = facts.tls;
  if (facts.certificate) result.certificate = facts.certificate;
  if (facts.capabilitiesAfterTls) result.capabilitiesAfterTls = facts.capabilitiesAfterTls;
  if (facts.failure) result.failure = facts.failure.toJSON();
  result.sourceAddress = facts.sourceAddress ?? null;
  const judged = judgePath(settings, path, facts, catalog);
  result.verdict = judged.verdict;
  result.code = judged.code;
  result.status = judged.status;
  result.message = judged.message;
  result.warnings = judged.warnings;
  if (judged.findings.length) result.findings = judged.findings;
  if (judged.notes.length) {
    result.notes = judged.notes;
    result.noteRefs = judged.noteRefs;
  }
  if (ctx.transcriptRefs && Object.keys(ctx.transcriptRefs).length) result.transcriptRefs = ctx.transcriptRefs;
  if (judged.outsideMicrosoft365) result.outsideMicrosoft365 = true;
  if (judged.unverifiable) result.unverifiable = true;
  result.durationMs = ms(started);
  return result;
}

/**
 * Probes one or more smart hosts (or domains, or IP addresses) the way Exchange Online
 * delivers through a connector, and returns every path's outcome with the verdict and,
 * when something failed, the code Exchange Online would report.
 *
 * Throws only a `UsageError` for bad options (before anything is sent); every network
 * outcome is in the result.
 *
 * @example
 * ```ts
 * import { probe } from 'mailflow-probe';
 * const result = await probe('smarthost.contoso.com', { tlsMode: 'domain-validation', tlsDomain: '*.contoso.com' });
 * if (result.verdict === 'failing') console.log(result.status, result.diagnosis?.firstFix);
 * ```
 */
export async function probe(targets: string | readonly string[], options: ProbeOptions = {}): Promise<ProbeResult> {
  const settings = resolveSettings(targets, options);
  const catalog = options.language === undefined ? en : catalogFor(parseLanguage(options.language));
  const mtaStsPort = options.mtaStsPort === undefined ? undefined : parsePort(options.mtaStsPort, 'MTA-STS port');
  const startedAt = new Date();
  // No listener goes on the probe-wide signal (its windows are told by the scope:
  // probes/deadline.ts), so no leak-warning limit is raised for it.
  const scope = openContext(
    {
      deadlineMs: settings.deadlineMs,
      stageTimeoutMs: settings.timeoutMs,
      resolvers: settings.resolvers,
      port: settings.port,
      ehloName: settings.ehloName,
      sourceAddress: settings.sourceAddress,
      tls: { mode: settings.tlsMode, domain: settings.tlsDomain, ca: settings.ca, revocation: settings.revocation },
      revocationCache: options.revocationCache,
    },
    options.signal,
  );
  const started = scope.started;
  try {
    const resolve = (target: string): Promise<Resolution> => resolveTarget(scope.context(), target, { mx: settings.mx });
    // One target (each of a fleet's probes) is awaited alone: Promise.all's array and settlers spared.
    const resolutions = settings.targets.length === 1 ? [await resolve(settings.targets[0] as string)] : await Promise.all(settings.targets.map(resolve));
    const planned = resolutions.flatMap(plan);
    // One refused address refuses the whole probe, before any connection is made.
    const refused = options.addressFilter && planned.map((p) => (p.ip ? options.addressFilter?.(p.ip) : null)).find(Boolean);
    if (refused) for (const p of planned) p.dnsFailure ??= new StageFailure('tcp', 'internal', `refused to probe: ${refused}`);
    // The policies (DANE, MTA-STS, TLS-RPT) are looked up while the sessions run, and
    // judged against what each MX path presented once they are done.
    // On by default; only MX routes have them: without one, no lookup starts (nor its context).
    const checked = settings.policies && !refused;
    const policyLookups = checked && resolutions.some(hasPolicies)
      ? checkPolicies(scope.context(), resolutions, mtaStsPort !== undefined ? { mtaStsPort } : {})
      : null;
    // Settled later; a programmer error in it must not surface as an unhandled rejection first.
    policyLookups?.catch(() => undefined);
    const paths = await mapLimit(planned, settings.concurrency, (p) => probePath(settings, scope, p, catalog));
    const policies = policyLookups ? (await policyLookups).map((judge) => judge(paths)) : checked ? [] : null;
    // A path the recipient's policy refuses is a failed path: applied before the verdict.
    if (policies) applyPolicies(paths, policies);
    const summary = judgeProbe(settings, resolutions, paths, startedAt, ms(started), scope.base.cancel.aborted, catalog);
    summary.vantage = vantageOf(settings);
    // Asked for explicitly, a probe with no MX route says so (the report's "Not an MX route").
    if (policies && (policies.length || options.policies === true)) summary.policies = policies;
    return summary;
  } finally {
    scope.dispose();
  }
}
