/**
 * Runs the fleet once in its own process and reports what it cost this process:
 * `{ probes, healthy, wallMs, cpuMs, peakRssMb }` as JSON on stdout. Reads the targets
 * (`--targets` format) from the file in argv[2], concurrency from argv[3]; a warm-up of
 * argv[4] probes is run first and not counted. With argv[6] = `bare`, a bare Node client
 * does the same dialogue instead (no checks, no transcript, the chain read once as any
 * prober must): Node's own floor; it also reports `chainReadMs`, the main-thread time its
 * measured probes spent in that one read (getPeerX509Certificate and the walk up the chain:
 * Node copies each certificate the server sent after the first, which costs Node 20's
 * OpenSSL 3.0 far more than Node 24's). argv[7], when given, is the `--revocation` mode for
 * every probe (default: the prober's, soft). With argv[6] = `threads`, fleet mode's probes
 * are split over argv[8] worker threads (bench/fleet-worker.ts), each with its share of
 * the concurrency: an experiment (`npm run bench -- --threads N`), not what `probe` does.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Worker } from 'node:worker_threads';
import type { RevocationMode } from '../probes/revocation.js';
import { EXCHANGE_GROUPS } from '../probes/tls.js';
import { runFleet, type FleetEntry } from '../src/fleet/fleet.js';
import { tuneTierUp } from '../src/core/tier-up.js';
import type { ProbeResult } from '../src/core/result.js';
import { loadTargetsFile, type NamedTarget } from '../src/fleet/targets.js';
import type { WorkerVerdict } from './fleet-worker.js';
import { machineBusyMs, otherThreadsCpuMs } from './proc.js';

const [file = '', concurrency = '200', warm = '0', rootFile = '', , mode = 'prober', revocation = '', threads = '2'] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const options = {
  ca: [readFileSync(rootFile, 'utf8')],
  ehloName: 'probe.demo.test',
  timeoutMs: 30_000,
  deadlineMs: 60_000,
  ...(revocation ? { revocation: revocation as RevocationMode } : {}),
};
const list = loadTargetsFile(file, options);

// The prober runs as the `probe` command runs it (src/cli/bin.ts); the bare client as Node does.
if (mode !== 'bare') tuneTierUp();

let bareContext: tls.SecureContext | undefined;
/** Main-thread ms the bare client spent reading the chain (reset after the warm-up). */
let chainReadMs = 0;

/**
 * The least a Node client can do for the same verdict: the dialogue, TLS with the same
 * trust and key-exchange groups (one context, made in the warm-up as the prober's is), the
 * chain read once.
 */
async function bare(list: readonly NamedTarget[], limit: number): Promise<FleetEntry[]> {
  const context = (bareContext ??= tls.createSecureContext({ ca: [...tls.rootCertificates, ...(list[0]?.options.ca ?? [])], minVersion: 'TLSv1.2', ecdhCurve: EXCHANGE_GROUPS }));
  const reply = (stream: net.Socket): Promise<void> =>
    new Promise((resolve) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('latin1');
        if (/(^|\n)\d{3} [^\n]*\r?\n$/.test(text)) {
          stream.off('data', onData);
          resolve();
        }
      };
      stream.on('data', onData);
    });
  const one = async (t: NamedTarget): Promise<boolean> => {
    const socket = net.connect({ host: t.targets[0] as string, port: Number(t.options.port), noDelay: true });
    await reply(socket);
    socket.write('EHLO probe.demo.test\r\n');
    await reply(socket);
    socket.write('STARTTLS\r\n');
    await reply(socket);
    const secure = tls.connect({ socket, secureContext: context, servername: 'mx1.demo.test', checkServerIdentity: () => undefined });
    // As the prober does (probes/tls.ts): skip Node's detailed certificate copy, which
    // only feeds checkServerIdentity; then read the chain as the prober must.
    Object.defineProperty(secure, 'getPeerCertificate', { value: (detailed?: boolean) => (detailed ? {} : tls.TLSSocket.prototype.getPeerCertificate.call(secure, detailed)), configurable: true });
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    const read0 = performance.now();
    for (let cert = secure.getPeerX509Certificate(); cert; cert = cert.issuerCertificate) if (cert.subject === cert.issuer) break;
    chainReadMs += performance.now() - read0;
    secure.write('EHLO probe.demo.test\r\n');
    await reply(secure);
    secure.write('QUIT\r\n');
    await reply(secure);
    secure.destroy();
    return secure.authorized;
  };
  const out: FleetEntry[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < list.length) {
        const i = next++;
        const ok = await one(list[i] as NamedTarget);
        out[i] = entry(list[i]?.name ?? '', i, ok ? 'healthy' : 'failing', null);
      }
    }),
  );
  return out;
}

/** An entry for a probe whose result stays elsewhere (the bare client, a worker thread). */
const entry = (name: string, index: number, verdict: string, message: string | null): FleetEntry => ({
  name,
  index,
  result: { verdict, warnings: [], message } as unknown as ProbeResult,
});

let pool: Worker[] | undefined;
const listIndex = new Map(list.map((t, i) => [t, i]));

/** Fleet mode over worker threads: target k of `items` goes to thread k mod N. */
async function threaded(items: readonly NamedTarget[], limit: number): Promise<FleetEntry[]> {
  const n = Math.max(1, Number(threads));
  const workers = (pool ??= Array.from({ length: n }, () => new Worker(new URL('./fleet-worker.js', import.meta.url), { workerData: { file, options, concurrency: Math.ceil(limit / n) } })));
  const answers = await Promise.all(
    workers.map((worker, k) => {
      const indices = items.filter((_, i) => i % n === k).map((t) => listIndex.get(t) as number);
      return new Promise<WorkerVerdict[]>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage(indices);
      });
    }),
  );
  return answers.flat().map((v, i) => entry(v.name, i, v.verdict, v.message));
}

const run = (items: readonly NamedTarget[]): Promise<FleetEntry[]> =>
  mode === 'bare' ? bare(items, Number(concurrency)) : mode === 'threads' ? threaded(items, Number(concurrency)) : runFleet(items, { concurrency: Number(concurrency) });
if (Number(warm)) await run(list.slice(0, Number(warm)));
chainReadMs = 0;
const other0 = otherThreadsCpuMs();
const machine0 = machineBusyMs();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const entries = await run(list);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const other1 = otherThreadsCpuMs();
const machine1 = machineBusyMs();
const failing = entries.filter((e) => e.result.verdict !== 'healthy');
process.stdout.write(
  `${JSON.stringify({
    probes: entries.length,
    healthy: entries.length - failing.length,
    firstProblem: failing[0] ? `${failing[0].name}: ${failing[0].result.verdict} ${failing[0].result.message ?? failing[0].result.warnings[0]?.message ?? ''}` : null,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    // In `threads` mode the other threads are the probing ones: not a helper's share.
    otherThreadsCpuMs: other0 === null || other1 === null || mode === 'threads' ? null : other1 - other0,
    machineBusyMs: machine0 === null || machine1 === null ? null : machine1 - machine0,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    revocation: entries[0]?.result.paths?.[0]?.certificate?.revocation?.status ?? null,
    ...(mode === 'bare' ? { chainReadMs } : {}),
  })}\n`,
);
await Promise.all((pool ?? []).map((worker) => worker.terminate()));
