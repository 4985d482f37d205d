/**
 * The one judgement: what a session's wire facts mean for a connector. `judgePath` turns
 * settings + one path's facts into its verdict, code, warnings and findings; `judgeProbe`
 * turns the paths into the probe's verdict and headline. Every door — `probe`, fleet,
 * `check`, `serve`, `verify`, `explain` — reads its verdict from here. Pure: no I/O, no
 * clock.
 *
 * Under `opportunistic` and `encryption-only` Exchange Online does not validate the
 * certificate, so an expiring (or expired) one does not stop mail: it is no warning and
 * does not change the verdict, in any door. verify's checklist still shows the date, as a
 * note of its certificate-expiry item.
 */
import { isIP } from 'node:net';
import { nameMatchesTlsDomain, validatesCertificate, type CertificateFinding, type CertificateSummary } from '../../probes/certificate.js';
import type { Resolution } from '../../probes/dns.js';
import { say, type ProbeTextRef, type Said } from '../../probes/messages.js';
import type { SessionEvent, SessionFacts } from '../../probes/session.js';
import type { TlsMode } from '../../probes/stage.js';
import { en, type Catalog } from '../catalog/en.js';
import { classify } from './classify.js';
import { diagnose, diagnosePolicy, exchangeMessage } from './diagnose.js';
import { policyMessage, statusLine } from './exchange-text.js';
import { detectFindings, type Finding } from './findings.js';
import { M365_RANGES, inRanges } from './m365-ranges.js';
import type { Diagnosis, ExchangeCode, PathResult, PolicyRefusal, ProbeResult, Verdict, Warning } from './result.js';
import { RESULT_SCHEMA } from './result.js';

/** What the judgement of one path depends on. */
export interface PathSettings {
  tlsMode: TlsMode;
  /** Warn when a certificate the connector validates expires within this many days. */
  warnDays: number;
  port: number;
  /** The smart host accepts only Microsoft 365's addresses (`--restricted-to-m365`). */
  restrictedToMicrosoft365?: boolean;
  /** The ranges Exchange Online delivers from (default: src/m365-ranges.ts). */
  m365Ranges?: readonly string[];
  /** The bound source address, for a path that never connected (so never learnt its own). */
  sourceAddress?: string | null;
}

/** Where the path went: the host and address its warnings and message name. */
export interface PathPlace {
  host: string;
  ip: string | null;
}

export interface PathJudgement {
  verdict: Verdict;
  code: ExchangeCode | null;
  status: string | null;
  message: string | null;
  warnings: Warning[];
  findings: Finding[];
  notes: string[];
  /** Each note by id and arguments, keyed by its English text. */
  noteRefs: Record<string, ProbeTextRef>;
  /** Refused from outside Microsoft 365's ranges (PathResult.outsideMicrosoft365). */
  outsideMicrosoft365: boolean;
  unverifiable: boolean;
}

/**
 * A refusal that a smart host allowing only Microsoft 365's ranges gives everyone else:
 * no answer (4.4.315), a reset (4.4.316), or a permanent refusal in the greeting.
 */
function refusesStrangers(code: ExchangeCode, failure: { stage: string; kind: string; reply?: { code: number } }): boolean {
  return code === '4.4.315' || code === '4.4.316' || (failure.stage === 'banner' && failure.kind === 'reply' && (failure.reply?.code ?? 0) >= 500);
}

/**
 * One path's verdict from its facts. A failure is `failing` with its code (a cancellation
 * has none); a passed path with a warning is `degraded`.
 *
 * @example
 * ```ts
 * const j = judgePath({ tlsMode: 'encryption-only', warnDays: 30, port: 25 }, { host, ip }, facts);
 * ```
 */
export function judgePath(settings: PathSettings, place: PathPlace, facts: SessionFacts, catalog: Catalog = en): PathJudgement {
  const warnings: Warning[] = [];
  const warn = (kind: Warning['kind'], message: string | Said): void => {
    warnings.push(typeof message === 'string' ? { kind, message, host: place.host, ip: place.ip } : { kind, message: message.text, id: message.id, args: message.args, host: place.host, ip: place.ip });
  };
  const events = facts.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as SessionEvent;
    if (e.kind === 'starttls-injection') {
      warn('starttls-injection', say('judge.starttls-injection', { bytes: e.bytes }));
    }
  }
  const check = facts.certificate;
  const certificatePassed = Boolean(check && facts.stages.some((s) => s.name === 'certificate' && s.ok));
  if (check && certificatePassed) {
    for (let i = 0; i < check.findings.length; i++) {
      const finding = check.findings[i] as CertificateFinding;
      warn(finding.kind, finding.id ? { text: finding.message, id: finding.id, args: finding.args ?? {} } : finding.message);
    }
    if (validatesCertificate(settings.tlsMode)) {
      for (let i = 0; i < check.chain.length; i++) {
        const cert = check.chain[i] as CertificateSummary;
        if (!cert.anchor && cert.daysLeft < settings.warnDays) warn('certificate-expiring', say('judge.certificate-expiring', { subject: cert.subject, date: cert.validTo.slice(0, 10), days: cert.daysLeft }));
      }
    }
  }
  const notes: string[] = [];
  const noteRefs: Record<string, ProbeTextRef> = {};
  const note = (said: Said): void => {
    notes.push(said.text);
    noteRefs[said.text] = { id: said.id, args: said.args };
  };
  // Said only when a note names the place: most paths have none.
  const placeText = (): Said | string => (place.ip ? say('judge.host-at', { host: place.host, ip: place.ip }) : place.host);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as SessionEvent;
    // Opportunistic TLS (TlsSettings $null) delivers in the clear when STARTTLS is not
    // offered: that is the connector as configured, so a note, not a warning. The
    // scheduled checks alert once when a target that used TLS stops offering it.
    if (e.kind === 'no-tls') note(say('judge.no-tls', { place: placeText() }));
    if (e.kind === 'tls-fallback') {
      warn('tls-fallback', say('judge.tls-fallback', { reason: e.failure.said ?? e.failure.message }));
    }
  }
  // Set-OutboundConnector: CertificateValidation validates the chain and checks revocation
  // lists; only DomainValidation adds the name, against TlsDomain. So a certificate that
  // does not name the host passes, as Exchange Online would pass it: a note, not a failure.
  const leaf = check?.chain[0];
  if (settings.tlsMode === 'certificate-validation' && certificatePassed && leaf && !isIP(place.host) && !leaf.names.some((n) => nameMatchesTlsDomain(place.host, n))) {
    note(say('judge.name-not-checked', { names: leaf.names.length ? leaf.names.join(', ') : say('cert.no-names'), host: place.host }));
  }
  const findings = detectFindings(facts.transcript);
  if (!facts.failure) {
    return { verdict: warnings.length ? 'degraded' : 'healthy', code: null, status: null, message: null, warnings, findings, notes, noteRefs, outsideMicrosoft365: false, unverifiable: false };
  }
  const failure = facts.failure.toJSON();
  const code = classify(failure);
  const source = facts.sourceAddress ?? settings.sourceAddress ?? null;
  // On loopback, a desk or a monitoring host the source is never in Microsoft 365's
  // ranges; an unknown source (no connection made, nothing bound) counts as outside too.
  const outside = code !== null && refusesStrangers(code, failure) && !(source && inRanges(source, settings.m365Ranges ?? M365_RANGES));
  if (outside && settings.restrictedToMicrosoft365) {
    note(say('judge.unverifiable', { place: placeText(), source: source ?? say('judge.this-machine'), reason: facts.failure.said ?? failure.message }));
    return { verdict: 'healthy', code: null, status: null, message: null, warnings, findings, notes, noteRefs, outsideMicrosoft365: true, unverifiable: true };
  }
  return {
    verdict: 'failing',
    code,
    status: code && code !== 'other' ? diagnose(code, failure, catalog).status : null,
    message: code ? exchangeMessage(code, failure, place.host, place.ip, settings.port) : null,
    warnings,
    findings,
    notes,
    noteRefs,
    outsideMicrosoft365: outside,
    unverifiable: false,
  };
}

/**
 * A path whose session passed but that the recipient domain's DANE or MTA-STS policy
 * refuses is a failed path with the policy's code: Exchange Online honours both when it
 * delivers by MX, queues the message and bounces it (5.7.32x). Its "would deliver without
 * encryption" warnings go: under the policy it would not deliver at all. A path that
 * already failed keeps its own code (Exchange stops there first).
 */
export function refuseByPolicy(path: PathResult, refusal: PolicyRefusal): void {
  if (path.verdict === 'failing') return;
  path.verdict = 'failing';
  path.code = refusal.code;
  path.status = refusal.code === 'other' ? null : statusLine(refusal.code);
  path.message = policyMessage(refusal.code, refusal.problem, path.host, path.ip, path.port);
  path.policyRefusal = refusal;
  path.warnings = path.warnings.filter((w) => w.kind !== 'no-tls' && w.kind !== 'tls-fallback');
  // The policy requires TLS: "mail goes unencrypted" would contradict the refusal.
  if (path.notes) path.notes = path.notes.filter((n) => !n.includes('does not offer STARTTLS'));
}

/** What the probe's summary names besides its paths. */
export interface ProbeSettings {
  targets: string[];
  tlsMode: TlsMode;
  tlsDomain: string | null;
  port: number;
  /** The ranges Exchange Online delivers from, listed in a refused-from-outside diagnosis. */
  m365Ranges?: readonly string[];
}

/** What a diagnosis says when the headline path was refused from outside Microsoft 365's ranges. */
export function vantageMessage(source: string | null, ranges: readonly string[]): string {
  return vantageSaid(source, ranges).text;
}

function vantageSaid(source: string | null, ranges: readonly string[]): Said {
  return say('judge.vantage', { source: source ?? say('judge.this-machine'), ranges: ranges.join(', ') });
}

/**
 * The probe's verdict from its paths: healthy when every path passed without warning,
 * degraded when mail would flow but a path failed or a warning holds, failing when no
 * path passed. The headline is the first failing path in Exchange Online's order.
 */
export function judgeProbe(
  settings: ProbeSettings,
  resolutions: readonly Pick<Resolution, 'route'>[],
  paths: PathResult[],
  startedAt: Date,
  durationMs: number,
  cancelled: boolean,
  catalog: Catalog = en,
): ProbeResult {
  // Indexed loops rather than chains of filter/flatMap/Set/spread or `for…of`: this runs once
  // a probe, a fleet's thousands of times, mostly in code V8 has not optimised yet, where
  // each chain built arrays searched once (~10 µs a probe) and each `for…of` an iterator.
  let route: ProbeResult['route'] = null;
  for (let i = 0; i < resolutions.length; i++) {
    const r = resolutions[i] as Resolution;
    route = route === null || route === r.route ? r.route : 'mixed';
  }
  const failed: PathResult[] = [];
  let passed = 0;
  let degraded = false;
  const warnings: Warning[] = [];
  let noted = false;
  let mayDiffer = false;
  let unverifiable = false;
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i] as PathResult;
    if (p.notes || p.noteRefs) noted = true;
    if (p.outsideMicrosoft365 && !p.unverifiable) mayDiffer = true;
    if (p.unverifiable) unverifiable = true;
    if (p.verdict === 'failing') {
      if (p.code) failed.push(p);
    } else {
      passed++;
      if (p.verdict === 'degraded') degraded = true;
    }
    for (let j = 0; j < p.warnings.length; j++) warnings.push(p.warnings[j] as Warning);
  }
  let verdict: Verdict = 'healthy';
  if (!passed) verdict = 'failing';
  else if (failed.length || warnings.length || degraded) verdict = 'degraded';
  if (passed) {
    for (const p of failed) {
      const where = { host: p.host, ip: p.ip ?? say('judge.no-address'), status: p.status ?? (p.code === 'other' ? say('judge.other') : (p.code ?? '')) };
      const said = p.policyRefusal
        ? say('judge.path-failed-policy', { ...where, domain: p.policyRefusal.domain, policy: p.policyRefusal.policy, problem: p.policyRefusal.problemRef ?? p.policyRefusal.problem })
        : say('judge.path-failed', where);
      warnings.push({ kind: 'path-failed', message: said.text, id: said.id, args: said.args, host: p.host, ip: p.ip });
    }
  }
  // The headline is the first failing path in Exchange Online's order: paths are already
  // in target order, then MX preference, then address order.
  const headline = failed[0];
  const result: ProbeResult = {
    schema: RESULT_SCHEMA,
    targets: settings.targets,
    route,
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
    diagnosis: headline?.policyRefusal
      ? diagnosePolicy(headline.policyRefusal, catalog)
      : headline?.code && headline.failure
        ? // Object.assign, as a spread would (same keys, same order), without Node 20's slow
          // path for keys after a spread (~1.5 µs each).
          Object.assign(
            {},
            diagnose(headline.code as ExchangeCode, headline.failure, catalog),
            // A finding names the cause more exactly than the code's generic first fix.
            headline.findings?.[0] ? { findings: headline.findings, firstFix: headline.findings[0].firstFix } : undefined,
            headline.outsideMicrosoft365 ? { vantage: vantageOf(headline.sourceAddress ?? null, [...(settings.m365Ranges ?? M365_RANGES)]) } : undefined,
          )
        : null,
    warnings,
  };
  // The paths' notes once each, and their references; then the flags. Keys in this order.
  if (noted) {
    const notes = [...new Set(paths.flatMap((p) => p.notes ?? []))];
    const noteRefs: Record<string, ProbeTextRef> = Object.assign({}, ...paths.map((p) => p.noteRefs ?? {}));
    if (notes.length) {
      result.notes = notes;
      if (Object.keys(noteRefs).length) result.noteRefs = noteRefs;
    }
  }
  if (mayDiffer) result.mayDiffer = true;
  if (unverifiable) result.unverifiable = true;
  return result;
}

/** A diagnosis's vantage: the message and what it was said from. */
function vantageOf(source: string | null, ranges: string[]): NonNullable<Diagnosis['vantage']> {
  const said = vantageSaid(source, ranges);
  return { sourceAddress: source, ranges, message: said.text, id: said.id, args: said.args };
}
