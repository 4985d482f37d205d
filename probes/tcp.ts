import net from 'node:net';
import { openWindow, waitForEvent, windowFailure } from './deadline.js';
import { StageFailure, type FailureKind, type ProbeContext } from './stage.js';

/** Node's connect errors, translated once, here. Nothing else looks at `err.code`. */
const CONNECT_ERRORS: Record<string, { kind: FailureKind; text: string }> = {
  ECONNREFUSED: { kind: 'connect-refused', text: 'the connection was refused (TCP reset)' },
  ETIMEDOUT: { kind: 'connect-timeout', text: 'the connection attempt timed out' },
  EHOSTUNREACH: { kind: 'connect-unreachable', text: 'no route to the host' },
  ENETUNREACH: { kind: 'connect-unreachable', text: 'the network is unreachable' },
  EHOSTDOWN: { kind: 'connect-unreachable', text: 'the host is down' },
  ENETDOWN: { kind: 'connect-unreachable', text: 'the network is down' },
  EADDRNOTAVAIL: { kind: 'connect-unreachable', text: 'the address cannot be reached from here' },
  ECONNRESET: { kind: 'connect-refused', text: 'the connection was reset while connecting' },
};

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
    throw windowFailure(ctx, 'tcp', window, 'no time left to connect', 'connect-timeout');
  }
  const source = ctx.sourceAddress ?? null;
  if (source && net.isIP(source) !== net.isIP(ip)) {
    // A bound source address has one family: a path of the other family cannot be
    // reached from it. The path fails (code other) rather than being skipped, so a
    // report never shows fewer paths than Exchange Online would try.
    window.dispose();
    throw new StageFailure('tcp', 'internal', `${ip} port ${ctx.port}: cannot connect from source address ${source}: it is IPv${net.isIP(source)}, the path IPv${net.isIP(ip)}`);
  }
  const socket = net.connect({ host: ip, port: ctx.port, noDelay: true, ...(source ? { localAddress: source } : {}) });
  try {
    await waitForEvent(socket, 'connect', window, {
      abort: () => windowFailure(ctx, 'tcp', window, 'no answer to the connection attempt', 'connect-timeout'),
      error: (err) => {
        const errno = errnoOf(err);
        const known = errno ? CONNECT_ERRORS[errno] : undefined;
        return known
          ? new StageFailure('tcp', known.kind, `${ip} port ${ctx.port}: ${known.text}`, { errno }, { cause: err })
          : new StageFailure('tcp', 'internal', `${ip} port ${ctx.port}: ${err.message}`, errno ? { errno } : {}, { cause: err });
      },
    });
    return socket;
  } catch (err) {
    socket.on('error', ignore); // a late error from a destroyed socket must not crash the process
    socket.destroy();
    throw err;
  } finally {
    window.dispose();
  }
}
