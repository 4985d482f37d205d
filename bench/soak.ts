/**
 * The soak: thousands of probe sessions against loopback servers that each misbehave in
 * a way drawn at random (seeded, so a run can be repeated exactly), many probes in
 * flight at once. It holds the prober to what the issue asks of it:
 *
 * - every probe returns a verdict by its deadline + 250 ms;
 * - every verdict is the one the behaviour calls for (stage, kind, code);
 * - the process's open file descriptors come back to their count before the run;
 * - the heap after a forced GC stays within HEAP_BOUND_MB of where it started;
 * - no unhandled rejection, no uncaught exception;
 * - no raw control character in any report: a third of the sessions that get a greeting
 *   carry injected text (terminal escapes, CR, NUL, C1, bidi overrides) in it and in the
 *   EHLO reply; after the timed run, the sessions whose server sent text of its choosing
 *   run again and each result is rendered as the terminal report (colours on, with the
 *   transcript) and as a fleet-table row.
 *
 *   npm run soak                                   # 10 000 sessions, seed 1
 *   node --expose-gc dist/bench/soak.js --sessions 2000 --seed 7 --workers 32 --json
 *
 * Loopback only: the servers listen on 127.0.0.1, the DNS server is the fixture's, and
 * every probe is given that resolver. Exit code 0 when every check holds, 1 otherwise.
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { probe } from '../src/core/engine.js';
import { renderFleetTable } from '../src/report/fleet.js';
import { renderText } from '../src/report/text.js';
import type { ProbeResult } from '../src/core/result.js';
import {
  hostile,
  plainPrefix,
  prng,
  startDns,
  startRaw,
  type DnsServer,
  type Hostile,
  type RawHandler,
  type RawServer,
  type ZoneEntry,
} from '../test/fixtures/index.js';

/** The bound on how late a verdict may come after the deadline. */
const GRACE_MS = 250;
/**
 * Share of sessions that may time out although their server answered: a loaded machine
 * can starve the process past a window (the event-loop delay in the report shows it).
 */
const SLOW_SHARE = 0.02;
/** Heap growth allowed across the whole run, after a forced GC at both ends. */
const HEAP_BOUND_MB = 16;

/** Text a hostile server puts in its greeting and EHLO reply: none of it may reach a terminal raw. */
const INJECTIONS = [
  '\x1b]0;pwned\x07', // OSC 0: set the window title
  '\x1b[2J\x1b[H', // clear the screen, cursor home
  'ok\rFAKE healthy', // CR: overwrite the line
  'nul\x00byte',
  '\x9b31m', // C1 CSI
  '\u202egnp.exe', // right-to-left override
  '\u2066isolate\u2069',
  '\x1b]8;;http://127.0.0.1/\x07link\x1b]8;;\x07', // OSC 8 hyperlink
];
/** Raw controls (C0 but LF, DEL, C1) and the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/** Our own colours: SGR `ESC [ n m`. */
// eslint-disable-next-line no-control-regex
const OUR_SGR = /\x1b\[[0-9]+m/g;

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
  },
});
const SESSIONS = Number(args.sessions);
const SEED = Number(args.seed);
const WORKERS = Number(args.workers);
if (!(SESSIONS > 0 && Number.isInteger(SEED) && WORKERS > 0)) {
  process.stderr.write('soak: --sessions, --seed and --workers take positive whole numbers\n');
  process.exit(3);
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('soak: run node with --expose-gc (npm run soak does)\n');
  process.exit(3);
}

/** One acceptable outcome; `code: null` means a healthy verdict. */
interface Outcome {
  stage?: string;
  kind?: string;
  code: string | null;
}

interface Plan {
  index: number;
  behaviour: Hostile;
  /** DNS for this session: none (an IP literal), or a name answered so. */
  dns: 'none' | 'ok' | 'silent' | 'servfail';
  dnsDelayMs: number;
  timeoutMs: number;
  deadlineMs: number;
  expect: Outcome[];
  finding: boolean;
}

/**
 * Injected text for the sessions that greet, from a stream of its own, so that the plans
 * (and the figures of runs before it) stay what they were for a seed.
 */
function inject(plans: Plan[], seed: number): Plan[] {
  const rnd = prng(seed ^ 0x5a17);
  return plans.map((plan) => {
    const b = plan.behaviour;
    if ((b.kind !== 'healthy' && b.kind !== 'plain') || rnd() >= 1 / 3) return plan;
    const text = INJECTIONS.filter(() => rnd() < 0.5).join(' ') || (INJECTIONS[0] as string);
    return { ...plan, behaviour: { ...b, inject: text } };
  });
}

const GREETING = plainPrefix().indexOf('\r\n') + 2;

/** Draws every session's plan from one seeded stream: the same seed, the same run. */
function planSessions(count: number, seed: number): Plan[] {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const weighted: Array<[number, () => [Hostile, Outcome[]]]> = [
    [14, () => [{ kind: 'healthy' }, [{ code: null }]]],
    [6, () => [{ kind: 'healthy', delayMs: int(1, 40) }, [{ code: null }]]],
    [6, () => [{ kind: 'plain' }, [{ stage: 'starttls', kind: 'starttls-not-offered', code: '4.4.317' }]]],
    [
      5,
      () => [
        { kind: 'error-banner', line: pick(['421 4.3.2 Service not available', '554 5.7.1 No SMTP service here', '450 4.7.1 Try again later']) },
        [{ stage: 'banner', kind: 'reply', code: '4.4.317' }],
      ],
    ],
    [5, () => [{ kind: 'silent' }, [{ stage: 'banner', kind: 'timeout', code: '4.4.318' }]]],
    [5, () => [{ kind: 'stall-after-banner' }, [{ stage: 'ehlo', kind: 'timeout', code: '4.4.318' }]]],
    [
      8,
      () => {
        const at = int(0, plainPrefix().length - 1);
        return [{ kind: 'truncate', at, how: 'fin' }, [{ stage: at < GREETING ? 'banner' : 'ehlo', kind: 'closed', code: '4.4.318' }]];
      },
    ],
    [
      6,
      () => {
        const at = int(0, plainPrefix().length - 1);
        const stage = at < GREETING ? 'banner' : 'ehlo';
        return [
          { kind: 'truncate', at, how: 'rst' },
          [
            { stage, kind: 'reset', code: '4.4.318' },
            { stage, kind: 'closed', code: '4.4.318' },
            // a RST right after the accept can beat the client's connect (test/hostile.test.ts)
            ...(at <= GREETING ? [{ stage: 'tcp', kind: 'connect-refused', code: '4.4.316' }] : []),
          ],
        ];
      },
    ],
    [6, () => [{ kind: 'garbage', bytes: int(1, 2048), seed: int(1, 1e9) }, [{ stage: 'banner', kind: 'protocol', code: 'other' }]]],
    [
      6,
      () => [
        { kind: 'oversize', bytes: int(4200, 1024 * 1024), crlf: rnd() < 0.5 },
        [{ stage: 'banner', kind: 'protocol', code: 'other' }],
      ],
    ],
    [4, () => [{ kind: 'endless', stage: 'ehlo' }, [{ stage: 'ehlo', kind: 'protocol', code: 'other' }]]],
    [2, () => [{ kind: 'endless', stage: 'banner', everyMs: int(20, 60) }, [{ stage: 'banner', kind: 'timeout', code: '4.4.318' }]]],
    [4, () => [{ kind: 'drip', everyMs: int(50, 2000) }, [{ stage: 'banner', kind: 'timeout', code: '4.4.318' }]]],
    [
      6,
      () => [
        { kind: 'tls-garbage', bytes: int(1, 4096), seed: int(1, 1e9) },
        // whatever OpenSSL makes of the noise, it is a failed negotiation (4.4.317)
        ['tls-handshake', 'tls-version', 'tls-no-shared-cipher'].map((kind) => ({ stage: 'tls', kind, code: '4.4.317' })),
      ],
    ],
    [5, () => [{ kind: 'tls-stall', bytes: int(1, 1000) }, [{ stage: 'tls', kind: 'timeout', code: '4.4.318' }]]],
    [4, () => [{ kind: 'firewall' }, [{ stage: 'starttls', kind: 'starttls-not-offered', code: '4.4.317' }]]],
  ];
  const total = weighted.reduce((sum, [w]) => sum + w, 0);
  return Array.from({ length: count }, (_, index): Plan => {
    let r = rnd() * total;
    const [, draw] = weighted.find(([w]) => (r -= w) < 0) ?? (weighted[0] as (typeof weighted)[number]);
    const [behaviour, expectWire] = draw();
    const d = rnd();
    const dns: Plan['dns'] = d < 0.88 ? 'none' : d < 0.96 ? 'ok' : d < 0.98 ? 'silent' : 'servfail';
    // A deadline of 500 ms under a 700 ms stage timeout: the deadline, not the stage, ends it.
    const timeoutMs = pick([300, 700]);
    const deadlineMs = pick([500, 1500]);
    const expect: Outcome[] =
      dns === 'silent'
        ? [{ stage: 'dns', kind: 'dns-timeout', code: '4.4.312' }]
        : dns === 'servfail'
          ? [{ stage: 'dns', kind: 'dns-servfail', code: '4.4.312' }]
          : expectWire;
    const finding = behaviour.kind === 'firewall' && dns !== 'silent' && dns !== 'servfail';
    return { index, behaviour, dns, dnsDelayMs: dns === 'ok' ? int(0, 30) : 0, timeoutMs, deadlineMs, expect, finding };
  });
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) return false;
    await sleep(20);
  }
  return true;
}

function zoneFor(plans: Plan[]): Record<string, ZoneEntry | 'TIMEOUT' | 'SERVFAIL'> {
  const zone: Record<string, ZoneEntry | 'TIMEOUT' | 'SERVFAIL'> = {};
  for (const p of plans) {
    const name = `s${p.index}.soak.test`;
    if (p.dns === 'ok') zone[name] = { A: ['127.0.0.1'], delayMs: p.dnsDelayMs };
    else if (p.dns === 'silent') zone[name] = 'TIMEOUT';
    else if (p.dns === 'servfail') zone[name] = 'SERVFAIL';
  }
  return zone;
}

interface Worker {
  server: RawServer;
  current: RawHandler;
}

async function main(): Promise<number> {
  let unhandled = 0;
  let uncaught = 0;
  const firstErrors: string[] = [];
  process.on('unhandledRejection', (reason) => {
    unhandled++;
    if (firstErrors.length < 5) firstErrors.push(`unhandledRejection: ${String((reason as Error)?.stack ?? reason)}`);
  });
  process.on('uncaughtException', (err) => {
    uncaught++;
    if (firstErrors.length < 5) firstErrors.push(`uncaughtException: ${err.stack ?? String(err)}`);
  });
  const warnings: string[] = [];
  process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

  const plans = inject(planSessions(SESSIONS, SEED), SEED);
  const warmup = planSessions(Math.min(WORKERS * 2, 200), SEED + 1);
  // libuv keeps one /dev/null descriptor in reserve from the first listen on (its EMFILE
  // trick): open and close a listener first, so the count before the servers includes it.
  await startRaw(() => {}).then((s) => s.close());
  const fdsBeforeServers = openFds();
  const dns: DnsServer = await startDns(zoneFor(plans));
  const workers: Worker[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const worker: Worker = { server: undefined as unknown as RawServer, current: () => {} };
    worker.server = await startRaw((socket) => worker.current(socket));
    workers.push(worker);
  }

  const late: Array<{ index: number; ms: number; deadlineMs: number; stalledMs: number }> = [];
  /** Late verdicts the machine explains: the event loop got no turn for that long after the deadline. */
  const starved: typeof late = [];
  // Event-loop stalls with their end time: a late verdict is the prober's fault only if
  // it is later than the grace plus the time the process was not run after the deadline.
  const stalls: Array<{ end: number; ms: number }> = [];
  let tick = performance.now();
  const stallMeter = setInterval(() => {
    const now = performance.now();
    if (now - tick > 15) stalls.push({ end: now, ms: now - tick - 5 });
    if (stalls.length > 10_000) stalls.splice(0, 5_000);
    tick = now;
  }, 5);
  const stalledBetween = (from: number, to: number): number =>
    stalls.filter((s) => s.end > from && s.end - s.ms < to).reduce((sum, s) => sum + Math.min(s.end, to) - Math.max(s.end - s.ms, from), 0);
  type Mismatch = { index: number; behaviour: Hostile; dns: string; got: Outcome; expected: Outcome[] };
  /** Verdicts no timing can explain: a bug. */
  const mismatches: Mismatch[] = [];
  /**
   * A timeout where the behaviour answers in time: what a starved process sees (the
   * machine did not run it before the window closed). Allowed up to SLOW_SHARE.
   */
  const slow: Mismatch[] = [];
  const codes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  let maxOvershootMs = -Infinity;
  /** Sessions and reports of the reports pass, sessions with injected text, and raw control characters found. */
  const output = { sessions: 0, rendered: 0, injected: 0, rawControls: 0, firstRaw: [] as string[] };
  const scan = (plan: Plan, text: string, color: boolean): void => {
    output.rendered++;
    const scanned = color ? text.replace(OUR_SGR, '') : text;
    for (const m of scanned.matchAll(RAW_CONTROL)) {
      output.rawControls++;
      const at = m.index ?? 0;
      if (output.firstRaw.length < 5) output.firstRaw.push(`session ${plan.index}: U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} in ${JSON.stringify(scanned.slice(Math.max(0, at - 30), at + 10))}`);
    }
  };
  let peakHeap = 0;
  let peakRss = 0;

  /** `record`: the timed run; `render`: the reports pass after it; `warm-up`: neither. */
  const runOne = async (worker: Worker, plan: Plan, mode: 'warm-up' | 'record' | 'render'): Promise<void> => {
    worker.current = hostile(plan.behaviour);
    const target = plan.dns === 'none' ? '127.0.0.1' : `s${plan.index}.soak.test`;
    const started = performance.now();
    let result: ProbeResult;
    try {
      result = await probe(target, {
        port: worker.server.port,
        resolvers: [dns.address],
        ehloName: 'soak.demo.test',
        tlsMode: 'encryption-only',
        timeoutMs: plan.timeoutMs,
        deadlineMs: plan.deadlineMs,
      });
    } catch (err) {
      // probe() throws only for bad options: anything here is a bug, counted as a mismatch.
      mismatches.push({ index: plan.index, behaviour: plan.behaviour, dns: plan.dns, got: { kind: `threw ${String(err)}`, code: null }, expected: plan.expect });
      return;
    }
    const ms = performance.now() - started;
    if (mode === 'render') {
      // The reports a user could be shown of this result: 0 raw controls. Colours off is
      // the same text without our SGR sequences, which the scan strips: one rendering
      // covers both.
      output.sessions++;
      if ('inject' in plan.behaviour && plan.behaviour.inject !== undefined) output.injected++;
      scan(plan, renderText(result, { color: true, transcript: true }), true);
      scan(plan, renderFleetTable([{ name: target, index: plan.index, result }]), false);
      return;
    }
    if (mode !== 'record') return;
    maxOvershootMs = Math.max(maxOvershootMs, ms - plan.deadlineMs);
    if (ms > plan.deadlineMs + GRACE_MS) {
      const stalledMs = Math.round(stalledBetween(started + plan.deadlineMs, started + ms));
      const entry = { index: plan.index, ms: Math.round(ms), deadlineMs: plan.deadlineMs, stalledMs };
      (ms - stalledMs > plan.deadlineMs + GRACE_MS ? late : starved).push(entry);
    }
    const path = result.paths[0];
    const got: Outcome = { ...(path?.failure ? { stage: path.failure.stage, kind: path.failure.kind } : {}), code: result.code };
    const matches = plan.expect.some((e) => e.stage === got.stage && e.kind === got.kind && e.code === got.code);
    const findingOk = plan.finding === Boolean(path?.findings?.some((f) => f.kind === 'smtp-inspection'));
    if (!matches || !findingOk || result.paths.length !== 1) {
      const m = { index: plan.index, behaviour: plan.behaviour, dns: plan.dns, got, expected: plan.expect };
      const timedOut = got.kind === 'timeout' || got.kind === 'dns-timeout' || got.kind === 'connect-timeout';
      if (timedOut && result.paths.length === 1 && !plan.expect.some((e) => e.kind === got.kind && e.stage === got.stage)) slow.push(m);
      else mismatches.push(m);
    }
    codes[String(got.code)] = (codes[String(got.code)] ?? 0) + 1;
    kinds[plan.behaviour.kind] = (kinds[plan.behaviour.kind] ?? 0) + 1;
  };

  const runAll = async (list: Plan[], mode: 'warm-up' | 'record' | 'render'): Promise<void> => {
    let next = 0;
    await Promise.all(
      workers.map(async (worker) => {
        while (next < list.length) await runOne(worker, list[next++] as Plan, mode);
      }),
    );
  };

  const allIdle = (): boolean => workers.every((w) => w.server.connections() === 0) && dns.connections() === 0;

  // Warm up (TLS contexts, c-ares, JIT), then take the baselines the run must return to.
  await runAll(warmup.map((p) => ({ ...p, dns: 'none' as const })), 'warm-up');
  await waitFor(allIdle, 5000);
  await sleep(100);
  const heapBaseline = settledHeap();
  const fdBaseline = openFds();

  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 100);
  // How long the event loop went without a turn: when this is large the machine starved
  // the process (a shared CI box), and a late verdict says more about it than about us.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const t0 = performance.now();
  await runAll(plans, 'record');
  const seconds = (performance.now() - t0) / 1000;
  loop.disable();
  clearInterval(sampler);
  clearInterval(stallMeter);

  const idle = await waitFor(allIdle, 5000);
  const fdsSettled = await waitFor(() => openFds() <= fdBaseline, 3000);
  const fdFinal = openFds();
  await sleep(100);
  const heapFinal = settledHeap();

  // The reports pass, after the measurements (rendering costs CPU the timed run must not
  // pay, and nothing is kept): the sessions whose server sent text of its choosing.
  const TEXT_KINDS = new Set<Hostile['kind']>(['error-banner', 'truncate', 'garbage', 'oversize', 'endless', 'tls-garbage', 'firewall']);
  const carriesText = (p: Plan): boolean => TEXT_KINDS.has(p.behaviour.kind) || ('inject' in p.behaviour && p.behaviour.inject !== undefined);
  await runAll(plans.filter(carriesText).slice(0, Math.max(600, Math.ceil(SESSIONS / 10))), 'render');

  for (const w of workers) await w.server.close();
  await dns.close();
  await waitFor(() => openFds() <= fdsBeforeServers, 3000);
  const fdAfterClose = openFds();

  const growthMb = mb(heapFinal - heapBaseline);
  const report = {
    seed: SEED,
    sessions: SESSIONS,
    workers: WORKERS,
    seconds: Math.round(seconds * 10) / 10,
    sessionsPerSecond: Math.round(SESSIONS / seconds),
    deadline: {
      graceMs: GRACE_MS,
      maxOvershootMs: Math.round(maxOvershootMs),
      late: late.length,
      firstLate: late.slice(0, 5),
      starved: starved.length,
      starvedBound: Math.floor(SESSIONS * SLOW_SHARE),
      firstStarved: starved.slice(0, 3),
    },
    eventLoopDelayMs: { p50: Math.round(loop.percentile(50) / 1e6), p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) },
    verdicts: {
      mismatches: mismatches.length,
      firstMismatches: mismatches.slice(0, 5),
      slow: slow.length,
      slowBound: Math.floor(SESSIONS * SLOW_SHARE),
      firstSlow: slow.slice(0, 3),
      codes,
      behaviours: kinds,
    },
    output,
    heap: { baselineMb: mb(heapBaseline), finalMb: mb(heapFinal), growthMb, boundMb: HEAP_BOUND_MB, peakMb: mb(peakHeap), peakRssMb: mb(peakRss) },
    fds: { beforeServers: fdsBeforeServers, baseline: fdBaseline, final: fdFinal, afterClose: fdAfterClose, serversIdle: idle },
    unhandledRejections: unhandled,
    uncaughtExceptions: uncaught,
    firstErrors,
    warnings: warnings.slice(0, 5),
    ok: false,
  };
  report.ok =
    late.length === 0 &&
    starved.length <= Math.floor(SESSIONS * SLOW_SHARE) &&
    mismatches.length === 0 &&
    output.rawControls === 0 &&
    slow.length <= Math.floor(SESSIONS * SLOW_SHARE) &&
    growthMb <= HEAP_BOUND_MB &&
    fdsSettled &&
    fdFinal <= fdBaseline &&
    fdAfterClose <= fdsBeforeServers &&
    idle &&
    unhandled === 0 &&
    uncaught === 0 &&
    warnings.length === 0;

  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    const lines = [
      `soak: ${report.sessions} sessions, seed ${SEED}, ${WORKERS} in flight: ${report.seconds} s (${report.sessionsPerSecond} sessions/s)`,
      `  deadline: ${late.length} late (> deadline + ${GRACE_MS} ms, not explained by the machine); ${starved.length} later but the process was not run that long after the deadline (bound ${report.deadline.starvedBound}); latest verdict ${report.deadline.maxOvershootMs} ms after its deadline`,
      `  event loop delay: p50 ${report.eventLoopDelayMs.p50} ms, p99 ${report.eventLoopDelayMs.p99} ms, max ${report.eventLoopDelayMs.max} ms`,
      `  verdicts: ${mismatches.length} not as the behaviour calls for; ${slow.length} timed out where the server answered (bound ${report.verdicts.slowBound}); codes ${JSON.stringify(codes)}`,
      `  reports: ${output.rendered} rendered of ${output.sessions} sessions whose server sent text (${output.injected} with injected escapes), ${output.rawControls} raw control characters`,
      ...output.firstRaw.map((r) => `  raw: ${r}`),
      `  heap after GC: ${report.heap.baselineMb} MB → ${report.heap.finalMb} MB (growth ${growthMb} MB, bound ${HEAP_BOUND_MB} MB); peak ${report.heap.peakMb} MB heap, ${report.heap.peakRssMb} MB RSS`,
      `  open fds: ${fdsBeforeServers} before the servers, ${fdBaseline} at the start, ${fdFinal} at the end, ${fdAfterClose} after closing the servers`,
      `  unhandled rejections ${unhandled}, uncaught exceptions ${uncaught}, warnings ${warnings.length}`,
      ...firstErrors.map((e) => `  ${e}`),
      ...warnings.slice(0, 5).map((w) => `  warning: ${w}`),
      ...mismatches.slice(0, 5).map((m) => `  mismatch: ${JSON.stringify(m)}`),
      ...late.slice(0, 5).map((l) => `  late: ${JSON.stringify(l)}`),
      ...slow.slice(0, 3).map((m) => `  slow: ${JSON.stringify(m)}`),
      ...starved.slice(0, 3).map((m) => `  starved: ${JSON.stringify(m)}`),
      report.ok ? 'soak: OK' : 'soak: FAILED',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.ok ? 0 : 1;
}

process.exitCode = await main();
