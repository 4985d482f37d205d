/**
 * Profile the bench's fleet: starts dist/bench/fleet-servers.js (N loopback STARTTLS hosts) and
 * runs dist/bench/fleet-prober.js once per mode (`bare`, `prober`), 200 warm-up + N probes at
 * concurrency 200, under NODE (a binary, or a wrapper script such as
 * `exec node --cpu-prof --cpu-prof-dir=/tmp/prof --cpu-prof-interval 100 "$@"` for profiles).
 *
 *   npm run build && node bench/prof/drive.mjs NODE bare,prober [N]   # CPU ms per probe per mode
 *
 * Then: anaprof.mjs PROFILE (self and inclusive time), diffprof.mjs A B 1200 x 80 (µs per
 * probe by function, B − A), callers.mjs PROFILE "name" (inclusive µs per probe by caller).
 * For the measured 1,000 probes alone (no start-up, no warm-up), or what they allocate, a
 * wrapper that preloads measured.cjs; allocs.mjs reads its allocation samples. CPU by thread
 * (the JavaScript thread, V8's compilers and GC helpers) over the measured phase: threads.cjs.
 * ROOT overrides the tree whose dist/ is run (default: this checkout).
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
const ROOT = process.env.ROOT ?? fileURLToPath(new URL('../..', import.meta.url));
const [nodeBin, mode = 'prober', n = '1000', rev = ''] = process.argv.slice(2);
const servers = spawn('node', [`${ROOT}/dist/bench/fleet-servers.js`, n], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise((ok) => createInterface({ input: servers.stdout }).once('line', ok));
const { hosts, root } = JSON.parse(line);
const tmp = mkdtempSync('/tmp/drv-');
writeFileSync(join(tmp, 'root.pem'), root);
writeFileSync(join(tmp, 't.txt'), hosts.map((h, i) => `${h.host} name=h${i} port=${h.port}`).join('\n'));
for (const m of mode.split(',')) {
  const r = spawnSync(nodeBin, [`${ROOT}/dist/bench/${process.env.FP ?? 'fleet-prober.js'}`, join(tmp, 't.txt'), '200', '200', join(tmp, 'root.pem'), '', m, rev], { encoding: 'utf8' });
  const f = JSON.parse(r.stdout || '{}');
  console.log(m, (f.cpuMs / f.probes).toFixed(3), 'ms/probe', f.healthy, f.peakRssMb?.toFixed(0), r.stderr.slice(0, 300));
}
servers.stdin.end();
