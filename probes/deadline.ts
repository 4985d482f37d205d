import { StageFailure, type FailureKind, type ProbeContext, type StageName } from './stage.js';

/**
 * The time one stage may take: `min(stageTimeout, deadline - now)`, as a signal that
 * aborts when that time is up or when the probe as a whole is aborted (overall deadline
 * or the user's cancel). `dispose()` clears the timer and the listener — every stage
 * calls it in `finally`, so no timer outlives its stage.
 */
export interface StageWindow {
  signal: AbortSignal;
  /** The time this stage was given, in ms. */
  timeoutMs: number;
  dispose(): void;
}

export function openWindow(ctx: ProbeContext, limitMs = ctx.stageTimeoutMs): StageWindow {
  const remaining = Math.max(0, ctx.deadline - performance.now());
  const timeoutMs = Math.max(0, Math.min(limitMs, remaining));
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(ctx.signal.reason);
  // The abort waits for one poll phase after the timer fires: when the process was busy
  // (many paths, TLS handshakes) a reply can sit read-ready in the socket while the timer
  // expires, and Node runs timers before I/O. That reply came in time; it must not be
  // called a stall (4.4.318). The bound on the stage grows by one loop turn, no more.
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(() => controller.abort(new DOMException('stage timed out', 'TimeoutError')));
  }, timeoutMs);
  if (ctx.signal.aborted) controller.abort(ctx.signal.reason);
  else ctx.signal.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timeoutMs,
    dispose() {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      ctx.signal.removeEventListener('abort', onParentAbort);
    },
  };
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
  what: string,
  timeoutKind: FailureKind = 'timeout',
): StageFailure {
  if (ctx.cancel.aborted) return new StageFailure(stage, 'cancelled', 'cancelled by the user');
  return new StageFailure(stage, timeoutKind, `${what} within ${Math.round(window.timeoutMs)} ms`, {
    timeoutMs: Math.round(window.timeoutMs),
  });
}

/** Runs `fn` inside a stage window, disposing of the window whatever happens. */
export async function withWindow<T>(
  ctx: ProbeContext,
  fn: (window: StageWindow) => Promise<T>,
  limitMs?: number,
): Promise<T> {
  const window = openWindow(ctx, limitMs);
  try {
    return await fn(window);
  } finally {
    window.dispose();
  }
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
      window.signal.removeEventListener('abort', onAbort);
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
    if (window.signal.aborted) return onAbort();
    window.signal.addEventListener('abort', onAbort, { once: true });
    emitter.once(event, onEvent);
    emitter.once('error', onError);
  });
}
