/**
 * The one place a ProbeContext is made: from resolved settings and a cancel signal, the
 * probe-wide signal (aborts on the overall deadline or the user's cancel), the deadline
 * alarm, and `dispose()` that clears both. The probe (src/engine.ts), explain's policy
 * lookups and verify's envelope tests all open their contexts here.
 *
 * Caches are not per context: each has one owner module and a stated bound (see
 * probes/caches.ts), because a context per probe must cost no allocation on the hot path.
 * The revocation cache (CRLs by URL) is the one a caller may choose: every context gets
 * the process-wide one unless the settings name another (a test, or a library caller that
 * wants its probes isolated).
 */
import { abortOwned, clearAlarm, ownSignal, setAlarm, stopWaiting, waitForAbort, type AbortWaiter, type Alarm } from './deadline.js';
import { defaultRevocationCache, type RevocationCache } from './revocation-cache.js';
import type { ProbeContext, ResolverAddress, TlsPolicy } from './stage.js';

/** What a context is made from: the probe's resolved settings. */
export interface ContextSettings {
  /** The whole probe's budget, in ms. */
  deadlineMs: number;
  /** The most any one stage may wait, in ms. */
  stageTimeoutMs: number;
  resolvers: ResolverAddress[];
  port: number;
  /** null: the address literal of each connection's local address (ProbeContext.ehloName). */
  ehloName: string | null;
  /** The local address to connect from; null or absent: the system's choice. */
  sourceAddress?: string | null;
  tls: TlsPolicy;
  /** The CRL cache the probe shares (default: the process-wide one). */
  revocationCache?: RevocationCache;
}

/** An open probe context: `context()` gives a stage's context (with a transcript), `dispose()` ends it. */
export interface ProbeScope {
  /** The settings shared by every path of the probe; its transcript keys are empty placeholders. */
  readonly base: Omit<ProbeContext, 'transcript'>;
  /** When the context opened (performance.now() clock). */
  readonly started: number;
  /** A context for one path or lookup, with its own transcript. */
  context(transcript?: string[]): ProbeContext;
  /** Clears the deadline alarm and the wait on the cancel signal; idempotent. */
  dispose(): void;
}

const never = new AbortController().signal;

/**
 * Opens the context of one probe: its deadline starts now.
 *
 * @example
 * ```ts
 * const scope = openContext({ deadlineMs: 60_000, stageTimeoutMs: 10_000, resolvers: [], port: 25, ehloName: 'probe.contoso.com', tls }, signal);
 * try { await runSession(scope.context(), { ip, servername, steps: PROBE_STEPS }); } finally { scope.dispose(); }
 * ```
 */
export function openContext(settings: ContextSettings, cancel: AbortSignal = never): ProbeScope {
  const started = performance.now();
  const overall = new AbortController();
  // Only this scope aborts `overall`: its stage windows are told directly, with no
  // listener on its signal (probes/deadline.ts).
  ownSignal(overall.signal);
  // On the stage windows' clock (probes/deadline.ts), so it too waits one poll phase: I/O
  // already read-ready when the deadline passes is processed first.
  const deadline: Alarm = {
    at: started + settings.deadlineMs,
    ring: () => abortOwned(overall, new DOMException('deadline', 'TimeoutError')),
    lane: null,
    prev: null,
    next: null,
  };
  setAlarm(deadline, settings.deadlineMs);
  const onCancel: AbortWaiter = { aborted: (reason) => abortOwned(overall, reason), waiting: null, before: null, after: null };
  // Not on the shared never-aborting signal: nothing there can ever fire. Every probe of a
  // fleet shares the fleet's cancel signal: one listener on it tells them all.
  if (cancel !== never) waitForAbort(cancel, onCancel);
  // Every key a path's context has, the transcript's two as placeholders: a path's context is
  // `{ ...base }` with those two set. On Node 20 (V8 11) a literal with keys after a spread,
  // or a key added to such a copy, builds a new hidden class on every call (~4 µs here); a
  // plain copy whose keys are then only assigned takes V8's fast clone (~0.2 µs).
  const base: ProbeContext = {
    signal: overall.signal,
    cancel,
    deadline: deadline.at,
    stageTimeoutMs: settings.stageTimeoutMs,
    resolvers: settings.resolvers,
    port: settings.port,
    ehloName: settings.ehloName,
    sourceAddress: settings.sourceAddress ?? null,
    tls: settings.tls,
    revocationCache: settings.revocationCache ?? defaultRevocationCache(),
    transcript: [],
    transcriptRefs: {},
  };
  return {
    base,
    started,
    context: (transcript = []) => {
      const ctx = { ...base };
      ctx.transcript = transcript;
      ctx.transcriptRefs = {};
      return ctx;
    },
    dispose: () => {
      clearAlarm(deadline);
      stopWaiting(cancel, onCancel);
    },
  };
}
