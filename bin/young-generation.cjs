'use strict';
// The long-running commands (`probe serve`, `probe watch`) run with a smaller young
// generation: V8's --max-semi-space-size=8 (MB). On Node 24 the default lets the young
// generation grow to several times that before a scavenge, and `probe serve` at 200
// concurrent scrapes peaked at 234 MB RSS; with the flag, 165 MB, at the same CPU per
// probe (the heap still in use after a full GC is ~23 MB). V8 reads the flag only at
// start-up (v8.setFlagsFromString is too late for the heap's sizes), so the launcher
// replaces itself with `node --max-semi-space-size=8 probe.cjs …` through process.execve:
// the same process (same PID, same open files, signals and exit code as before; systemd
// and `kill` see no wrapper), before any ES module loads. Where Node has no
// process.execve (Node 20; Node 22 before 22.15) nothing changes: Node 20's default peaks
// within 200 MB. A semi-space size set by the user (on node's command line or in
// NODE_OPTIONS) is kept, and MAILFLOW_PROBE_NO_REEXEC=1 turns the re-exec off.

const LONG_RUNNING = new Set(['serve', 'watch']);
const FLAG = '--max-semi-space-size';
const SEMI_SPACE_MB = 8;

/** Whether a list of node options already sets the semi-space size (V8 takes - or _). */
function setsSemiSpace(options) {
  return options.some((o) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(o));
}

/**
 * The argv to re-exec this launcher with, or null to go on as it is.
 * `runtime`: { execve, execPath, execArgv, env, script } (process's, in production).
 */
function youngGenerationArgv(args, runtime) {
  if (!LONG_RUNNING.has(args[0])) return null;
  if (typeof runtime.execve !== 'function') return null;
  if (runtime.env.MAILFLOW_PROBE_NO_REEXEC === '1') return null;
  if (setsSemiSpace(runtime.execArgv) || setsSemiSpace((runtime.env.NODE_OPTIONS || '').split(/\s+/))) return null;
  return [runtime.execPath, `${FLAG}=${SEMI_SPACE_MB}`, ...runtime.execArgv, runtime.script, ...args];
}

module.exports = { youngGenerationArgv, LONG_RUNNING, SEMI_SPACE_MB };
