/**
 * A preload for the fleet's measured phase only: the CPU each thread of the bench child spent
 * from its first `process.cpuUsage()` (fleet-prober.js reads it after its warm-up) to exit, by
 * thread name (Linux: /proc/self/task/<tid>/comm and schedstat). `main` is the JavaScript
 * thread; `V8Worker` is V8's pool (Maglev and TurboFan compiling, GC helpers); `libuv-worker`
 * the thread pool. One JSON line a run is appended to OUT (default /tmp/threads.jsonl), in ms.
 * Run with `--single-threaded-gc` as well, and V8Worker is compiling alone.
 *
 *   printf '#!/bin/sh\nexec node --require %s/bench/prof/threads.cjs "$@"\n' "$PWD" > /tmp/nthr; chmod +x /tmp/nthr
 *   node bench/prof/drive.mjs /tmp/nthr bare,prober 1000 && cat /tmp/threads.jsonl
 */
const fs = require('node:fs');
const out = process.env.OUT ?? '/tmp/threads.jsonl';

/** Each thread's name and CPU ns so far, by thread id. */
function threads() {
  const found = {};
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const comm = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const ns = Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      found[tid] = { name: tid === String(process.pid) ? 'main' : comm, ns };
    } catch {
      // the thread ended while it was read
    }
  }
  return found;
}

let start = null;
const cpuUsage = process.cpuUsage;
process.cpuUsage = function (previous) {
  if (!previous && !start) start = threads();
  return cpuUsage.call(process, previous);
};
process.on('exit', () => {
  if (!start) return;
  const byName = {};
  for (const [tid, t] of Object.entries(threads())) {
    const ms = (t.ns - (start[tid]?.ns ?? 0)) / 1e6;
    byName[t.name] = Math.round(((byName[t.name] ?? 0) + ms) * 10) / 10;
  }
  fs.appendFileSync(out, `${JSON.stringify(byName)}\n`);
});
