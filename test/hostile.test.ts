/**
 * Hostile and broken servers: every probe ends by its deadline (+ 250 ms, + the event
 * loop's measured lag: test/fixtures/timing.ts) with the right
 * code, holds its memory to the reader's bounds, and leaves no socket, timer or
 * unhandled rejection behind. Real loopback servers only (test/fixtures/hostile.ts).
 */
import { getEventListeners } from 'node:events';
import { readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  certSet,
  hostile,
  plainPrefix,
  startDns,
  startInspectingFirewall,
  startRaw,
  startSmtp,
  timeWithLag,
  GRACE_MS,
  type DnsServer,
  type Hostile,
  type RawHandler,
  loopbackProbeOptions,
} from './fixtures/index.js';
import { probe } from '../src/core/engine.js';
import type { ProbeOptions } from '../src/core/options.js';
import { renderText } from '../src/report/text.js';
import type { ProbeResult } from '../src/core/result.js';
import { REPLY_LIMITS } from '../probes/smtp.js';


const openFds = (): number => readdirSync('/proc/self/fd').length;
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

let dns: DnsServer;
let baseline: { fds: number; timers: number };
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => void rejections.push(reason);
// A listener leak on an AbortSignal shows as MaxListenersExceededWarning: none may appear.
const warnings: string[] = [];
const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  process.on('warning', onWarning);
  dns = await startDns({
    'mx1.demo.test': { A: ['127.0.0.1'] },
    'silent-dns.demo.test': 'TIMEOUT',
    'slow-dns.demo.test': { A: ['127.0.0.1'], delayMs: 1500 },
    'late-dns.demo.test': { A: ['127.0.0.1'], delayMs: 150 },
  });
  certSet().valid(); // keys are made once, before anything is measured
  baseline = { fds: openFds(), timers: timers() };
});

afterEach(() => {
  expect(rejections).toEqual([]);
  expect(warnings).toEqual([]);
});

afterAll(async () => {
  // Every socket, resolver and timer the probes opened is gone: back to the count taken
  // once the DNS fixture was up, with every per-test server closed.
  await vi.waitFor(() => expect(openFds()).toBe(baseline.fds), { timeout: 3000 });
  expect(timers()).toBeLessThanOrEqual(baseline.timers);
  process.off('unhandledRejection', onRejection);
  process.off('warning', onWarning);
  expect(rejections).toEqual([]);
  await dns.close();
});

function options(port: number, extra: ProbeOptions = {}): ProbeOptions {
  return { ...loopbackProbeOptions(dns, port, { timeoutMs: 800, deadlineMs: 4000 }), ...extra };
}

async function serve(handler: RawHandler) {
  const server = await startRaw(handler);
  onTestFinished(async () => {
    // The prober destroyed its end: the server sees no open connection.
    await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
    await server.close();
  });
  return server;
}

/**
 * Probes and times it; asserts the deadline bound every probe is held to. `lagMs` is how
 * long the event loop was held up meanwhile: every upper bound adds it.
 */
async function timed(target: string, opts: ProbeOptions): Promise<{ result: ProbeResult; ms: number; lagMs: number }> {
  const { value: result, ms, lagMs } = await timeWithLag(() => probe(target, opts));
  expect(ms).toBeLessThanOrEqual((opts.deadlineMs as number) + GRACE_MS + lagMs);
  return { result, ms, lagMs };
}

function failureOf(result: ProbeResult) {
  const path = result.paths[0];
  return { stage: path?.failure?.stage, kind: path?.failure?.kind, code: result.code };
}

describe('slow servers end by the stage timeout or the deadline, whichever comes first', () => {
  it('a greeting dripped one byte every 2 s ends at the deadline, not at the last byte', async () => {
    const server = await serve(hostile({ kind: 'drip', everyMs: 2000 }));
    // The stage may wait 10 s, the probe only 2.5 s: the deadline ends it, a byte came in between.
    const { result, ms } = await timed('127.0.0.1', options(server.port, { timeoutMs: 10_000, deadlineMs: 2500 }));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'timeout', code: '4.4.318' });
    expect(ms).toBeGreaterThanOrEqual(2400);
    expect(result.message).toMatch(/^450 4\.4\.318 Connection was closed abruptly/);
  });

  it('a byte every 200 ms does not reset the stage timer', async () => {
    const server = await serve(hostile({ kind: 'drip', everyMs: 200 }));
    // An idle timer would never fire here (no gap is 800 ms long); the stage window does.
    const { result, ms, lagMs } = await timed('127.0.0.1', options(server.port, { timeoutMs: 800, deadlineMs: 20_000 }));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'timeout', code: '4.4.318' });
    expect(ms).toBeLessThan(800 + GRACE_MS + lagMs);
    expect(result.paths[0]?.failure?.timeoutMs).toBe(800);
  });

  it('a banner that never ends (a 220- line every 100 ms) times out', async () => {
    const server = await serve(hostile({ kind: 'endless', stage: 'banner', everyMs: 100 }));
    const { result, ms, lagMs } = await timed('127.0.0.1', options(server.port, { timeoutMs: 700 }));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'timeout', code: '4.4.318' });
    expect(ms).toBeLessThan(700 + GRACE_MS + lagMs);
  });

  it('no reply to EHLO: a stall mid-session is 4.4.318', async () => {
    const server = await serve(hostile({ kind: 'stall-after-banner' }));
    const { result } = await timed('127.0.0.1', options(server.port, { timeoutMs: 500 }));
    expect(failureOf(result)).toEqual({ stage: 'ehlo', kind: 'timeout', code: '4.4.318' });
  });

  it('replies that each take most of the stage timeout still pass', async () => {
    const server = await serve(hostile({ kind: 'healthy', delayMs: 250 }));
    const { result } = await timed('127.0.0.1', options(server.port, { timeoutMs: 800 }));
    expect(result.verdict).toBe('healthy');
  });
});

describe('oversize and garbage are protocol failures (other), with evidence, in bounded memory', () => {
  it('endless 250- continuation lines stop at the line limit', async () => {
    const server = await serve(hostile({ kind: 'endless', stage: 'ehlo' }));
    const { result, ms, lagMs } = await timed('127.0.0.1', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'ehlo', kind: 'protocol', code: 'other' });
    expect(result.paths[0]?.failure?.message).toBe(`a reply longer than ${REPLY_LIMITS.lines} lines or 64 KiB`);
    expect(result.paths[0]?.failure?.evidence).toMatch(/^250-mx1\.demo\.test line \d+/);
    expect(ms).toBeLessThan(800 + lagMs); // found by counting, not by waiting
    // The transcript is bounded too: the lines up to the limit, each at most 600 characters.
    expect(result.paths[0]?.transcript.length).toBeLessThanOrEqual(REPLY_LIMITS.lines + 5);
  });

  it('a banner of 200+ 220- lines sent at once stops at the line limit', async () => {
    const server = await serve(hostile({ kind: 'endless', stage: 'banner' }));
    const { result } = await timed('127.0.0.1', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'protocol', code: 'other' });
  });

  it('a 10 MB line is cut at 4 KiB and never buffered', async () => {
    const server = await serve(hostile({ kind: 'oversize', bytes: 10 * 1024 * 1024, crlf: true }));
    const before = process.memoryUsage();
    let peakExternal = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakExternal = Math.max(peakExternal, now.arrayBuffers - before.arrayBuffers);
    }, 1);
    try {
      const { result } = await timed('127.0.0.1', options(server.port));
      expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'protocol', code: 'other' });
      expect(result.paths[0]?.failure?.message).toBe(`a reply line longer than ${REPLY_LIMITS.lineBytes} bytes`);
      expect(result.paths[0]?.failure?.evidence).toMatch(/^220 AAAA.*…$/);
      expect(result.paths[0]?.failure?.evidence?.length).toBeLessThanOrEqual(81);
    } finally {
      clearInterval(sampler);
    }
    // Socket chunks come and go (64 KiB each); a buffered line would hold 10 MB.
    expect(peakExternal).toBeLessThan(2 * 1024 * 1024);
  });

  it('a long line without CRLF is cut the same way', async () => {
    const server = await serve(hostile({ kind: 'oversize', bytes: 100_000, crlf: false }));
    const { result } = await timed('127.0.0.1', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'protocol', code: 'other' });
  });

  it('binary garbage instead of a banner is named at once, not after a timeout', async () => {
    const server = await serve(hostile({ kind: 'garbage', bytes: 64, seed: 7 }));
    const { result, ms, lagMs } = await timed('127.0.0.1', options(server.port, { timeoutMs: 3000 }));
    expect(failureOf(result)).toEqual({ stage: 'banner', kind: 'protocol', code: 'other' });
    expect(result.paths[0]?.failure?.evidence).toMatch(/^\\x[89a-f][0-9a-f]/);
    expect(ms).toBeLessThan(1000 + lagMs);
    expect(result.message).toMatch(/^other: the server sent something that is not an SMTP reply/);
  });

  it('a truncated reply at any byte: closed (4.4.318) at the stage that waited', async () => {
    const stream = plainPrefix();
    const greeting = stream.indexOf('\r\n') + 2;
    for (let at = 0; at < stream.length; at++) {
      const server = await startRaw(hostile({ kind: 'truncate', at, how: 'fin' }));
      try {
        const { result } = await timed('127.0.0.1', options(server.port));
        expect({ at, ...failureOf(result) }).toEqual({ at, stage: at < greeting ? 'banner' : 'ehlo', kind: 'closed', code: '4.4.318' });
        // What the server had begun to say is kept.
        const midLine = at > 0 && stream[at - 1] !== 0x0a;
        expect(Boolean(result.paths[0]?.failure?.evidence)).toBe(midLine);
        await vi.waitFor(() => expect(server.connections()).toBe(0));
      } finally {
        await server.close();
      }
    }
  });

  it('a reset at any byte: 4.4.318', async () => {
    const stream = plainPrefix();
    const greeting = stream.indexOf('\r\n') + 2;
    for (let at = 0; at < stream.length; at += 7) {
      const server = await startRaw(hostile({ kind: 'truncate', at, how: 'rst' }));
      try {
        const { result } = await timed('127.0.0.1', options(server.port));
        const f = failureOf(result);
        if (at <= greeting && f.stage === 'tcp') {
          // A RST right after the accept (client and server share this event loop) can
          // reach the client before its connect completes: Node then reports the connect
          // as reset, which is a refusal.
          expect(f).toEqual({ stage: 'tcp', kind: 'connect-refused', code: '4.4.316' });
          continue;
        }
        expect(f.code).toBe('4.4.318');
        expect(['reset', 'closed']).toContain(f.kind);
        expect(f.stage).toBe(at < greeting ? 'banner' : 'ehlo');
      } finally {
        await server.close();
      }
    }
  });
});

describe('TLS: garbage and stalls', () => {
  it('garbage where the ServerHello belongs: tls-handshake, 4.4.317', async () => {
    // Exchange reports a broken handshake as 4.4.317 with "TLS negotiation failed" (Schannel:
    // SEC_E_ILLEGAL_MESSAGE, "Security status IllegalMessage"): the server answered, wrongly.
    const server = await serve(hostile({ kind: 'tls-garbage', bytes: 200, seed: 3 }));
    const { result, ms, lagMs } = await timed('127.0.0.1', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'tls', kind: 'tls-handshake', code: '4.4.317' });
    expect(result.message).toContain('[Message=451 4.4.0 TLS negotiation failed with error SocketError]');
    expect(ms).toBeLessThan(800 + lagMs);
  });

  it('a handshake stalled half-way through the server flight: timeout, 4.4.318', async () => {
    const server = await serve(hostile({ kind: 'tls-stall', bytes: 100 }));
    const { result, ms, lagMs } = await timed('127.0.0.1', options(server.port, { timeoutMs: 700 }));
    expect(failureOf(result)).toEqual({ stage: 'tls', kind: 'timeout', code: '4.4.318' });
    expect(ms).toBeLessThan(700 * 2 + GRACE_MS + lagMs); // banner, EHLO and STARTTLS are instant; TLS gets one window
  });

  it('a stalled handshake ends at the deadline when that comes first', async () => {
    const server = await serve(hostile({ kind: 'tls-stall', bytes: 1 }));
    const { result, ms } = await timed('127.0.0.1', options(server.port, { timeoutMs: 30_000, deadlineMs: 1200 }));
    expect(failureOf(result)).toEqual({ stage: 'tls', kind: 'timeout', code: '4.4.318' });
    expect(ms).toBeGreaterThanOrEqual(1150);
  });
});

describe('DNS: silence and slowness', () => {
  it('a DNS server that never answers ends at the deadline: 4.4.312', async () => {
    dns.queries.length = 0;
    const { result, ms } = await timed('silent-dns.demo.test', options(25, { timeoutMs: 30_000, deadlineMs: 1200 }));
    expect(failureOf(result)).toEqual({ stage: 'dns', kind: 'dns-timeout', code: '4.4.312' });
    expect(ms).toBeGreaterThanOrEqual(1150);
    expect(dns.queries.some((q) => q.name === 'silent-dns.demo.test')).toBe(true);
  });

  it('an answer slower than the stage timeout: 4.4.312', async () => {
    const { result, ms, lagMs } = await timed('slow-dns.demo.test', options(25, { timeoutMs: 600 }));
    expect(failureOf(result)).toEqual({ stage: 'dns', kind: 'dns-timeout', code: '4.4.312' });
    expect(ms).toBeLessThan(600 + GRACE_MS + lagMs);
  });

  it('a slow but timely answer goes on to SMTP', async () => {
    const server = await serve(hostile({ kind: 'healthy' }));
    const { result } = await timed('late-dns.demo.test', options(server.port, { tlsMode: 'encryption-only' }));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.stages[0]).toMatchObject({ name: 'dns', ok: true });
  });
});

describe('a batch of hostile paths in one probe', () => {
  it('each path gets its own verdict; the batch ends by the deadline', async () => {
    const behaviours: Array<[Hostile, { stage?: string; kind?: string; code: string | null }]> = [
      [{ kind: 'healthy' }, { code: null }],
      [{ kind: 'silent' }, { stage: 'banner', kind: 'timeout', code: '4.4.318' }],
      [{ kind: 'garbage', bytes: 32 }, { stage: 'banner', kind: 'protocol', code: 'other' }],
      [{ kind: 'endless', stage: 'ehlo' }, { stage: 'ehlo', kind: 'protocol', code: 'other' }],
      [{ kind: 'tls-garbage', bytes: 64 }, { stage: 'tls', kind: 'tls-handshake', code: '4.4.317' }],
      [{ kind: 'tls-stall', bytes: 50 }, { stage: 'tls', kind: 'timeout', code: '4.4.318' }],
      [{ kind: 'error-banner', line: '554 5.7.1 No service' }, { stage: 'banner', kind: 'reply', code: '4.4.317' }],
      [{ kind: 'firewall' }, { stage: 'starttls', kind: 'starttls-not-offered', code: '4.4.317' }],
      [{ kind: 'drip', everyMs: 2000 }, { stage: 'banner', kind: 'timeout', code: '4.4.318' }],
    ];
    // One port, a different loopback address (and behaviour) per path.
    const first = await serve(hostile(behaviours[0]![0]));
    for (const [i, [b]] of behaviours.entries()) {
      if (i) await (async () => {
        const server = await startRaw(hostile(b), { host: `127.0.0.${i + 1}`, port: first.port });
        onTestFinished(async () => {
          await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 });
          await server.close();
        });
      })();
    }
    const targets = behaviours.map((_, i) => `127.0.0.${i + 1}`);
    const { value: result, ms, lagMs } = await timeWithLag(() =>
      probe(targets, options(first.port, { tlsMode: 'encryption-only', timeoutMs: 1500, deadlineMs: 4000, concurrency: 16 })),
    );
    expect(ms).toBeLessThanOrEqual(4000 + GRACE_MS + lagMs);
    expect(result.paths.map((p) => ({ stage: p.failure?.stage, kind: p.failure?.kind, code: p.code }))).toEqual(
      behaviours.map(([, e]) => ({ stage: e.stage, kind: e.kind, code: e.code })),
    );
    expect(result.verdict).toBe('degraded');
  });
});

describe('a firewall that inspects SMTP (Cisco PIX fixup smtp / ASA ESMTP inspection)', () => {
  async function behindFirewall(mode: 'asa' | 'pix') {
    const smtp = await startSmtp();
    const firewall = await startInspectingFirewall({ host: smtp.host, port: smtp.port }, mode);
    onTestFinished(async () => {
      await vi.waitFor(() => expect(firewall.connections()).toBe(0), { timeout: 2000 });
      await firewall.close();
      await vi.waitFor(() => expect(smtp.connections()).toBe(0), { timeout: 2000 });
      await smtp.close();
    });
    return { smtp, firewall };
  }

  it('ASA: masked banner, STARTTLS rewritten to XXXXXXXA → 4.4.317 starttls-not-offered, and the firewall named', async () => {
    const { firewall } = await behindFirewall('asa');
    const { result } = await timed('mx1.demo.test', options(firewall.port));
    expect(failureOf(result)).toEqual({ stage: 'starttls', kind: 'starttls-not-offered', code: '4.4.317' });
    const path = result.paths[0];
    expect(path?.transcript[0]).toMatch(/^S: 220 \*+/);
    expect(path?.transcript).toContain('S: 250-XXXXXXXA');
    expect(path?.findings).toHaveLength(1);
    expect(path?.findings?.[0]).toMatchObject({ kind: 'smtp-inspection', title: 'An SMTP-inspecting firewall is in the path' });
    expect(path?.findings?.[0]?.evidence).toEqual([path?.transcript[0]?.slice(3), '250-XXXXXXXA']);
    expect(path?.findings?.[0]?.message).toMatch(/STARTTLS in the EHLO reply was replaced with XXXXXXXA/);
    expect(result.diagnosis?.findings?.[0]?.fixes.join(' ')).toMatch(/no inspect esmtp/);
    expect(result.diagnosis?.firstFix).toMatch(/^Turn off the SMTP inspection of the firewall/);
    expect(result.diagnosis?.findings?.[0]?.fixes.join(' ')).toMatch(/no fixup protocol smtp 25/);
    const text = renderText(result);
    expect(text).toMatch(/Finding +A firewall between Exchange Online and the server rewrites the SMTP dialogue/);
    expect(text).toContain('no inspect esmtp');
  });

  it('PIX: EHLO rewritten to XXXX, HELO gets through → 4.4.317 and the firewall named', async () => {
    const { firewall } = await behindFirewall('pix');
    const { result } = await timed('mx1.demo.test', options(firewall.port));
    expect(failureOf(result)).toEqual({ stage: 'starttls', kind: 'starttls-not-offered', code: '4.4.317' });
    expect(firewall.forwarded).toEqual(expect.arrayContaining(['XXXX probe.demo.test', 'HELO probe.demo.test']));
    expect(result.paths[0]?.capabilities?.greeting).toBe('helo');
    expect(result.diagnosis?.findings?.[0]?.kind).toBe('smtp-inspection');
  });

  it('opportunistic TLS through the ASA: mail flows unencrypted, the finding still shows', async () => {
    const { firewall } = await behindFirewall('asa');
    const { result } = await timed('mx1.demo.test', options(firewall.port, { tlsMode: 'opportunistic' }));
    // Issue 14: plaintext under opportunistic TLS is a note, not a warning: healthy.
    expect(result.verdict).toBe('healthy');
    expect(result.code).toBeNull();
    expect(result.paths[0]?.findings?.[0]?.kind).toBe('smtp-inspection');
  });

  it('the same server without the firewall: healthy, no finding', async () => {
    const { smtp } = await behindFirewall('asa');
    const { result } = await timed('mx1.demo.test', options(smtp.port));
    expect(result.verdict).toBe('healthy');
    expect(result.paths[0]?.findings).toBeUndefined();
  });

  it('the raw fixture that plays an ASA', async () => {
    const server = await serve(hostile({ kind: 'firewall' }));
    const { result } = await timed('127.0.0.1', options(server.port));
    expect(failureOf(result)).toEqual({ stage: 'starttls', kind: 'starttls-not-offered', code: '4.4.317' });
    expect(result.paths[0]?.transcript[0]).toMatch(/^S: 220 [*20 ]{40,}$/);
    expect(result.diagnosis?.findings?.[0]?.kind).toBe('smtp-inspection');
  });
});

describe('listeners', () => {
  it("the caller's AbortSignal keeps no listener after probes against hostile servers", async () => {
    const controller = new AbortController();
    for (const b of [{ kind: 'silent' }, { kind: 'tls-stall', bytes: 10 }, { kind: 'garbage', bytes: 9 }, { kind: 'healthy' }] as Hostile[]) {
      const server = await serve(hostile(b));
      await timed('127.0.0.1', options(server.port, { tlsMode: 'encryption-only', timeoutMs: 400, signal: controller.signal }));
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('30 paths in flight at once raise no listener-leak warning', async () => {
    const server = await serve(hostile({ kind: 'silent' }));
    const targets = Array.from({ length: 30 }, (_, i) => `127.0.0.${i + 1}`);
    const { value: result, ms, lagMs } = await timeWithLag(() => probe(targets, options(server.port, { timeoutMs: 400, deadlineMs: 3000, concurrency: 30 })));
    expect(ms).toBeLessThanOrEqual(3000 + GRACE_MS + lagMs);
    // 127.0.0.1 listens and stays silent; the other addresses refuse.
    expect(result.paths.map((p) => p.code)).toEqual(['4.4.318', ...Array.from({ length: 29 }, () => '4.4.316')]);
    expect(warnings).toEqual([]);
  });
});

describe('a busy prober', () => {
  it('does not call an answer that arrived in time a timeout because its own loop was blocked', async () => {
    // The server (in this process) answers EHLO, then blocks the event loop for longer
    // than the client's EHLO window. When the loop wakes, the window's timer and the
    // answer are both due; Node runs timers first. The answer came in time: it is read.
    const server = await serve((socket) => {
      socket.write('220 mx1.demo.test ESMTP\r\n');
      socket.on('data', (chunk: Buffer) => {
        const line = chunk.toString('latin1');
        if (line.startsWith('EHLO')) {
          socket.write('250 mx1.demo.test\r\n');
          const until = performance.now() + 600;
          while (performance.now() < until);
        } else if (line.startsWith('QUIT')) socket.end('221 2.0.0 Bye\r\n');
      });
    });
    const result = await probe('127.0.0.1', options(server.port, { tlsMode: 'opportunistic', timeoutMs: 300 }));
    expect(result.paths[0]?.failure).toBeUndefined();
    expect(result.paths[0]?.stages.map((s) => [s.name, s.ok])).toEqual([
      ['tcp', true],
      ['banner', true],
      ['ehlo', true],
      ['quit', true],
    ]);
  });
});

describe('paths that wait their turn past the deadline', () => {
  it('open no connection after the deadline', async () => {
    const accepted = [0, 0, 0];
    const first = await serve((socket) => void (accepted[0]! += 1, socket.resume()));
    for (const i of [1, 2]) {
      const server = await startRaw((socket) => void (accepted[i]! += 1, socket.resume()), { host: `127.0.0.${i + 1}`, port: first.port });
      onTestFinished(() => server.close());
    }
    // One path at a time: the first two spend the whole deadline waiting for a greeting.
    const result = await probe(['127.0.0.1', '127.0.0.2', '127.0.0.3'], options(first.port, { timeoutMs: 500, deadlineMs: 800, concurrency: 1 }));
    expect(result.paths.map((p) => [p.failure?.stage, p.failure?.kind, p.code])).toEqual([
      ['banner', 'timeout', '4.4.318'],
      ['banner', 'timeout', '4.4.318'],
      ['tcp', 'connect-timeout', '4.4.315'],
    ]);
    expect(result.paths[2]?.failure?.message).toMatch(/^no time left to connect/);
    expect(accepted).toEqual([1, 1, 0]);
  });
});
