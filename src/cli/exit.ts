/**
 * Exit codes and signals, for every command. Exit codes as monitoring plugins use them:
 * 0 healthy, 1 degraded, 2 failing, 3 usage error or internal fault; 130 (128 + SIGINT)
 * when cancelled with Ctrl-C.
 */

export const EXIT = { healthy: 0, degraded: 1, failing: 2, usage: 3, cancelled: 130 } as const;

/** Calls `handler` on each of the signals until the returned function is called. */
export function onSignals(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

/** Resolves with the first of the signals to arrive (`probe serve` runs until then). */
export function untilSignal(signals: readonly NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const dispose = onSignals(signals, (signal) => {
      dispose();
      resolve(signal);
    });
  });
}

/** Ctrl-C cancels in-flight probes (they end as "cancelled"); a second Ctrl-C exits at once. */
export function cancelOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const dispose = onSignals(['SIGINT'], () => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    controller.abort(new DOMException('cancelled', 'AbortError'));
  });
  return { signal: controller.signal, dispose };
}
