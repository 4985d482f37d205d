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
  /** Calls `fn` once when the window closes (at once if it has). */
  onClose(fn: () => void): void;
  /** Forgets `fn` given to onClose (nothing if it was not, or has been called). */
  offClose(fn: () => void): void;
  dispose(): void;
}

/**
 * What waits on a signal through {@link waitForAbort}: a stage window, a probe's scope.
 * `waiting`, `before` and `after` are its place among the signal's waiters (null: none);
 * only this module touches them.
 */
export interface AbortWaiter {
  aborted(reason: unknown): void;
  waiting: Waiters | null;
  before: AbortWaiter | null;
  after: AbortWaiter | null;
}

/**
 * The waiters of one signal, in the order they came, told by one listener on it (or, for a
 * signal whose owner aborts it through {@link abortOwned}, by the owner, with no listener at
 * all). Node's EventTarget walks its whole listener list on every add and remove: 200
 * probes in flight in a fleet, each adding its own listener to the fleet's cancel signal,
 * cost ~100 µs of CPU a probe on Node 20. The waiters are linked through themselves, so a
 * window joins and leaves with a few pointer writes (a Set's add and delete, a window each
 * stage, cost more than the rest of the window). Entries go with their signal (WeakMap).
 */
interface Waiters {
  readonly signal: AbortSignal;
  first: AbortWaiter | null;
  last: AbortWaiter | null;
  listener: (() => void) | null;
}
const waitersOf = new WeakMap<AbortSignal, Waiters>();

/** Tells `waiter` when `signal` aborts (at once if it has); {@link stopWaiting} undoes it. */
export function waitForAbort(signal: AbortSignal, waiter: AbortWaiter): void {
  if (signal.aborted) return waiter.aborted(signal.reason);
  let waiters = waitersOf.get(signal);
  if (!waiters) {
    const entry: Waiters = { signal, first: null, last: null, listener: null };
    entry.listener = () => notify(entry);
    signal.addEventListener('abort', entry.listener, { once: true });
    waitersOf.set(signal, entry);
    waiters = entry;
  }
  leave(waiter);
  waiter.waiting = waiters;
  waiter.before = waiters.last;
  waiter.after = null;
  if (waiters.last) waiters.last.after = waiter;
  else waiters.first = waiter;
  waiters.last = waiter;
}

/** Removes `waiter` from `signal`'s waiters; the signal's one listener goes with its last waiter. */
export function stopWaiting(signal: AbortSignal, waiter: AbortWaiter): void {
  if (waiter.waiting?.signal === signal) leave(waiter);
}

/** Takes `waiter` from the waiters it is among, if any. */
function leave(waiter: AbortWaiter): void {
  const waiters = waiter.waiting;
  if (!waiters) return;
  const { before, after } = waiter;
  if (before) before.after = after;
  else waiters.first = after;
  if (after) after.before = before;
  else waiters.last = before;
  waiter.waiting = waiter.before = waiter.after = null;
  if (waiters.first || !waiters.listener) return;
  waiters.signal.removeEventListener('abort', waiters.listener);
  waitersOf.delete(waiters.signal);
}

/**
 * For the owner of a controller that only it aborts (a probe's scope, probes/context.ts):
 * its waiters are told by {@link abortOwned}, so none adds a listener to its signal.
 */
export function ownSignal(signal: AbortSignal): void {
  waitersOf.set(signal, { signal, first: null, last: null, listener: null });
}

/** Aborts a controller registered with {@link ownSignal} and tells its waiters. */
export function abortOwned(controller: AbortController, reason: unknown): void {
  if (controller.signal.aborted) return;
  controller.abort(reason);
  const waiters = waitersOf.get(controller.signal);
  if (waiters) notify(waiters);
}

/** Tells every waiter, in the order they came; each has left before it is told. */
function notify(waiters: Waiters): void {
  waitersOf.delete(waiters.signal);
  const told: AbortWaiter[] = [];
  for (let w = waiters.first; w; w = w.after) told.push(w);
  waiters.first = waiters.last = null;
  for (const w of told) w.waiting = w.before = w.after = null;
  for (const w of told) w.aborted(waiters.signal.reason);
}

/**
 * Something due at a time: a stage window's end, a probe's deadline. `at` is on the
 * performance.now() clock. `lane`, `prev` and `next` are its place on the clock (null:
 * not set); only this module touches them.
 */
export interface Alarm {
  at: number;
  ring(): void;
  lane: Lane | null;
  prev: Alarm | null;
  next: Alarm | null;
}

/**
 * The alarms set with one delay, in the order they are due. An alarm set later with the
 * same delay is due no earlier (performance.now() never goes back), so each joins at the
 * tail and the lane stays in order with no sorting: setting and clearing are a few pointer
 * writes. A probe's windows all take the stage timeout and its deadline the deadline, so a
 * fleet of any size keeps a handful of lanes.
 */
interface Lane {
  readonly delay: number;
  head: Alarm | null;
  tail: Alarm | null;
}

/**
 * The one clock behind every stage window and probe deadline of the process: the alarms
 * in lanes by delay, and one Node timer for the earliest. A Node timer each cost ~45 µs of
 * CPU a probe on Node 20 (setTimeout, clearTimeout and their list work, for eight or so
 * windows and the deadline); a binary heap of alarms still cost ~10 µs a window with 400
 * alarms set (two sifts a window, in code V8 had not optimised: a fleet's per-probe code
 * mostly runs unoptimised). Here a window that opens after an earlier one — nearly all —
 * touches no Node timer and sorts nothing. The lanes hold only alarms set and not yet
 * cleared or rung: every window clears its own in `dispose`, every scope its deadline.
 *
 * A rung alarm waits for one poll phase after the timer fires: when the process was busy
 * (many paths, TLS handshakes) a reply can sit read-ready in the socket while the timer
 * expires, and Node runs timers before I/O. That reply came in time; it must not be
 * called a stall (4.4.318). The bound on the stage grows by one loop turn, no more.
 */
const lanes = new Map<number, Lane>();
let pending = 0;
let timer: NodeJS.Timeout | undefined;
/** When the timer is set to fire (performance.now() clock). */
let timerAt = Infinity;
let ringing: NodeJS.Immediate | undefined;

/** Sets `alarm` to ring `delay` ms after it was reckoned: `alarm.at` is now + `delay`. */
export function setAlarm(alarm: Alarm, delay: number): void {
  let lane = lanes.get(delay);
  if (!lane) lanes.set(delay, (lane = { delay, head: null, tail: null }));
  // Due no earlier than the tail (the rule above); should a caller reckon `at` from an
  // earlier reading of the clock, it is walked back to its place.
  let before = lane.tail;
  while (before && before.at > alarm.at) before = before.prev;
  const after = before ? before.next : lane.head;
  alarm.lane = lane;
  alarm.prev = before;
  alarm.next = after;
  if (before) before.next = alarm;
  else lane.head = alarm;
  if (after) after.prev = alarm;
  else lane.tail = alarm;
  pending++;
  // A new earliest alarm needs the timer sooner; while a ring is pending, it re-arms after.
  if (alarm.at < timerAt && !ringing) arm(alarm.at);
}

export function clearAlarm(alarm: Alarm): void {
  const lane = alarm.lane;
  if (!lane) return;
  const { prev, next } = alarm;
  if (prev) prev.next = next;
  else lane.head = next;
  if (next) next.prev = prev;
  else lane.tail = prev;
  alarm.lane = alarm.prev = alarm.next = null;
  if (!lane.head) lanes.delete(lane.delay);
  // When the earliest goes, the timer stays: it fires early, finds nothing due and is
  // set again for the new earliest (once, instead of a timer call per cleared window).
  // With nothing left it goes, so an idle process can exit.
  if (--pending === 0 && timer) {
    clearTimeout(timer);
    timer = undefined;
    timerAt = Infinity;
  }
}

/** The alarm due first: the earliest of the lanes' heads. */
function earliest(): Alarm | null {
  let first: Alarm | null = null;
  for (const lane of lanes.values()) if (!first || (lane.head as Alarm).at < first.at) first = lane.head;
  return first;
}

function arm(at: number): void {
  clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(onTimer, Math.max(1, Math.ceil(at - performance.now())));
}

function onTimer(): void {
  timer = undefined;
  timerAt = Infinity;
  const first = earliest();
  if (!first) return;
  const now = performance.now();
  // Early (the earliest was cleared, or Node's loop clock lags performance.now()): wait the rest.
  if (first.at > now) return arm(first.at);
  ringing = setImmediate(() => ring(now));
}

/** Rings what was due when the timer fired and is still set, in the order due, then re-arms for the rest. */
function ring(upTo: number): void {
  ringing = undefined;
  for (let first = earliest(); first && first.at <= upTo; first = earliest()) {
    clearAlarm(first);
    first.ring();
  }
  // A window a ring opened may have set the timer for later than one still waiting.
  const next = earliest();
  if (next && next.at < timerAt) arm(next.at);
}

class Window implements StageWindow, AbortWaiter, Alarm {
  readonly timeoutMs: number;
  closed = false;
  at: number;
  lane: Lane | null = null;
  prev: Alarm | null = null;
  next: Alarm | null = null;
  private reason: unknown = undefined;
  private controller: AbortController | null = null;
  /** What the close calls, in the order added: nearly always one (the read or the event a stage waits for), so one slot, and a list only past it. */
  private first: (() => void) | null = null;
  private more: Array<() => void> | null = null;
  waiting: Waiters | null = null;
  before: AbortWaiter | null = null;
  after: AbortWaiter | null = null;

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
    setAlarm(this, timeoutMs);
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

  // No remover closure handed back: a probe waits on nine windows or so, and each wait's
  // caller already holds `fn` (offClose) or disposes of the window, which forgets them all.
  onClose(fn: () => void): void {
    if (this.closed) return fn();
    if (!this.first && !this.more?.length) this.first = fn;
    else (this.more ??= []).push(fn);
  }

  offClose(fn: () => void): void {
    if (this.first === fn) this.first = null;
    else {
      const i = this.more?.indexOf(fn) ?? -1;
      if (i >= 0) this.more?.splice(i, 1);
    }
  }

  close(reason: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.reason = reason;
    this.clear();
    const { first, more } = this;
    this.first = this.more = null;
    first?.();
    if (more) for (const fn of more) fn();
    this.controller?.abort(reason);
  }

  dispose(): void {
    this.clear();
    this.first = this.more = null;
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
    const cleanup = (): void => {
      window.offClose(onAbort);
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
    window.onClose(onAbort);
    // `on`, not `once`: whichever comes first removes both, and `once` would wrap each
    // listener in a closure and a state object (two waits a probe).
    emitter.on(event, onEvent);
    emitter.on('error', onError);
  });
}
