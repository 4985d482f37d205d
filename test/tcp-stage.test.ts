/**
 * probes/tcp.ts: the connect-error table row by row, and a server that accepts and then
 * resets (issue 18) — the same stage, kind and code every time, whichever side of the
 * race between the RST and Node's connect callback a run falls.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ReplyReader, readGreeting } from '../probes/smtp.js';
import { StageFailure } from '../probes/stage.js';
import { ACCEPTED_THEN_RESET, CONNECT_ERRORS, MIN_CONNECT_MS, connectFailure, connectTcp } from '../probes/tcp.js';
import { classify } from '../src/core/classify.js';
import { probe } from '../src/core/engine.js';
import { acceptThenReset, closedPort, startBlackhole, startDns, startRaw, stageContext, timers, type DnsServer, type RawServer } from './fixtures/index.js';
import { loopbackProbeOptions } from './fixtures/probe-options.js';
import { spoken } from './fixtures/spoken.js';

const errnoError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`connect ${code} 127.0.0.1:25`), { code });

/** Written out by hand, not derived from CONNECT_ERRORS, so a changed row fails here. */
const ROWS: [errno: string, kind: string, code: string, text: string][] = [
  ['ECONNREFUSED', 'connect-refused', '4.4.316', 'the connection was refused (TCP reset)'],
  ['ETIMEDOUT', 'connect-timeout', '4.4.315', 'the connection attempt timed out'],
  ['EHOSTUNREACH', 'connect-unreachable', '4.4.315', 'no route to the host'],
  ['ENETUNREACH', 'connect-unreachable', '4.4.315', 'the network is unreachable'],
  ['EHOSTDOWN', 'connect-unreachable', '4.4.315', 'the host is down'],
  ['ENETDOWN', 'connect-unreachable', '4.4.315', 'the network is down'],
  ['EADDRNOTAVAIL', 'connect-unreachable', '4.4.315', 'the address cannot be reached from here'],
  ['ECONNRESET', 'reset', '4.4.318', 'the server accepted the connection and then reset it'],
  ['EPIPE', 'reset', '4.4.318', 'the server accepted the connection and then reset it'],
];

describe('the connect-error table', () => {
  it.each(ROWS)('%s is %s (%s)', (errno, kind, code, text) => {
    const err = errnoError(errno);
    const failure = connectFailure(err, '127.0.0.1', 25);
    expect(spoken(failure.toJSON())).toEqual({ stage: 'tcp', kind, errno, message: `127.0.0.1 port 25: ${text}` });
    expect(failure.cause).toBe(err);
    expect(classify(failure)).toBe(code);
  });

  it('has a test row for every entry, and no more', () => {
    expect(Object.keys(CONNECT_ERRORS).sort()).toEqual(ROWS.map(([errno]) => errno).sort());
  });

  it('a reset says the server accepted and then reset; only ECONNREFUSED is a refusal', () => {
    expect(connectFailure(errnoError('ECONNRESET'), '127.0.0.1', 25).message).toBe(`127.0.0.1 port 25: ${ACCEPTED_THEN_RESET}`);
    const refusals = ROWS.filter(([, kind]) => kind === 'connect-refused').map(([errno]) => errno);
    expect(refusals).toEqual(['ECONNREFUSED']);
  });

  it('reads the code inside an AggregateError (Node 20, several addresses)', () => {
    const aggregate = new AggregateError([new Error('no code'), errnoError('EHOSTUNREACH')], 'connect failed');
    expect(connectFailure(aggregate, '::1', 2525).toJSON()).toMatchObject({
      stage: 'tcp',
      kind: 'connect-unreachable',
      errno: 'EHOSTUNREACH',
      message: '::1 port 2525: no route to the host',
    });
  });

  it('an errno outside the table is internal, with the errno kept', () => {
    expect(connectFailure(errnoError('EMFILE'), '127.0.0.1', 25).toJSON()).toMatchObject({
      stage: 'tcp',
      kind: 'internal',
      errno: 'EMFILE',
      message: '127.0.0.1 port 25: connect EMFILE 127.0.0.1:25',
    });
    const odd = new Error('odd');
    const failure = connectFailure(odd, '127.0.0.1', 25);
    expect(spoken(failure.toJSON())).toEqual({ stage: 'tcp', kind: 'internal', message: '127.0.0.1 port 25: odd' });
    expect(failure.cause).toBe(odd);
  });

  it('an AggregateError whose errors carry no code is internal, without an errno', () => {
    const failure = connectFailure(new AggregateError([new Error('a'), new Error('b')], 'all failed'), '::1', 25);
    expect(spoken(failure.toJSON())).toEqual({ stage: 'tcp', kind: 'internal', message: '::1 port 25: all failed' });
  });
});

describe('the connect window', () => {
  it('with less than MIN_CONNECT_MS to the deadline, opens no connection: connect-timeout', async () => {
    let accepted = 0;
    const server = await startRaw((socket) => void (accepted++, socket.destroy()));
    onTestFinished(() => server.close());
    const ctx = stageContext({ port: server.port, deadlineMs: MIN_CONNECT_MS - 5 });
    const failure = await connectTcp(ctx, '127.0.0.1').then(
      () => null,
      (err: StageFailure) => spoken(err.toJSON()),
    );
    expect(failure).toEqual({ stage: 'tcp', kind: 'connect-timeout', message: expect.stringMatching(/^no time left to connect within \d+ ms$/), timeoutMs: expect.any(Number) });
    expect(failure?.timeoutMs).toBeLessThanOrEqual(MIN_CONNECT_MS);
    // a connection the test's own probe would open reaches the listener in well under this
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(accepted).toBe(0);
  });

  it('with a stage timeout of 0, opens no connection: connect-timeout within 0 ms', async () => {
    const ctx = stageContext({ port: 9, stageTimeoutMs: 0 });
    const failure = await connectTcp(ctx, '127.0.0.1').then(
      () => null,
      (err: StageFailure) => spoken(err.toJSON()),
    );
    expect(failure).toEqual({ stage: 'tcp', kind: 'connect-timeout', message: 'no time left to connect within 0 ms', timeoutMs: 0 });
  });

  it('a cancelled probe opens no connection and is cancelled, not timed out', async () => {
    const cancel = new AbortController();
    cancel.abort();
    const ctx = stageContext({ port: 9, signal: cancel.signal, cancel: cancel.signal });
    const failure = await connectTcp(ctx, '127.0.0.1').then(
      () => null,
      (err: StageFailure) => spoken(err.toJSON()),
    );
    expect(failure).toEqual({ stage: 'tcp', kind: 'cancelled', message: 'cancelled by the user' });
  });

  it('a SYN never answered ends at the stage timeout: connect-timeout, and no timer is left', async () => {
    const hole = await startBlackhole();
    onTestFinished(() => hole.close());
    const before = timers();
    const ctx = stageContext({ port: hole.port, stageTimeoutMs: 300 });
    const failure = await connectTcp(ctx, hole.host).then(
      () => null,
      (err: StageFailure) => spoken(err.toJSON()),
    );
    expect(failure).toEqual({ stage: 'tcp', kind: 'connect-timeout', message: 'no answer to the connection attempt within 300 ms', timeoutMs: 300 });
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('a connection that succeeds leaves no timer behind', async () => {
    const server = await startRaw(() => {});
    onTestFinished(() => server.close());
    const before = timers();
    const socket = await connectTcp(stageContext({ port: server.port, stageTimeoutMs: 5000 }), '127.0.0.1');
    expect(timers()).toBeLessThanOrEqual(before);
    socket.destroy();
  });
});

describe('a port nobody listens on', () => {
  it('is refused at the TCP stage (4.4.316)', async () => {
    const port = await closedPort();
    const failure = await connectTcp(stageContext({ port }), '127.0.0.1').then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StageFailure);
    expect((failure as StageFailure).toJSON()).toMatchObject({ stage: 'tcp', kind: 'connect-refused', errno: 'ECONNREFUSED' });
  });
});

describe('a server that accepts and then resets (issue 18)', () => {
  let server: RawServer;
  let dns: DnsServer;
  beforeAll(async () => {
    server = await startRaw(acceptThenReset);
    dns = await startDns({});
  });
  afterAll(async () => {
    await server.close();
    await dns.close();
  });

  it('is a reset at the banner (4.4.318) on 300 connections in a row, never a refusal', async () => {
    const outcomes = new Map<string, number>();
    let connectSide = 0;
    for (let i = 0; i < 300; i++) {
      const ctx = stageContext({ port: server.port, stageTimeoutMs: 2000 });
      const socket = await connectTcp(ctx, '127.0.0.1');
      // Which side of the race this run fell on: the RST before Node's connect callback.
      if (socket.destroyed) connectSide++;
      try {
        const failure = await readGreeting(ctx, new ReplyReader(socket, ctx.transcript)).then(
          () => null,
          (err: StageFailure) => err,
        );
        const fact = failure ? `${failure.stage} ${failure.kind} ${classify(failure)} ${failure.message}` : 'greeted';
        outcomes.set(fact, (outcomes.get(fact) ?? 0) + 1);
      } finally {
        socket.destroy();
      }
    }
    expect(Object.fromEntries(outcomes)).toEqual({ [`banner reset 4.4.318 ${ACCEPTED_THEN_RESET}`]: 300 });
    console.log(`accept-then-reset: ${connectSide} of 300 resets arrived before the connect callback`);
  });

  it('is the same fact when the reset comes after Node reported the connect', async () => {
    // 20 ms later: the connect callback has run, so the reset reaches the first read.
    const later = await startRaw((socket) => void setTimeout(() => socket.resetAndDestroy(), 20));
    onTestFinished(() => later.close());
    for (let i = 0; i < 5; i++) {
      const ctx = stageContext({ port: later.port, stageTimeoutMs: 2000 });
      const socket = await connectTcp(ctx, '127.0.0.1');
      expect(socket.destroyed).toBe(false);
      const failure = await readGreeting(ctx, new ReplyReader(socket, ctx.transcript)).then(
        () => null,
        (err: StageFailure) => err,
      );
      socket.destroy();
      expect(spoken(failure?.toJSON())).toEqual({ stage: 'banner', kind: 'reset', message: ACCEPTED_THEN_RESET, errno: 'ECONNRESET' });
    }
  });

  it('probe() names 4.4.318 at the banner every time, with the TCP stage passed', async () => {
    const options = loopbackProbeOptions(dns, server.port, { timeoutMs: 2000, deadlineMs: 5000 });
    for (let i = 0; i < 5; i++) {
      const result = await probe('127.0.0.1', options);
      const path = result.paths[0];
      expect(path?.failure).toMatchObject({ stage: 'banner', kind: 'reset', message: ACCEPTED_THEN_RESET });
      expect(path?.code).toBe('4.4.318');
      expect(result.code).toBe('4.4.318');
      expect(path?.stages.map((s) => [s.name, s.ok])).toEqual([
        ['tcp', true],
        ['banner', false],
      ]);
    }
    onTestFinished(() => vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 2000 }));
  }, 60_000);
});
