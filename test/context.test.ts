/**
 * The one place a ProbeContext is made (probes/context.ts), with real timers: what a
 * context carries, the probe-wide signal (the overall deadline, the user's cancel), and
 * what `dispose` leaves behind. Written for mutation testing (issue 20): the stages' tests
 * use contexts without looking at them.
 */
import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openContext, type ContextSettings } from '../probes/context.js';
import { openWindow } from '../probes/deadline.js';
import { defaultRevocationCache, RevocationCache } from '../probes/revocation-cache.js';

const SETTINGS: ContextSettings = {
  deadlineMs: 60_000,
  stageTimeoutMs: 5_000,
  resolvers: [{ host: '127.0.0.1', port: 5353 }],
  port: 2525,
  ehloName: 'probe.contoso.test',
  tls: { mode: 'domain-validation', domain: 'mail.contoso.test', ca: [], revocation: 'soft' },
};

function open(settings: Partial<ContextSettings> = {}, cancel?: AbortSignal) {
  const scope = openContext({ ...SETTINGS, ...settings }, cancel);
  onTestFinished(() => scope.dispose());
  return scope;
}

describe('openContext: what a context carries', () => {
  it('the settings, the deadline from now, no source address and the process-wide CRL cache by default', () => {
    const t0 = performance.now();
    const scope = open();
    const t1 = performance.now();
    expect(scope.started).toBeGreaterThanOrEqual(t0);
    expect(scope.started).toBeLessThanOrEqual(t1);
    const { signal, cancel, ...rest } = scope.base;
    expect(rest).toEqual({
      deadline: scope.started + 60_000,
      stageTimeoutMs: 5_000,
      resolvers: [{ host: '127.0.0.1', port: 5353 }],
      port: 2525,
      ehloName: 'probe.contoso.test',
      sourceAddress: null,
      tls: SETTINGS.tls,
      revocationCache: defaultRevocationCache(),
      // Placeholders: each path's context() has its own.
      transcript: [],
      transcriptRefs: {},
    });
    expect(rest.revocationCache).toBe(defaultRevocationCache());
    expect([signal.aborted, cancel.aborted]).toEqual([false, false]);
  });

  it('a source address and a CRL cache of its own when the settings name them', () => {
    const cache = new RevocationCache();
    const scope = open({ sourceAddress: '127.0.0.2', revocationCache: cache });
    expect(scope.base.sourceAddress).toBe('127.0.0.2');
    expect(scope.base.revocationCache).toBe(cache);
  });

  it('context() adds a transcript and its notes\' ids: fresh empty ones each time, or the transcript given', () => {
    const scope = open();
    const a = scope.context();
    const b = scope.context();
    const mine = ['> EHLO'];
    expect(a).toEqual({ ...scope.base, transcript: [], transcriptRefs: {} });
    expect(a.transcript).not.toBe(b.transcript);
    expect(a.transcriptRefs).not.toBe(b.transcriptRefs);
    expect(scope.context(mine).transcript).toBe(mine);
  });

  it('without a cancel signal, nothing listens on the shared never-aborting one', () => {
    const a = open();
    open();
    expect(getEventListeners(a.base.cancel, 'abort')).toEqual([]);
  });
});

describe('openContext: the probe-wide signal', () => {
  it('aborts at the overall deadline, as a TimeoutError named "deadline", not before', async () => {
    const scope = open({ deadlineMs: 80 });
    await sleep(30);
    expect(scope.base.signal.aborted).toBe(false);
    await sleep(150);
    const reason = scope.base.signal.reason as DOMException;
    expect([scope.base.signal.aborted, reason.name, reason.message]).toEqual([true, 'TimeoutError', 'deadline']);
  });

  it('aborts when the user cancels, with the cancel’s reason', async () => {
    const cancel = new AbortController();
    const scope = open({}, cancel.signal);
    expect(getEventListeners(cancel.signal, 'abort').length).toBe(1);
    expect(scope.base.cancel).toBe(cancel.signal);
    cancel.abort('ctrl-c');
    expect([scope.base.signal.aborted, scope.base.signal.reason]).toEqual([true, 'ctrl-c']);
  });

  it('a cancel already aborted aborts the context at once, and adds no listener', () => {
    const cancel = new AbortController();
    cancel.abort('before');
    const scope = open({}, cancel.signal);
    expect([scope.base.signal.aborted, scope.base.signal.reason, getEventListeners(cancel.signal, 'abort').length]).toEqual([true, 'before', 0]);
  });

  it('probes sharing one cancel signal (a fleet) add one listener to it, not one each; all abort; the last dispose removes it', () => {
    const cancel = new AbortController();
    const scopes = Array.from({ length: 50 }, () => openContext(SETTINGS, cancel.signal));
    expect(getEventListeners(cancel.signal, 'abort').length).toBe(1);
    for (const s of scopes.slice(0, 49)) s.dispose();
    expect(getEventListeners(cancel.signal, 'abort').length).toBe(1);
    const last = scopes[49]!;
    const live = open({}, cancel.signal);
    last.dispose();
    cancel.abort('ctrl-c');
    expect([scopes[0]!.base.signal.aborted, last.base.signal.aborted, live.base.signal.aborted, live.base.signal.reason]).toEqual([false, false, true, 'ctrl-c']);
    const other = new AbortController();
    open({}, other.signal).dispose();
    expect(getEventListeners(other.signal, 'abort')).toEqual([]);
  });

  it('stage windows on a context add no listener to the probe-wide signal, and still close when it aborts', () => {
    const cancel = new AbortController();
    const scope = open({}, cancel.signal);
    const a = openWindow(scope.context());
    const b = openWindow(scope.context());
    b.dispose();
    expect(getEventListeners(scope.base.signal, 'abort')).toEqual([]);
    cancel.abort('ctrl-c');
    expect([a.closed, a.signal.reason, b.closed]).toEqual([true, 'ctrl-c', false]);
  });

  it('dispose clears the deadline and the cancel listener: neither aborts the signal afterwards', async () => {
    const cancel = new AbortController();
    const scope = openContext({ ...SETTINGS, deadlineMs: 30 }, cancel.signal);
    scope.dispose();
    expect(getEventListeners(cancel.signal, 'abort')).toEqual([]);
    cancel.abort('late');
    await sleep(80);
    expect(scope.base.signal.aborted).toBe(false);
  });

  it('dispose between the deadline’s timer and its immediate clears the immediate', async () => {
    const scope = openContext({ ...SETTINGS, deadlineMs: 20 });
    // As in test/deadline.test.ts: hold the loop until the deadline's timer is due, set the
    // dispose timer and hold until it is due too; the next timers phase runs both, the
    // deadline's first, before the immediate it leaves the abort to.
    const hold = (ms: number): void => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    hold(25);
    setTimeout(() => scope.dispose(), 1);
    hold(5);
    await sleep(60);
    expect(scope.base.signal.aborted).toBe(false);
  });
});
