/**
 * Runs the fleet once in its own process and reports what it cost this process:
 * `{ probes, healthy, wallMs, cpuMs, peakRssMb }` as JSON on stdout. Reads the targets
 * (`--targets` format) from the file in argv[2], concurrency from argv[3]; a warm-up of
 * argv[4] probes is run first and not counted.
 */
import { runFleet } from '../src/fleet.js';
import { loadTargetsFile } from '../src/targets.js';

const [file = '', concurrency = '200', warm = '0', rootFile = ''] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const list = loadTargetsFile(file, { ca: [readFileSync(rootFile, 'utf8')], ehloName: 'probe.demo.test', timeoutMs: 30_000, deadlineMs: 60_000 });
if (Number(warm)) await runFleet(list.slice(0, Number(warm)), { concurrency: Number(concurrency) });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const entries = await runFleet(list, { concurrency: Number(concurrency) });
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const failing = entries.filter((e) => e.result.verdict !== 'healthy');
process.stdout.write(
  `${JSON.stringify({
    probes: entries.length,
    healthy: entries.length - failing.length,
    firstProblem: failing[0] ? `${failing[0].name}: ${failing[0].result.verdict} ${failing[0].result.message ?? failing[0].result.warnings[0]?.message ?? ''}` : null,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
