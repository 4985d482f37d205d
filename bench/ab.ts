/**
 * A/B of fleet mode's cost per probe between builds, interleaved, for a machine others
 * load too: only medians of interleaved rounds and their ratios mean anything there.
 *
 *   node dist/bench/ab.js --build A=/tmp/base --build B=. [--node 20=node --node 24=/path/node]
 *                         [--fleet 1000] [--concurrency 200] [--warm 50] [--rounds 5]
 *
 * A build is a directory holding a compiled tree (`dist/src/fleet/fleet.js`). The fleet is
 * bench/fleet-servers.js (started once, from this build). Each round runs every build under
 * every runtime once, in its own process (A B A B …), which reports CPU ms per probe
 * (process.cpuUsage), heap allocated per probe (v8.GCProfiler: the used heap's growth
 * between collections, summed) and peak RSS. A build with src/core/tier-up.ts runs tuned
 * as `probe` runs (Node 20's interrupt budget), unless the runtime's wrapper sets one.
 * Prints each round and the medians, and B/A per runtime.
 *
 * `--child DIR FILE CONCURRENCY WARM ROOT` is the measured process (internal).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';

const self = fileURLToPath(import.meta.url);

interface Figures {
  probes: number;
  healthy: number;
  cpuMs: number;
  allocKb: number;
  peakRssMb: number;
}

if (process.argv[2] === '--child') {
  const [dir = '.', file = '', concurrency = '200', warm = '0', rootFile = ''] = process.argv.slice(3);
  const { readFileSync } = await import('node:fs');
  const from = (p: string): string => pathToFileURL(join(resolve(dir), 'dist', p)).href;
  const { loadTargetsFile } = (await import(from('src/fleet/targets.js'))) as typeof import('../src/fleet/targets.js');
  const { runFleet } = (await import(from('src/fleet/fleet.js'))) as typeof import('../src/fleet/fleet.js');
  // V8 tuned as the `probe` command tunes it (src/cli/bin.ts), where the build has it: a
  // budget a `--node` wrapper sets is kept, so wrappers still compare V8 flags.
  if (existsSync(join(resolve(dir), 'dist/src/core/tier-up.js'))) {
    const { tuneTierUp } = (await import(from('src/core/tier-up.js'))) as typeof import('../src/core/tier-up.js');
    tuneTierUp();
  }
  const list = loadTargetsFile(file, { ca: [readFileSync(rootFile, 'utf8')], ehloName: 'probe.demo.test', timeoutMs: 30_000, deadlineMs: 60_000 });
  if (Number(warm)) await runFleet(list.slice(0, Number(warm)), { concurrency: Number(concurrency) });
  const profiler = new v8.GCProfiler();
  const used0 = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  const cpu0 = process.cpuUsage();
  const entries = await runFleet(list, { concurrency: Number(concurrency) });
  const cpu = process.cpuUsage(cpu0);
  const used1 = v8.getHeapStatistics().used_heap_size;
  const gcs = profiler.stop()?.statistics ?? [];
  let allocated = 0;
  let after = used0;
  for (const gc of gcs) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - after;
    after = gc.afterGC.heapStatistics.usedHeapSize;
  }
  allocated += used1 - after;
  const figures: Figures = {
    probes: entries.length,
    healthy: entries.filter((e) => e.result.verdict === 'healthy').length,
    cpuMs: (cpu.user + cpu.system) / 1000,
    allocKb: allocated / 1024,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => a === `--${name}` && process.argv[i + 1] !== undefined && out.push(process.argv[i + 1] as string));
  return out;
}
const one = (name: string, fallback: string): string => args(name)[0] ?? fallback;
const pairs = (name: string, fallback: string[]): Array<[string, string]> =>
  (args(name).length ? args(name) : fallback).map((s) => {
    const i = s.indexOf('=');
    return [s.slice(0, i), s.slice(i + 1)];
  });
const builds = pairs('build', ['A=.']);
const nodes = pairs('node', [`node=${process.execPath}`]);
const FLEET = Number(one('fleet', '1000'));
const CONCURRENCY = one('concurrency', '200');
const WARM = one('warm', '50');
const ROUNDS = Number(one('rounds', '5'));

const tmp = mkdtempSync(join(os.tmpdir(), 'mailflow-ab-'));
const servers = spawn(process.execPath, [join(self, '../fleet-servers.js'), String(FLEET)], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise<string>((ok) => createInterface({ input: servers.stdout as NodeJS.ReadableStream }).once('line', ok));
const { hosts, root } = JSON.parse(line) as { hosts: Array<{ host: string; port: number }>; root: string };
const rootFile = join(tmp, 'root.pem');
writeFileSync(rootFile, root);
const file = join(tmp, 'targets.txt');
writeFileSync(file, hosts.map((h, i) => `${h.host} name=h${i} port=${h.port}`).join('\n'));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const seen: Record<string, Array<{ cpu: number; alloc: number; rss: number }>> = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const [nodeName, nodePath] of nodes) {
    // Alternate the order each round, so neither build always runs first.
    const order = round % 2 ? builds : [...builds].reverse();
    for (const [buildName, dir] of order) {
      const run = spawnSync(nodePath, [self, '--child', dir, file, CONCURRENCY, WARM, rootFile], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (run.status !== 0) throw new Error(`${buildName} on ${nodeName} failed: ${run.stderr}`);
      const f = JSON.parse(run.stdout) as Figures;
      if (f.healthy !== f.probes) throw new Error(`${buildName} on ${nodeName}: ${f.probes - f.healthy} probes not healthy`);
      const key = `${nodeName} ${buildName}`;
      (seen[key] ??= []).push({ cpu: f.cpuMs / f.probes, alloc: f.allocKb / f.probes, rss: f.peakRssMb });
      process.stdout.write(`round ${round} ${key}: ${(f.cpuMs / f.probes).toFixed(3)} ms/probe, ${(f.allocKb / f.probes).toFixed(1)} kB/probe, peak RSS ${f.peakRssMb.toFixed(0)} MB  (load ${os.loadavg()[0]?.toFixed(1)})\n`);
    }
  }
}
servers.stdin?.end();
process.stdout.write('\nmedians:\n');
for (const [nodeName] of nodes) {
  const base = seen[`${nodeName} ${builds[0]?.[0]}`] ?? [];
  for (const [buildName] of builds) {
    const xs = seen[`${nodeName} ${buildName}`] ?? [];
    const cpu = median(xs.map((x) => x.cpu));
    const alloc = median(xs.map((x) => x.alloc));
    const rss = median(xs.map((x) => x.rss));
    const ratio = cpu / median(base.map((x) => x.cpu));
    // Per-round ratios against the first build, each round's pair run back to back.
    const pairsRatio = xs.map((x, i) => (base[i] ? x.cpu / base[i].cpu : NaN));
    process.stdout.write(
      `${nodeName} ${buildName}: ${cpu.toFixed(3)} ms/probe, ${alloc.toFixed(1)} kB/probe, peak RSS ${rss.toFixed(0)} MB; /${builds[0]?.[0]} ${ratio.toFixed(3)} (median of paired rounds ${median(pairsRatio).toFixed(3)})\n`,
    );
  }
}
