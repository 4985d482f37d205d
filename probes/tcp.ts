import net from 'node:net';
import { openWindow, waitForEvent, windowFailure } from './deadline.js';
import { MESSAGES, say, type ProbeTextId } from './messages.js';
import { StageFailure, type FailureKind, type ProbeContext } from './stage.js';

/** What a reset after the handshake is called, at whichever stage it is read. */
export const ACCEPTED_THEN_RESET = MESSAGES['tcp.accepted-then-reset'];

/**
 * Node's connect errors, translated once, here. Nothing else looks at `err.code`.
 * A refusal is ECONNREFUSED alone: the SYN was answered with a reset. ECONNRESET (or
 * EPIPE) from a connect means the three-way handshake completed and the server reset
 * the connection before Node reported it connected: a race on a fast network (on
 * loopback, nearly always). Exchange Online's connect succeeds there and its first read
 * fails with Winsock 10054 (4.4.318), so it is a reset after connection, not a refusal.
 */
export const CONNECT_ERRORS: Readonly<Record<string, { kind: FailureKind; text: ProbeTextId }>> = {
  ECONNREFUSED: { kind: 'connect-refused', text: 'tcp.refused' },
  ETIMEDOUT: { kind: 'connect-timeout', text: 'tcp.timed-out' },
  EHOSTUNREACH: { kind: 'connect-unreachable', text: 'tcp.no-route' },
  ENETUNREACH: { kind: 'connect-unreachable', text: 'tcp.network-unreachable' },
  EHOSTDOWN: { kind: 'connect-unreachable', text: 'tcp.host-down' },
  ENETDOWN: { kind: 'connect-unreachable', text: 'tcp.network-down' },
  EADDRNOTAVAIL: { kind: 'connect-unreachable', text: 'tcp.address-unavailable' },
  ECONNRESET: { kind: 'reset', text: 'tcp.accepted-then-reset' },
  EPIPE: { kind: 'reset', text: 'tcp.accepted-then-reset' },
};

/**
 * A connect error as the TCP stage's failure: `connectFailure(err, '127.0.0.1', 25)`
 * for ECONNREFUSED is `{ stage: 'tcp', kind: 'connect-refused', errno: 'ECONNREFUSED' }`.
 * An errno outside CONNECT_ERRORS is `internal`, with the errno kept.
 */
export function connectFailure(err: Error, ip: string, port: number): StageFailure {
  const errno = errnoOf(err);
  const known = errno ? CONNECT_ERRORS[errno] : undefined;
  return known
    ? new StageFailure('tcp', known.kind, say('tcp.failed', { ip, port, reason: say(known.text) }), { errno }, { cause: err })
    : new StageFailure('tcp', 'internal', say('tcp.failed', { ip, port, reason: err.message }), errno ? { errno } : {}, { cause: err });
}

const ignore = (): void => {};

/**
 * Less time than this before the deadline and no connection is opened: it could not get
 * even a greeting back over a real network, and Node's timers (which count from the
 * event loop's cached clock) can end the previous path's stage a few ms before the
 * deadline, which would otherwise open a connection the deadline cuts at once.
 */
export const MIN_CONNECT_MS = 20;

/** Node 20 wraps multi-address failures in an AggregateError: look at every code. */
function errnoOf(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  return e?.code ?? e?.errors?.find((inner) => inner.code)?.code;
}

/**
 * TCP stage: connects to one address and returns the socket; ownership moves to the
 * caller. On any failure the socket is destroyed here and a StageFailure thrown.
 */
export async function connectTcp(ctx: ProbeContext, ip: string): Promise<net.Socket> {
  const window = openWindow(ctx);
  if (window.closed || window.timeoutMs <= 0 || ctx.deadline - performance.now() < MIN_CONNECT_MS) {
    // The deadline passed, or is under MIN_CONNECT_MS away (or the user cancelled),
    // while this path waited its turn: open nothing, so no SYN leaves that the deadline
    // would cut at once.
    window.dispose();
    throw windowFailure(ctx, 'tcp', window, say('tcp.no-time'), 'connect-timeout');
  }
  const source = ctx.sourceAddress ?? null;
  if (source && net.isIP(source) !== net.isIP(ip)) {
    // A bound source address has one family: a path of the other family cannot be
    // reached from it. The path fails (code other) rather than being skipped, so a
    // report never shows fewer paths than Exchange Online would try.
    window.dispose();
    throw new StageFailure('tcp', 'internal', say('tcp.source-family', { ip, port: ctx.port, source, sourceFamily: net.isIP(source), pathFamily: net.isIP(ip) }));
  }
  const socket = net.connect({ host: ip, port: ctx.port, noDelay: true, ...(source ? { localAddress: source } : {}) });
  try {
    await waitForEvent(socket, 'connect', window, {
      abort: () => windowFailure(ctx, 'tcp', window, say('tcp.no-answer'), 'connect-timeout'),
      error: (err) => connectFailure(err, ip, ctx.port),
    });
    return socket;
  } catch (err) {
    // Accepted, then reset before Node reported the connect: the handshake completed, so
    // the stage passes and the socket moves on; the first read reports the reset, as
    // Exchange's does (the same stage every time, whichever side of the race it fell).
    if (err instanceof StageFailure && err.kind === 'reset') return socket;
    socket.on('error', ignore); // a late error from a destroyed socket must not crash the process
    socket.destroy();
    throw err;
  } finally {
    window.dispose();
  }
}
