/**
 * The alert-delivery soak: many alerts through the email sender to loopback relays that
 * misbehave in time — answering the end of DATA one byte a second, greeting one byte a
 * second, never answering the dot — and to one that works, many in flight. It fails
 * unless every delivery ended by the channel's timeout + 250 ms with the outcome its
 * relay calls for (delivered, or abandoned by the timeout), every relay connection was
 * closed, the open file descriptors returned to their starting count, the heap after a
 * forced GC grew less than 8 MB, and nothing went unhandled.
 *
 *   node --expose-gc dist/bench/relay-soak.js --deliveries 400 --timeout-ms 1000 --workers 32 [--json]
 */
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DeliveryTimeout, emailSender } from '../src/scheduled/alerts/send.js';
import type { EmailChannel } from '../src/scheduled/config.js';
import { failingAlert, startSlowRelay, type RelayBehaviour, type SlowRelay } from '../test/fixtures/relay.js';

const GRACE_MS = 250;
const HEAP_BOUND_MB = 8;

const { values: args } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '400' },
    'timeout-ms': { type: 'string', default: '1000' },
    workers: { type: 'string', default: '32' },
    json: { type: 'boolean', default: false },
  },
});
const DELIVERIES = Number(args.deliveries);
const TIMEOUT_MS = Number(args['timeout-ms']);
const WORKERS = Number(args.workers);
if (!(DELIVERIES > 0 && TIMEOUT_MS >= 100 && WORKERS > 0)) {
  process.stderr.write('relay-soak: --deliveries and --workers take positive whole numbers, --timeout-ms at least 100\n');
  process.exit(3);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('relay-soak: run node with --expose-gc\n');
  process.exit(3);
}

const BEHAVIOURS: RelayBehaviour[] = ['drip-after-data', 'drip-greeting', 'silent-after-data', 'ok'];
const openFds = (): number => readdirSync('/proc/self/fd').length;
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const settledHeap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const event = failingAlert('soak');

function channelFor(relay: SlowRelay): EmailChannel {
  return {
    type: 'email',
    name: 'relay',
    host: relay.host,
    port: relay.port,
    tls: 'none',
    from: 'probe@demo.test',
    to: ['admin@demo.test'],
    user: null,
    passwordEnv: null,
    allowPlaintextAuth: false,
    ca: [],
    timeoutMs: TIMEOUT_MS,
  };
}

async function main(): Promise<number> {
  let unhandled = 0;
  process.on('unhandledRejection', () => unhandled++);
  const fdsBefore = openFds();
  const relays = new Map<RelayBehaviour, SlowRelay>();
  for (const b of BEHAVIOURS) relays.set(b, await startSlowRelay(b, { dripMs: Math.max(50, Math.floor(TIMEOUT_MS / 4)) }));
  // One delivery first: whatever Node or nodemailer opens once, lazily, is not a leak.
  await emailSender(channelFor(relays.get('ok')!))(event, 'soak-warm-up');
  await sleep(100);
  const fdBaseline = openFds();
  const heapBaseline = settledHeap();
  let maxOvershootMs = -Infinity;
  const wrong: { behaviour: RelayBehaviour; outcome: string }[] = [];
  const late: { behaviour: RelayBehaviour; ms: number }[] = [];
  const outcomes: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < DELIVERIES) {
      const i = next++;
      const behaviour = BEHAVIOURS[i % BEHAVIOURS.length]!;
      const send = emailSender(channelFor(relays.get(behaviour)!));
      const started = performance.now();
      let outcome = 'delivered';
      try {
        await send(event, `soak-${i}`);
      } catch (err) {
        outcome = err instanceof DeliveryTimeout ? 'timeout' : `error: ${(err as Error).message}`;
      }
      const ms = performance.now() - started;
      outcomes[`${behaviour}:${outcome}`] = (outcomes[`${behaviour}:${outcome}`] ?? 0) + 1;
      // A misbehaving relay may also trip one of nodemailer's own timers first (a dripped
      // greeting: "Greeting never received"); either way it must not be delivered, nor late.
      if ((behaviour === 'ok') !== (outcome === 'delivered')) wrong.push({ behaviour, outcome });
      maxOvershootMs = Math.max(maxOvershootMs, ms - TIMEOUT_MS);
      if (ms > TIMEOUT_MS + GRACE_MS) late.push({ behaviour, ms: Math.round(ms) });
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  const seconds = (performance.now() - t0) / 1000;
  let closed = false;
  for (let waited = 0; waited < 3000 && !closed; waited += 50) {
    closed = [...relays.values()].every((r) => r.connections() === 0);
    if (!closed) await sleep(50);
  }
  await sleep(100);
  const fdFinal = openFds();
  const heapFinal = settledHeap();
  for (const r of relays.values()) await r.close();
  await sleep(100);
  const fdAfterClose = openFds();
  const growthMb = mb(heapFinal - heapBaseline);
  const report = {
    deliveries: DELIVERIES,
    timeoutMs: TIMEOUT_MS,
    workers: WORKERS,
    seconds: Math.round(seconds * 10) / 10,
    maxOvershootMs: Math.round(maxOvershootMs),
    late: late.length,
    firstLate: late.slice(0, 5),
    wrong: wrong.length,
    firstWrong: wrong.slice(0, 5),
    outcomes,
    relayConnectionsClosed: closed,
    heap: { growthMb, boundMb: HEAP_BOUND_MB },
    fds: { beforeRelays: fdsBefore, baseline: fdBaseline, final: fdFinal, afterClose: fdAfterClose },
    unhandledRejections: unhandled,
    ok: false,
  };
  report.ok = late.length === 0 && wrong.length === 0 && closed && growthMb <= HEAP_BOUND_MB && fdFinal <= fdBaseline && unhandled === 0;
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(
      [
        `relay-soak: ${DELIVERIES} deliveries, timeout ${TIMEOUT_MS} ms, ${WORKERS} in flight: ${report.seconds} s`,
        `  latest delivery ${report.maxOvershootMs} ms after its timeout; ${late.length} later than timeout + ${GRACE_MS} ms`,
        `  outcomes ${JSON.stringify(outcomes)}; ${wrong.length} not as the relay calls for`,
        `  relay connections all closed: ${closed}; heap growth after GC ${growthMb} MB (bound ${HEAP_BOUND_MB} MB)`,
        `  open fds: ${fdsBefore} before the relays, ${fdBaseline} at the start, ${fdFinal} at the end, ${fdAfterClose} after closing the relays`,
        `  unhandled rejections ${unhandled}`,
        report.ok ? 'relay-soak: OK' : 'relay-soak: FAILED',
      ].join('\n') + '\n',
    );
  }
  return report.ok ? 0 : 1;
}

process.exitCode = await main();
