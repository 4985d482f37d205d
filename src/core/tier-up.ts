import v8 from 'node:v8';

/**
 * How soon V8 optimises a hot function, for the `probe` command on Node 20.
 *
 * Node 20's V8 (11.3) has two tiers above the interpreter, Sparkplug and TurboFan, and no
 * Maglev between them. Every function that gets hot is compiled by TurboFan on a background
 * thread, and a probe's path runs through a few hundred of ours and Node's. In a fleet run
 * of 1,000 hosts, TurboFan was still compiling after 200 probes: measured per thread, it
 * took ~0.6 ms of CPU per probe on top of the ~3.1 ms the main thread spent, which was
 * most of the difference between the prober and a bare Node client doing the same
 * dialogue. A function's interrupt budget is the bytecode it must run before V8 considers
 * it for TurboFan; at eight times the default (67,584), only what stays hot through a run
 * is compiled. The figures: docs/fleet-and-prometheus.md ("Changes made for speed").
 *
 * Node 22 and 24 (V8 12 and 13) have no such flag: they count invocations instead. Raising
 * those counts only moved the compiling onto the main thread there, with no net gain
 * (measured on both; Node 24 also tiers through Maglev, off by default on Node 22), so
 * nothing is changed. Nor is a budget the user set on node's command line
 * or in NODE_OPTIONS. The flag can be set at run time (v8.setFlagsFromString): V8 reads it
 * each time it resets a function's budget, so it applies from the next probe on.
 */
export const INTERRUPT_BUDGET = 8 * 67_584;

/** Whether a list of node options sets the interrupt budget (V8 takes - or _). */
function setsBudget(options: readonly string[]): boolean {
  return options.some((o) => /^--interrupt[-_]budget(=|$)/.test(o));
}

/**
 * Raises the interrupt budget on V8 11 (Node 20); returns whether it did. `runtime` is the
 * process's in production (a test passes its own).
 */
export function tuneTierUp(
  runtime: { v8: string; execArgv: readonly string[]; nodeOptions: string | undefined; setFlags: (flags: string) => void } = {
    v8: process.versions.v8,
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS,
    setFlags: (flags) => v8.setFlagsFromString(flags),
  },
): boolean {
  if (Number.parseInt(runtime.v8, 10) !== 11) return false;
  if (setsBudget(runtime.execArgv) || setsBudget((runtime.nodeOptions ?? '').split(/\s+/))) return false;
  runtime.setFlags(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  return true;
}
