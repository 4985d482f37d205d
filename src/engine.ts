import { setMaxListeners } from 'node:events';
import type net from 'node:net';
import type tls from 'node:tls';
import { inspectCertificate, validatesCertificate } from '../probes/certificate.js';
import { resolveTarget, type Resolution, type Route } from '../probes/dns.js';
import { ReplyReader, formatReply, readGreeting, sayEhlo, sayQuit, sayStartTls, type Capabilities } from '../probes/smtp.js';
import { StageFailure, type ProbeContext, type StageName } from '../probes/stage.js';
import { connectTcp } from '../probes/tcp.js';
import { upgradeTls } from '../probes/tls.js';
import { explainTlsFailure } from '../probes/tls-versions.js';
import { en, type Catalog } from './catalog/en.js';
import { catalogFor, parseLanguage } from './catalog/index.js';
import { classify } from './classify.js';
import { applyPolicies, checkPolicies, recordPeer } from './policies/index.js';
import { diagnose, exchangeMessage } from './diagnose.js';
import { detectFindings } from './findings.js';
import { parsePort, resolveSettings, type ProbeOptions, type Settings } from './options.js';
import { RESULT_SCHEMA, type PathResult, type ProbeResult, type StageResult, type Verdict, type Warning } from './result.js';

const never = new AbortController().signal;

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

function describeCapabilities(caps: Capabilities): string {
  if (caps.greeting === 'helo') return 'HELO accepted (the server rejected EHLO: no extensions)';
  const keys = Object.entries(caps.extensions).map(([k, v]) => (k === 'SIZE' && v[0] ? `SIZE ${v[0]}` : k));
  return `${caps.serverName}: ${keys.join(' ') || '(no extensions)'}`;
}

/** The paths of one target's resolution, in Exchange Online's order. */
function plan(resolution: Resolution): PlannedPath[] {
  const base = { target: resolution.target, route: resolution.route };
  const dnsStage = (ok: boolean, detail: string, failure?: StageFailure): StageResult => ({
    name: 'dns',
    ok,
    ms: Math.round(resolution.ms * 10) / 10,
    detail,
    ...(failure ? { failure: failure.toJSON() } : {}),
  });
  if (resolution.failure) {
    return [
      {
        ...base,
        host: resolution.target,
        preference: null,
        ip: null,
        family: null,
        dns: dnsStage(false, resolution.failure.message, resolution.failure),
        dnsFailure: resolution.failure,
      },
    ];
  }
  return resolution.hosts.flatMap((host): PlannedPath[] => {
    const via = host.preference !== null ? `MX ${host.preference} ${host.host}` : resolution.route === 'ip' ? 'IP address' : host.host;
    if (host.failure) {
      return [
        { ...base, host: host.host, preference: host.preference, ip: null, family: null, dns: dnsStage(false, `${via}: ${host.failure.message}`, host.failure), dnsFailure: host.failure },
      ];
    }
    const all = host.addresses.map((a) => a.ip).join(', ');
    return host.addresses.map((a) => ({
      ...base,
      host: host.host,
      preference: host.preference,
      ip: a.ip,
      family: a.family,
      dns: resolution.route === 'ip' ? null : dnsStage(true, `${via} → ${all}`),
    }));
  });
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The SMTP session of one path: TCP → banner → EHLO → STARTTLS → TLS → certificate →
 * EHLO → QUIT, each stage timed. Never throws for a network outcome; every socket it
 * opens is destroyed before it returns.
 */
async function runSession(settings: Settings, base: Omit<ProbeContext, 'transcript'>, path: PlannedPath, catalog: Catalog = en): Promise<PathResult> {
  const started = performance.now();
  const ctx: ProbeContext = { ...base, transcript: [] };
  const stages: StageResult[] = path.dns ? [path.dns] : [];
  const warnings: Warning[] = [];
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
    stages,
    transcript: ctx.transcript,
    warnings,
  };
  const warn = (kind: Warning['kind'], message: string): void => {
    warnings.push({ kind, message, host: path.host, ip: path.ip });
  };

  /** Times one stage; records it as passed, or as failed and rethrows. */
  const stage = async <T>(name: StageName, fn: () => Promise<T> | T, detail: (value: T) => string): Promise<T> => {
    const t0 = performance.now();
    try {
      const value = await fn();
      stages.push({ name, ok: true, ms: ms(t0), detail: detail(value) });
      return value;
    } catch (err) {
      const failure =
        err instanceof StageFailure ? err : new StageFailure(name, 'internal', (err as Error)?.message ?? String(err), {}, { cause: err });
      stages.push({ name, ok: false, ms: ms(t0), detail: failure.message, failure: failure.toJSON() });
      throw failure;
    }
  };

  let socket: net.Socket | undefined;
  let secure: tls.TLSSocket | undefined;
  try {
    if (path.dnsFailure) throw path.dnsFailure;
    const ip = path.ip as string;
    socket = await stage('tcp', () => connectTcp(ctx, ip), () => `connected to ${ip.includes(':') ? `[${ip}]` : ip}:${settings.port}`);
    const reader = new ReplyReader(socket, ctx.transcript);
    await stage('banner', () => readGreeting(ctx, reader), formatReply);
    const caps = await stage('ehlo', () => sayEhlo(ctx, reader, 'ehlo'), describeCapabilities);
    result.capabilities = caps;
    let tlsReader: ReplyReader | null = null;
    if (!caps.starttls) {
      if (settings.tlsMode !== 'opportunistic') {
        await stage('starttls', () => {
          throw new StageFailure('starttls', 'starttls-not-offered', `the connector requires TLS (${settings.tlsMode}) but the server does not offer STARTTLS`);
        }, () => '');
      }
      warn('no-tls', 'the server does not offer STARTTLS: Exchange Online would deliver without encryption (opportunistic TLS)');
    } else {
      try {
        await stage('starttls', () => sayStartTls(ctx, reader), formatReply);
        // RFC 3207 §4.2: anything the server sent after its 220 must be discarded; a
        // remainder means plaintext was injected before TLS (CVE-2011-0411 style).
        const leftover = reader.detach();
        if (leftover.length) {
          warn('starttls-injection', `the server sent ${leftover.length} bytes after its 220 to STARTTLS, before TLS began; they were discarded (RFC 3207 §4.2)`);
        }
        const upgraded = await stage(
          'tls',
          // a TLS 1.2+ handshake the server refuses: find out which older versions it speaks
          () => upgradeTls(ctx, socket as net.Socket, path.host).catch((err) => explainTlsFailure(ctx, ip, path.host, err)),
          (u) => `${u.info.protocol} ${u.info.cipher}`,
        );
        secure = upgraded.socket;
        result.tls = upgraded.info;
        recordPeer(result, upgraded.socket);
        ctx.transcript.push(`* TLS established: ${upgraded.info.protocol} ${upgraded.info.cipher}`);
        const check = await stage(
          'certificate',
          () => inspectCertificate(ctx, upgraded.socket, { staple: upgraded.staple, onCheck: (c) => (result.certificate = c) }),
          (c) => {
            const leaf = c.chain[0];
            const judged = validatesCertificate(settings.tlsMode) ? (c.requiredName ? `trusted, matches ${c.requiredName}` : 'trusted') : `not validated (${settings.tlsMode})`;
            const revocation = c.revocation?.status === 'good' ? `; not revoked (${c.revocation.source})` : '';
            return leaf ? `${leaf.subject}; ${judged}; expires ${leaf.validTo.slice(0, 10)} (${leaf.daysLeft} days)${revocation}` : 'no certificate';
          },
        );
        result.certificate = check;
        for (const finding of check.findings) warn(finding.kind, finding.message);
        if (validatesCertificate(settings.tlsMode)) {
          for (const cert of check.chain.filter((c) => !c.anchor && c.daysLeft < settings.warnDays)) {
            warn(
              'certificate-expiring',
              `the certificate ${cert.subject} expires on ${cert.validTo.slice(0, 10)} (${cert.daysLeft} days left): renew it before then, or Exchange Online will report 450 4.7.320`,
            );
          }
        }
        tlsReader = new ReplyReader(upgraded.socket, ctx.transcript);
        result.capabilitiesAfterTls = await stage('ehlo-tls', () => sayEhlo(ctx, tlsReader as ReplyReader, 'ehlo-tls'), describeCapabilities);
      } catch (err) {
        // Opportunistic TLS: a failed upgrade is not a failed delivery. Exchange Online
        // retries without TLS, and the plain dialogue up to EHLO has already passed.
        if (settings.tlsMode !== 'opportunistic' || !(err instanceof StageFailure) || err.kind === 'cancelled' || err.stage === 'ehlo-tls') throw err;
        warn('tls-fallback', `the TLS upgrade failed (${err.message}): Exchange Online would fall back to delivering without encryption`);
        return finish();
      }
    }
    const quitReader = tlsReader ?? reader;
    await stage('quit', () => sayQuit(ctx, quitReader), (reply) => (reply ? formatReply(reply) : 'no reply (the server closed the connection)'));
    return finish();
  } catch (err) {
    const failure = err instanceof StageFailure ? err : new StageFailure('tcp', 'internal', String(err), {}, { cause: err });
    result.failure = failure.toJSON();
    result.code = classify(failure);
    result.verdict = 'failing';
    if (result.code) {
      result.status = result.code === 'other' ? null : diagnose(result.code, result.failure, catalog).status;
      result.message = exchangeMessage(result.code, result.failure, path.host, path.ip, settings.port);
    }
    return finish();
  } finally {
    secure?.destroy();
    socket?.destroy();
  }

  function finish(): PathResult {
    if (result.verdict === 'healthy' && warnings.length) result.verdict = 'degraded';
    const findings = detectFindings(ctx.transcript);
    if (findings.length) result.findings = findings;
    result.durationMs = ms(started);
    return result;
  }
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
  const started = performance.now();
  const cancel = options.signal ?? never;
  const overall = new AbortController();
  // Every open stage window listens on this signal: one per path in flight, and per
  // target its resolution and (with policies) a few DANE/MTA-STS/TLS-RPT lookups. Raise
  // Node's leak warning (10) to that designed bound, so a real leak still warns and a
  // batch of paths does not.
  setMaxListeners(settings.concurrency + settings.targets.length * 8 + 10, overall.signal);
  // As a stage window does (probes/deadline.ts): I/O already read-ready when the deadline
  // fires is processed first.
  let deadlineImmediate: NodeJS.Immediate | undefined;
  const deadlineTimer = setTimeout(() => {
    deadlineImmediate = setImmediate(() => overall.abort(new DOMException('deadline', 'TimeoutError')));
  }, settings.deadlineMs);
  const onCancel = (): void => overall.abort(cancel.reason);
  if (cancel.aborted) overall.abort(cancel.reason);
  // Not on the shared never-aborting signal: a listener per concurrent probe() there
  // would pile up (and warn of a leak) for a signal that can never fire.
  else if (cancel !== never) cancel.addEventListener('abort', onCancel, { once: true });
  const base: Omit<ProbeContext, 'transcript'> = {
    signal: overall.signal,
    cancel,
    deadline: started + settings.deadlineMs,
    stageTimeoutMs: settings.timeoutMs,
    resolvers: settings.resolvers,
    port: settings.port,
    ehloName: settings.ehloName,
    tls: { mode: settings.tlsMode, domain: settings.tlsDomain, ca: settings.ca, revocation: settings.revocation },
    ...(options.revocationCache ? { revocationCache: options.revocationCache } : {}),
  };
  try {
    const resolutions = await Promise.all(
      settings.targets.map((target) => resolveTarget({ ...base, transcript: [] }, target, { mx: settings.mx })),
    );
    const planned = resolutions.flatMap(plan);
    // One refused address refuses the whole probe, before any connection is made.
    const refused = options.addressFilter && planned.map((p) => (p.ip ? options.addressFilter?.(p.ip) : null)).find(Boolean);
    if (refused) for (const p of planned) p.dnsFailure ??= new StageFailure('tcp', 'internal', `refused to probe: ${refused}`);
    // The policies (DANE, MTA-STS, TLS-RPT) are looked up while the sessions run, and
    // judged against what each MX path presented once they are done.
    const policyLookups = options.policies && !refused
      ? checkPolicies({ ...base, transcript: [] }, resolutions, mtaStsPort !== undefined ? { mtaStsPort } : {})
      : null;
    // Settled later; a programmer error in it must not surface as an unhandled rejection first.
    policyLookups?.catch(() => undefined);
    const paths = await mapLimit(planned, settings.concurrency, (p) => runSession(settings, base, p, catalog));
    const summary = summarize(settings, resolutions, paths, startedAt, ms(started), cancel.aborted, catalog);
    if (policyLookups) {
      applyPolicies(summary, (await policyLookups).map((judge) => judge(paths)));
      summary.durationMs = ms(started);
    }
    return summary;
  } finally {
    clearTimeout(deadlineTimer);
    if (deadlineImmediate) clearImmediate(deadlineImmediate);
    cancel.removeEventListener('abort', onCancel);
  }
}

function summarize(
  settings: Settings,
  resolutions: Resolution[],
  paths: PathResult[],
  startedAt: Date,
  durationMs: number,
  cancelled: boolean,
  catalog: Catalog = en,
): ProbeResult {
  const routes = [...new Set(resolutions.map((r) => r.route))];
  const failed = paths.filter((p) => p.verdict === 'failing' && p.code);
  const passed = paths.filter((p) => p.verdict !== 'failing');
  const warnings = paths.flatMap((p) => p.warnings);
  let verdict: Verdict = 'healthy';
  if (!passed.length) verdict = 'failing';
  else if (failed.length || warnings.length || passed.some((p) => p.verdict === 'degraded')) verdict = 'degraded';
  for (const p of failed.filter(() => passed.length)) {
    warnings.push({ kind: 'path-failed', message: `${p.host} at ${p.ip ?? '(no address)'} fails: ${p.status ?? p.code}`, host: p.host, ip: p.ip });
  }
  // The headline is the first failing path in Exchange Online's order: paths are already
  // in target order, then MX preference, then address order.
  const headline = failed[0];
  return {
    schema: RESULT_SCHEMA,
    targets: settings.targets,
    route: routes.length === 1 ? (routes[0] ?? null) : routes.length ? 'mixed' : null,
    tlsMode: settings.tlsMode,
    tlsDomain: settings.tlsDomain,
    port: settings.port,
    verdict,
    cancelled,
    code: headline?.code ?? null,
    status: headline?.status ?? null,
    message: headline?.message ?? null,
    startedAt: startedAt.toISOString(),
    durationMs,
    paths,
    diagnosis:
      headline?.code && headline.failure
        ? {
            ...diagnose(headline.code, headline.failure, catalog),
            // A finding names the cause more exactly than the code's generic first fix.
            ...(headline.findings?.[0] ? { findings: headline.findings, firstFix: headline.findings[0].firstFix } : {}),
          }
        : null,
    warnings,
  };
}
