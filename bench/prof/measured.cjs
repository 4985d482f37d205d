/**
 * A preload for the fleet's measured phase only: from the bench child's first
 * `process.cpuUsage()` (fleet-prober.js reads it after its warm-up) to exit, a CPU profile
 * (`PROFILE=cpu`, 100 µs sampling) or an allocation sample that keeps the objects the GC
 * collected too (`PROFILE=heap`, one sample per KiB: what a probe allocates, not only what
 * it keeps). Written to OUT. A `--cpu-prof` profile also holds start-up and warm-up.
 *
 *   printf '#!/bin/sh\nPROFILE=heap OUT=/tmp/p.heapprofile exec node --require %s/bench/prof/measured.cjs "$@"\n' "$PWD" > /tmp/n; chmod +x /tmp/n
 *   node bench/prof/drive.mjs /tmp/n prober 1000 && node bench/prof/allocs.mjs /tmp/p.heapprofile 1000
 *
 * CPU profiles read with anaprof.mjs, diffprof.mjs and callers.mjs (PROBES 1000, not 1200).
 */
const inspector = require('node:inspector');
const fs = require('node:fs');
const kind = process.env.PROFILE === 'heap' ? 'heap' : 'cpu';
const out = process.env.OUT ?? `/tmp/measured.${kind === 'heap' ? 'heapprofile' : 'cpuprofile'}`;
const session = new inspector.Session();
session.connect();
let started = false;
const cpuUsage = process.cpuUsage;
process.cpuUsage = function (previous) {
  if (!previous && !started) {
    started = true;
    if (kind === 'heap') {
      session.post('HeapProfiler.enable');
      session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    } else {
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: 100 });
      session.post('Profiler.start');
    }
  }
  return cpuUsage.call(process, previous);
};
process.on('exit', () => {
  if (!started) return;
  // The main thread's inspector session answers synchronously: written before the process ends.
  session.post(kind === 'heap' ? 'HeapProfiler.stopSampling' : 'Profiler.stop', (err, result) => {
    if (err) process.stderr.write(`measured.cjs: ${err.message}\n`);
    else fs.writeFileSync(out, JSON.stringify(result.profile));
  });
});
