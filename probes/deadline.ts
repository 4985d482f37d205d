import { say, type Said } from './messages.js';
import { StageFailure, type FailureKind, type ProbeContext, type StageName } from './stage.js';

/**
 * The time one stage may take: `min(stageTimeout, deadline - now)`. The window closes when
 * that time is up or when the probe as a whole is aborted (overall deadline or the user's
 * cancel). `dispose()` clears its alarm and its wait on the probe — every stage calls it
 * in `finally`, so no alarm outlives its stage.
 *
 * `onClose` is what the stages use; `signal` (an AbortSignal, for APIs that take one:
 * DNS and HTTP requests) is made only when asked for. A probe opens eight or so windows
 * per path, and an AbortController with its EventTarget listeners cost ~15 µs of CPU
 * each time: a measurable share of a probe in a fleet of thousands.
 */
export interface StageWindow {
  /** Aborts when the window closes; created on first use. */
  readonly signal: AbortSignal;
  /** Whether the window has closed. */
  readonly closed: boolean;
  /** The time this stage was given, in ms. */
  readonly timeoutMs: number;
  /** Calls `fn` once when the window closes (at once if it has); returns what removes it. */
  onClose(fn: () => void): () => void;
  dispose(): void;
}

/** What waits on a signal through {@link waitForAbort}: a stage window, a probe's scope. */
export interface AbortWaiter {
  aborted(reason: unknown): void;
}

/**
 * The waiters of one signal, told by one listener on it (or, for a signal whose owner
 * aborts it through {@link abortOwned}, by the owner, with no listener at all). Node's
 * EventTarget walks its whole listener list on every add and remove: 200 probes in flight
 * in a fleet, each adding its own listener to the fleet's cancel signal, cost ~100 µs of
 * CPU a probe on Node 20. Entries go with their signal (WeakMap); a waiter leaves with
 * `stopWaiting`, so the set holds only what is open.
 */
interface Waiters {
  readonly set: Set<AbortWaiter>;
  listener: (() => void) | null;
}
const waitersOf = new WeakMap<AbortSignal, Waiters>();

/** Tells `waiter` when `signal` aborts (at once if it has); {@link stopWaiting} undoes it. */
export function waitForAbort(signal: AbortSignal, waiter: AbortWaiter): void {
  if (signal.aborted) return waiter.aborted(signal.reason);
  let waiters = waitersOf.get(signal);
  if (!waiters) {
    const entry: Waiters = { set: new Set(), listener: null };
    entry.listener = () => notify(signal, entry);
    signal.addEventListener('abort', entry.listener, { once: true });
    waitersOf.set(signal, entry);
    waiters = entry;
  }
  waiters.set.add(waiter);
}

/** Removes `waiter`; the signal's one listener goes with its last waiter. */
export function stopWaiting(signal: AbortSignal, waiter: AbortWaiter): void {
  const waiters = waitersOf.get(signal);
  if (!waiters?.set.delete(waiter) || waiters.set.size > 0 || !waiters.listener) return;
  signal.removeEventListener('abort', waiters.listener);
  waitersOf.delete(signal);
}

/**
 * For the owner of a controller that only it aborts (a probe's scope, probes/context.ts):
 * its waiters are told by {@link abortOwned}, so none adds a listener to its signal.
 */
export function ownSignal(signal: AbortSignal): void {
  waitersOf.set(signal, { set: new Set(), listener: null });
}

/** Aborts a controller registered with {@link ownSignal} and tells its waiters. */
export function abortOwned(controller: AbortController, reason: unknown): void {
  if (controller.signal.aborted) return;
  controller.abort(reason);
  const waiters = waitersOf.get(controller.signal);
  if (waiters) notify(controller.signal, waiters);
}

function notify(signal: AbortSignal, waiters: Waiters): void {
  const set = [...waiters.set];
  waiters.set.clear();
  waitersOf.delete(signal);
  for (const w of set) w.aborted(signal.reason);
}

/**
 * Something due at a time: a stage window's end, a probe's deadline. `at` is on the
 * performance.now() clock; `slot` is its place in the clock's heap (-1: not set).
 */
export interface Alarm {
  at: number;
  slot: number;
  ring(): void;
}

/**
 * The one clock behind every stage window and probe deadline of the process: a min-heap
 * of alarms and one Node timer for the earliest. A Node timer each cost ~45 µs of CPU a
 * probe on Node 20 (setTimeout, clearTimeout and their list work, for eight or so windows
 * and the deadline); here a window that opens after an earlier one — nearly all — touches
 * no Node timer at all. The heap holds only alarms set and not yet cleared or rung: every
 * window clears its own in `dispose`, every scope its deadline.
 *
 * A rung alarm waits for one poll phase after the timer fires: when the process was busy
 * (many paths, TLS handshakes) a reply can sit read-ready in the socket while the timer
 * expires, and Node runs timers before I/O. That reply came in time; it must not be
 * called a stall (4.4.318). The bound on the stage grows by one loop turn, no more.
 */
const alarms: Alarm[] = [];
let timer: NodeJS.Timeout | undefined;
let ringing: NodeJS.Immediate | undefined;

export function setAlarm(alarm: Alarm): void {
  alarm.slot = alarms.length;
  alarms.push(alarm);
  siftUp(alarm);
  // A new earliest alarm needs the timer sooner; while a ring is pending, it re-arms after.
  if (alarm.slot === 0 && !ringing) arm();
}

export function clearAlarm(alarm: Alarm): void {
  const i = alarm.slot;
  if (i < 0) return;
  alarm.slot = -1;
  const last = alarms.pop() as Alarm;
  if (last !== alarm) {
    alarms[i] = last;
    last.slot = i;
    siftDown(last);
    siftUp(last);
  }
  // When the earliest goes, the timer stays: it fires early, finds nothing due and is
  // set again for the new earliest (once, instead of a timer call per cleared window).
  // With nothing left it goes, so an idle process can exit.
  if (alarms.length === 0 && timer) {
    clearTimeout(timer);
    timer = undefined;
  }
}

function arm(): void {
  clearTimeout(timer);
  const first = alarms[0] as Alarm;
  timer = setTimeout(onTimer, Math.max(1, Math.ceil(first.at - performance.now())));
}

function onTimer(): void {
  timer = undefined;
  const first = alarms[0];
  if (!first) return;
  const now = performance.now();
  // Early (the earliest was cleared, or Node's loop clock lags performance.now()): wait the rest.
  if (first.at > now) return arm();
  ringing = setImmediate(() => ring(now));
}

/** Rings what was due when the timer fired and is still set, then re-arms for the rest. */
function ring(upTo: number): void {
  ringing = undefined;
  for (let first = alarms[0]; first && first.at <= upTo; first = alarms[0]) {
    clearAlarm(first);
    first.ring();
  }
  if (alarms.length > 0 && !timer) arm();
}

function siftUp(alarm: Alarm): void {
  let i = alarm.slot;
  while (i > 0) {
    const up = (i - 1) >> 1;
    const parent = alarms[up] as Alarm;
    if (parent.at <= alarm.at) break;
    alarms[i] = parent;
    parent.slot = i;
    i = up;
  }
  alarms[i] = alarm;
  alarm.slot = i;
}

function siftDown(alarm: Alarm): void {
  let i = alarm.slot;
  const n = alarms.length;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    const right = child + 1;
    if (right < n && (alarms[right] as Alarm).at < (alarms[child] as Alarm).at) child = right;
    const down = alarms[child] as Alarm;
    if (down.at >= alarm.at) break;
    alarms[i] = down;
    down.slot = i;
    i = child;
  }
  alarms[i] = alarm;
  alarm.slot = i;
}

const noop = (): void => {};

class Window implements StageWindow, AbortWaiter, Alarm {
  readonly timeoutMs: number;
  closed = false;
  private reason: unknown;
  private controller: AbortController | null = null;
  private listeners: Array<() => void> | null = null;
  at: number;
  slot = -1;

  constructor(
    private readonly parent: AbortSignal,
    timeoutMs: number,
    now: number,
  ) {
    this.timeoutMs = timeoutMs;
    this.at = now + timeoutMs;
    if (parent.aborted) {
      this.closed = true;
      this.reason = parent.reason;
      return;
    }
    setAlarm(this);
    waitForAbort(parent, this);
  }

  ring(): void {
    this.close(new DOMException('stage timed out', 'TimeoutError'));
  }

  aborted(reason: unknown): void {
    this.close(reason);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.closed) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  onClose(fn: () => void): () => void {
    if (this.closed) {
      fn();
      return noop;
    }
    (this.listeners ??= []).push(fn);
    return () => {
      const i = this.listeners?.indexOf(fn) ?? -1;
      if (i >= 0) this.listeners?.splice(i, 1);
    };
  }

  close(reason: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.reason = reason;
    this.clear();
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const fn of listeners) fn();
    this.controller?.abort(reason);
  }

  dispose(): void {
    this.clear();
    this.listeners = null;
  }

  private clear(): void {
    clearAlarm(this);
    stopWaiting(this.parent, this);
  }
}

export function openWindow(ctx: ProbeContext, limitMs = ctx.stageTimeoutMs): StageWindow {
  const now = performance.now();
  const remaining = Math.max(0, ctx.deadline - now);
  return new Window(ctx.signal, Math.max(0, Math.min(limitMs, remaining)), now);
}

/**
 * The failure for a stage whose window closed: a cancellation when the user cancelled,
 * otherwise a timeout that names the stage (`timeoutKind` lets TCP and DNS say
 * `connect-timeout` and `dns-timeout`).
 */
export function windowFailure(
  ctx: ProbeContext,
  stage: StageName,
  window: StageWindow,
  what: string | Said,
  timeoutKind: FailureKind = 'timeout',
): StageFailure {
  if (ctx.cancel.aborted) return new StageFailure(stage, 'cancelled', say('cancelled'));
  return new StageFailure(stage, timeoutKind, say('window.timeout', { what, ms: Math.round(window.timeoutMs) }), {
    timeoutMs: Math.round(window.timeoutMs),
  });
}

/**
 * Waits for `event` on `emitter` — or its 'error', or the window closing — and removes
 * every listener it added, whichever comes first. The caller words both failures.
 */
export function waitForEvent(
  emitter: NodeJS.EventEmitter,
  event: string,
  window: StageWindow,
  fail: { error(err: Error): StageFailure; abort(): StageFailure },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let unwatch = noop;
    const cleanup = (): void => {
      unwatch();
      emitter.off(event, onEvent);
      emitter.off('error', onError);
    };
    const onAbort = (): void => {
      cleanup();
      reject(fail.abort());
    };
    const onEvent = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(fail.error(err));
    };
    if (window.closed) return onAbort();
    unwatch = window.onClose(onAbort);
    emitter.once(event, onEvent);
    emitter.once('error', onError);
  });
}
