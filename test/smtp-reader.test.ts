/**
 * probes/smtp.ts on its own, over real loopback sockets: the reply reader's grammar
 * (RFC 5321 §4.2), its bounds, and the EHLO → HELO fallback (RFC 5321 §4.1.4, §3.2).
 * Each test pins one fact a mutation check found untested (issue 20).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { REPLY_LIMITS, ReplyReader, evidence, formatReply, parseCapabilities, readGreeting, sayEhlo, sayQuit, sayStartTls, type Capabilities } from '../probes/smtp.js';
import { StageFailure, type ProbeContext, type SmtpReply } from '../probes/stage.js';
import { connectTcp } from '../probes/tcp.js';
import { resetAfterEhlo, smtpScript, stageContext, startRaw, timers, type RawHandler } from './fixtures/index.js';
import { spoken } from './fixtures/spoken.js';

/** A connection to a server run by `handler`, with a reader on it. */
async function session(handler: RawHandler, timeoutMs = 1500) {
  const server = await startRaw(handler);
  const ctx = stageContext({ port: server.port, stageTimeoutMs: timeoutMs });
  const socket = await connectTcp(ctx, '127.0.0.1');
  const reader = new ReplyReader(socket, ctx.transcript);
  onTestFinished(async () => {
    socket.destroy();
    await server.close();
  });
  return { ctx, reader, socket };
}

/** A server that sends `bytes` as soon as the connection is accepted, then waits. */
const says =
  (bytes: string): RawHandler =>
  (socket) =>
    void socket.write(bytes);

/** The failure a promise rejects with, as plain data (null if it resolved). */
async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
    return null;
  } catch (err) {
    if (!(err instanceof StageFailure)) throw err;
    return spoken(err.toJSON());
  }
}

const read = (s: { ctx: ProbeContext; reader: ReplyReader }): Promise<SmtpReply> => s.reader.read(s.ctx, 'banner', 'no greeting');

describe('a multi-line reply (RFC 5321 §4.2.1: every line carries the same code)', () => {
  it('with one code throughout is one reply, its lines in order', async () => {
    const s = await session(says('220-mx1.demo.test ESMTP\r\n220-second line\r\n220 last\r\n'));
    expect(await read(s)).toEqual({ code: 220, lines: ['mx1.demo.test ESMTP', 'second line', 'last'] });
  });

  it('whose code changes between lines is a protocol failure, with the line as evidence', async () => {
    const s = await session(says('250-mx1.demo.test\r\n251 2.1.5 forwarded\r\n'));
    expect(await failureOf(read(s))).toEqual({
      stage: 'banner',
      kind: 'protocol',
      message: 'a multi-line reply changed its code from 250 to 251',
      evidence: '251 2.1.5 forwarded',
    });
  });
});

describe('a final line that is the bare code (RFC 5321 §4.2: text is optional)', () => {
  it.each([
    ['after continuation lines, CRLF', '250-mx1.demo.test\r\n250-PIPELINING\r\n250\r\n', { code: 250, lines: ['mx1.demo.test', 'PIPELINING', ''] }],
    ['alone, CRLF', '220\r\n', { code: 220, lines: [''] }],
    ['alone, bare LF', '220\n', { code: 220, lines: [''] }],
  ])('%s ends the reply', async (_name, bytes, want) => {
    const s = await session(says(bytes));
    // A bare code read as a continuation would wait for a next line until the timeout.
    expect(await read(s)).toEqual(want);
  });

  it('a code followed by anything but space or hyphen is no reply', async () => {
    const s = await session(says('220x mx1\r\n'));
    expect(await failureOf(read(s))).toEqual({
      stage: 'banner',
      kind: 'protocol',
      message: 'the server sent something that is not an SMTP reply',
      evidence: '220x mx1',
    });
  });

  it('keeps the enhanced status code (RFC 2034) of the first line', async () => {
    const s = await session(says('421-4.3.2 Service not available\r\n421 closing\r\n'));
    expect(await read(s)).toEqual({ code: 421, enhanced: '4.3.2', lines: ['4.3.2 Service not available', 'closing'] });
  });
});

describe('EHLO rejected: HELO only after a permanent error (RFC 5321 §4.1.4, §3.2)', () => {
  async function ehloAnswered(reply: string): Promise<{ caps: Capabilities | null; failure: unknown; transcript: string[] }> {
    const s = await session(smtpScript({ replies: { EHLO: reply, HELO: '250 mx1.demo.test' } }));
    await readGreeting(s.ctx, s.reader);
    let caps: Capabilities | null = null;
    const failure = await failureOf(sayEhlo(s.ctx, s.reader, 'ehlo').then((c) => void (caps = c)));
    return { caps, failure, transcript: s.ctx.transcript.filter((line) => line.startsWith('C: ')) };
  }

  it.each(['421 4.3.2 Service not available', '450 4.7.1 Try later', '451 4.3.0 Local error', '499 4.0.0 Odd'])(
    'a 4xx (%s) fails the stage, and no HELO is sent',
    async (reply) => {
      const { caps, failure, transcript } = await ehloAnswered(reply);
      expect(caps).toBeNull();
      expect(failure).toMatchObject({ stage: 'ehlo', kind: 'reply', message: `the server rejected EHLO: ${reply}` });
      expect(transcript).toEqual(['C: EHLO probe.demo.test']);
    },
  );

  it.each(['500 5.5.1 Command unrecognized', '502 5.5.1 Command not implemented', '550 5.7.1 Not here'])(
    'a 5xx (%s) falls back to HELO',
    async (reply) => {
      const { caps, failure, transcript } = await ehloAnswered(reply);
      expect(failure).toBeNull();
      expect(caps).toMatchObject({ greeting: 'helo', serverName: 'mx1.demo.test', extensions: {}, starttls: false });
      expect(transcript).toEqual(['C: EHLO probe.demo.test', 'C: HELO probe.demo.test']);
    },
  );

  it('554 (no service) fails the stage without HELO', async () => {
    const { failure, transcript } = await ehloAnswered('554 5.7.1 No service');
    expect(failure).toMatchObject({ stage: 'ehlo', kind: 'reply', message: 'the server rejected EHLO: 554 5.7.1 No service' });
    expect(transcript).toEqual(['C: EHLO probe.demo.test']);
  });
});

describe('replies nobody asked for (REPLY_LIMITS.unread)', () => {
  it(`${REPLY_LIMITS.unread} are kept and read in order; one more is a protocol failure`, async () => {
    const extra = Array.from({ length: REPLY_LIMITS.unread }, (_, i) => `250 extra ${i + 1}\r\n`).join('');
    // The greeting and `unread` more in one write, before anything is read.
    const s = await session(says(`220 mx1.demo.test\r\n${extra}`));
    // Wait until every line has been received (the transcript logs each as it arrives).
    while (s.ctx.transcript.length < REPLY_LIMITS.unread + 1) await new Promise((r) => setTimeout(r, 5));
    const got: unknown[] = [];
    for (let i = 0; i < REPLY_LIMITS.unread + 1; i++) {
      got.push(await read(s).then((reply) => reply.code, (err: StageFailure) => spoken(err.toJSON())));
    }
    expect(got).toEqual([
      ...Array.from({ length: REPLY_LIMITS.unread }, (_, i) => (i === 0 ? 220 : 250)),
      {
        stage: 'banner',
        kind: 'protocol',
        message: 'the server sent replies to commands nobody sent',
        evidence: `250 extra ${REPLY_LIMITS.unread}`,
      },
    ]);
  });

  it(`${REPLY_LIMITS.unread} in all, the greeting included, are not a failure`, async () => {
    const extra = Array.from({ length: REPLY_LIMITS.unread - 1 }, (_, i) => `250 extra ${i + 1}\r\n`).join('');
    const s = await session(says(`220 mx1.demo.test\r\n${extra}`), 300);
    while (s.ctx.transcript.length < REPLY_LIMITS.unread) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < REPLY_LIMITS.unread; i++) expect((await read(s)).code).toBe(i === 0 ? 220 : 250);
    // and then nothing more: the next read waits for the window and times out
    expect(await failureOf(read(s))).toMatchObject({ stage: 'banner', kind: 'timeout' });
  });
});

describe('what is no reply, named at once (not after a timeout)', () => {
  it.each([
    ['an HTTP answer without a line end', 'HTTP/1.1 400 Bad', 'HTTP'],
    ['a first digit outside 2–5', '199 too low', '1'],
    ['a letter as the second character', '2x0 odd', '2x'],
    ['a letter as the third character', '25x odd', '25x'],
    ['a fourth byte that is no separator', '2500 odd', '2500'],
  ])('%s', async (_name, bytes, head) => {
    // 30 s to wait, 1 s to answer: a reader that waited for a line end would time out.
    const s = await session(says(bytes), 30_000);
    const failure = await failureOf(read(s));
    expect(failure).toMatchObject({ stage: 'banner', kind: 'protocol', message: 'the server sent something that is not an SMTP reply' });
    expect(String((failure as { evidence?: string }).evidence).startsWith(head)).toBe(true);
  });

  it('the start of a real reply, still without its line end, is waited for', async () => {
    const s = await session(says('220'), 300);
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'timeout', message: 'no greeting within 300 ms', timeoutMs: 300 });
  });

  it('a reply sent in pieces is one reply', async () => {
    const s = await session((socket) => {
      socket.write('2');
      setTimeout(() => socket.write('20-mx1'), 30);
      setTimeout(() => socket.write('.demo.test\r\n220 ready'), 60);
      setTimeout(() => socket.write('\r\n'), 90);
    });
    expect(await read(s)).toEqual({ code: 220, lines: ['mx1.demo.test', 'ready'] });
  });
});

describe('the reader holds memory to REPLY_LIMITS', () => {
  it(`a line of more than ${REPLY_LIMITS.lineBytes} bytes, with its line end, is a protocol failure`, async () => {
    const s = await session(says(`220 ${'a'.repeat(REPLY_LIMITS.lineBytes)}\r\n`));
    expect(await failureOf(read(s))).toEqual({
      stage: 'banner',
      kind: 'protocol',
      message: `a reply line longer than ${REPLY_LIMITS.lineBytes} bytes`,
      evidence: `220 ${'a'.repeat(76)}…`,
    });
  });

  it(`a line of exactly ${REPLY_LIMITS.lineBytes} bytes is read`, async () => {
    const text = 'a'.repeat(REPLY_LIMITS.lineBytes - 4);
    const s = await session(says(`220 ${text}\n`));
    expect(await read(s)).toEqual({ code: 220, lines: [text] });
  });

  it('a line that never ends is cut at the limit, before its line end arrives', async () => {
    const s = await session(says(`220 ${'b'.repeat(REPLY_LIMITS.lineBytes)}`), 30_000);
    expect(await failureOf(read(s))).toMatchObject({ stage: 'banner', kind: 'protocol', message: `a reply line longer than ${REPLY_LIMITS.lineBytes} bytes` });
  });

  it(`a reply of more than ${REPLY_LIMITS.lines} lines is a protocol failure; ${REPLY_LIMITS.lines} are read`, async () => {
    const lines = (n: number) => `${Array.from({ length: n - 1 }, (_, i) => `250-line ${i}\r\n`).join('')}250 last\r\n`;
    const ok = await session(says(lines(REPLY_LIMITS.lines)));
    expect((await read(ok)).lines).toHaveLength(REPLY_LIMITS.lines);
    const over = await session(says(lines(REPLY_LIMITS.lines + 1)));
    expect(await failureOf(read(over))).toEqual({
      stage: 'banner',
      kind: 'protocol',
      message: `a reply longer than ${REPLY_LIMITS.lines} lines or 64 KiB`,
      evidence: '250 last',
    });
  });

  it('a reply of more than 64 KiB in few lines is a protocol failure', async () => {
    const line = `250-${'c'.repeat(4000)}\r\n`;
    const s = await session(says(line.repeat(17) + '250 end\r\n'));
    expect(await failureOf(read(s))).toMatchObject({ stage: 'banner', kind: 'protocol', message: `a reply longer than ${REPLY_LIMITS.lines} lines or 64 KiB` });
  });
});

describe('the end of the connection, at the stage that waits', () => {
  it('a close with nothing sent is closed (4.4.318)', async () => {
    const s = await session((socket) => void socket.end());
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'closed', message: 'the server closed the connection' });
  });

  it('a close in the middle of a reply keeps what was sent as evidence', async () => {
    const s = await session((socket) => void socket.end('220 mx1.demo'));
    expect(await failureOf(read(s))).toEqual({
      stage: 'banner',
      kind: 'closed',
      message: 'the server closed the connection in the middle of a reply',
      evidence: '220 mx1.demo',
    });
  });

  it('a reset after the greeting is a reset at the next stage, with its errno', async () => {
    const s = await session(resetAfterEhlo);
    await readGreeting(s.ctx, s.reader);
    expect(await failureOf(sayEhlo(s.ctx, s.reader, 'ehlo'))).toEqual({ stage: 'ehlo', kind: 'reset', message: 'the connection was reset', errno: 'ECONNRESET' });
  });

  it('the replies before a close are still read, then the close', async () => {
    const s = await session((socket) => void socket.end('220 mx1.demo.test\r\n'));
    expect((await read(s)).code).toBe(220);
    expect(await failureOf(s.reader.read(s.ctx, 'ehlo', 'no reply to EHLO'))).toEqual({ stage: 'ehlo', kind: 'closed', message: 'the server closed the connection' });
  });

  it('detach hands back what no reply consumed, and stops reading', async () => {
    const s = await session(says('220 mx1.demo.test\r\n250 injected'));
    while (!s.ctx.transcript.length) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect((await read(s)).code).toBe(220);
    expect(s.reader.detach().toString('latin1')).toBe('250 injected');
  });

  it('detach hands back whole replies nobody read and a reply not yet complete, each byte as sent (CVE-2011-0411: injection after the 220 to STARTTLS)', async () => {
    const s = await session(says('220 2.0.0 Ready\r\n250 injected\r\n250-second\r\n'));
    while (s.ctx.transcript.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect((await read(s)).code).toBe(220);
    expect(s.reader.detach().toString('latin1')).toBe('250 injected\r\n250-second\r\n');
    expect(s.reader.detach().length).toBe(0);
    expect(await failureOf(s.reader.read(s.ctx, 'ehlo', 'no reply to EHLO', 100))).toEqual({ stage: 'ehlo', kind: 'timeout', message: 'no reply to EHLO within 100 ms', timeoutMs: 100 });
  });

  it('a reply that was read is not handed back by detach; one still queued is', async () => {
    const s = await session(says('220 mx1.demo.test\r\n250 one\r\n251 two\n'));
    while (s.ctx.transcript.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect((await read(s)).code).toBe(220);
    expect((await read(s)).code).toBe(250);
    expect(s.reader.detach().toString('latin1')).toBe('251 two\n');
  });
});

describe('commands and their replies', () => {
  it('a greeting other than 220 fails the banner stage with the reply', async () => {
    const s = await session(says('554 5.3.2 No service here\r\n'));
    expect(await failureOf(readGreeting(s.ctx, s.reader))).toEqual({
      stage: 'banner',
      kind: 'reply',
      message: 'the server greeted with 554 5.3.2 No service here',
      reply: { code: 554, enhanced: '5.3.2', lines: ['5.3.2 No service here'] },
    });
  });

  it('STARTTLS: 220 goes ahead; 454 refuses it, and the transcript has both sides', async () => {
    const ok = await session(smtpScript({ onStarttls: 'tls' }));
    await readGreeting(ok.ctx, ok.reader);
    await sayEhlo(ok.ctx, ok.reader, 'ehlo');
    expect((await sayStartTls(ok.ctx, ok.reader)).code).toBe(220);
    expect(ok.ctx.transcript).toContain('C: STARTTLS');
    const no = await session(smtpScript({ onStarttls: '454' }));
    await readGreeting(no.ctx, no.reader);
    await sayEhlo(no.ctx, no.reader, 'ehlo');
    expect(await failureOf(sayStartTls(no.ctx, no.reader))).toEqual({
      stage: 'starttls',
      kind: 'reply',
      message: 'the server refused STARTTLS: 454 4.7.0 TLS not available due to temporary reason',
      reply: { code: 454, enhanced: '4.7.0', lines: ['4.7.0 TLS not available due to temporary reason'] },
    });
  });

  it('QUIT: the 221 is returned; a server that just closes is no failure (null)', async () => {
    const polite = await session(smtpScript());
    await readGreeting(polite.ctx, polite.reader);
    expect((await sayQuit(polite.ctx, polite.reader))?.code).toBe(221);
    const rude = await session((socket) => {
      socket.write('220 mx1.demo.test\r\n');
      socket.on('data', () => socket.end());
    });
    await readGreeting(rude.ctx, rude.reader);
    expect(await sayQuit(rude.ctx, rude.reader)).toBeNull();
    expect(rude.ctx.transcript).toEqual(['S: 220 mx1.demo.test', 'C: QUIT']);
  });

  it('QUIT waits at most two seconds, however long the stage may wait', async () => {
    const s = await session(says('220 mx1.demo.test\r\n'), 30_000);
    await readGreeting(s.ctx, s.reader);
    const started = performance.now();
    expect(await sayQuit(s.ctx, s.reader)).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(1990);
  });

  it('a cancelled probe is not swallowed by QUIT', async () => {
    const cancel = new AbortController();
    const server = await startRaw(says('220 mx1.demo.test\r\n'));
    onTestFinished(() => server.close());
    const ctx = stageContext({ port: server.port, signal: cancel.signal, cancel: cancel.signal });
    const socket = await connectTcp(ctx, '127.0.0.1');
    onTestFinished(() => void socket.destroy());
    const reader = new ReplyReader(socket, ctx.transcript);
    await readGreeting(ctx, reader);
    setTimeout(() => cancel.abort(), 20);
    expect(await failureOf(sayQuit(ctx, reader))).toEqual({ stage: 'quit', kind: 'cancelled', message: 'cancelled by the user' });
  });
});

describe('capabilities (RFC 5321 §4.1.1.1) and the reply as Exchange quotes it', () => {
  it('reads every keyword, upper-cased, with its parameters', () => {
    const caps = parseCapabilities(
      { code: 250, lines: ['mx1.demo.test Hello probe', 'size 36700160', '8BITMIME', 'pipelining', 'STARTTLS', 'SMTPUTF8', 'CHUNKING', 'ENHANCEDSTATUSCODES', 'AUTH  PLAIN LOGIN'] },
      'ehlo',
    );
    expect(caps).toEqual({
      greeting: 'ehlo',
      serverName: 'mx1.demo.test',
      extensions: { SIZE: ['36700160'], '8BITMIME': [], PIPELINING: [], STARTTLS: [], SMTPUTF8: [], CHUNKING: [], ENHANCEDSTATUSCODES: [], AUTH: ['PLAIN', 'LOGIN'] },
      starttls: true,
      size: 36700160,
      eightBitMime: true,
      pipelining: true,
      smtpUtf8: true,
      chunking: true,
      enhancedStatusCodes: true,
    });
  });

  it('SIZE without a number is 0 (no fixed limit); a bad number and no SIZE are null', () => {
    expect(parseCapabilities({ code: 250, lines: ['mx1', 'SIZE'] }, 'ehlo').size).toBe(0);
    expect(parseCapabilities({ code: 250, lines: ['mx1', 'SIZE lots'] }, 'ehlo').size).toBeNull();
    expect(parseCapabilities({ code: 250, lines: ['mx1'] }, 'ehlo')).toMatchObject({ size: null, starttls: false, extensions: {} });
  });

  it('a HELO reply announces nothing, whatever its lines say', () => {
    expect(parseCapabilities({ code: 250, lines: ['mx1.demo.test', 'STARTTLS'] }, 'helo')).toMatchObject({ greeting: 'helo', serverName: 'mx1.demo.test', extensions: {}, starttls: false });
  });

  it('formatReply joins the lines after the code', () => {
    expect(formatReply({ code: 421, lines: ['4.3.2 Service', 'not available '] })).toBe('421 4.3.2 Service not available');
    expect(formatReply({ code: 250, lines: [''] })).toBe('250');
  });

  it('evidence shows control bytes as escapes and truncates', () => {
    expect(evidence(Buffer.from('220\r\n\x00\x1b[31m\x7f'))).toBe('220\\r\\n\\x00\\x1b[31m\\x7f');
    expect(evidence('x'.repeat(100))).toBe(`${'x'.repeat(80)}…`);
    expect(evidence('y'.repeat(80))).toBe('y'.repeat(80));
    expect(evidence('z'.repeat(20), 10)).toBe(`${'z'.repeat(10)}…`);
  });
});

describe('boundaries the mutation run found untested', () => {
  it.each([
    ['a code of 599, its line end still to come', '599 x'],
    ['a code of 299, its line end still to come', '299'],
    ['a code of 500 with a CR still alone', '500\r'],
  ])('%s is waited for, not called garbage', async (_name, bytes) => {
    const s = await session(says(bytes), 300);
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'timeout', message: 'no greeting within 300 ms', timeoutMs: 300 });
  });

  it(`a line of exactly ${REPLY_LIMITS.lineBytes} bytes, its line end still to come, is waited for`, async () => {
    const s = await session(says(`220 ${'d'.repeat(REPLY_LIMITS.lineBytes - 4)}`), 300);
    expect(await failureOf(read(s))).toMatchObject({ stage: 'banner', kind: 'timeout' });
  });

  it.each([
    ['250 2.0.0 OK', '2.0.0'],
    ['250 2.0.0', '2.0.0'],
    ['421 4.3.20 Service not available', '4.3.20'],
    ['450 4.100.1 odd but well-formed', '4.100.1'],
    ['250 OK 2.0.0 later in the text', undefined],
    ['250 2.0.0x not followed by a space', undefined],
    ['250 3.0.0 class 3 does not exist', undefined],
  ])('the enhanced status code of %j is %s', async (line, enhanced) => {
    const s = await session(says(`${line}\r\n`));
    expect((await read(s)).enhanced).toBe(enhanced);
  });

  it('keywords and the server name survive stray spaces', () => {
    const caps = parseCapabilities({ code: 250, lines: ['  mx1.demo.test  Hello there', ' PIPELINING', 'SIZE  1000 '] }, 'ehlo');
    expect(caps).toMatchObject({ serverName: 'mx1.demo.test', extensions: { PIPELINING: [], SIZE: ['1000'] }, pipelining: true, size: 1000 });
    expect(formatReply({ code: 250, lines: [' leading space', 'and more'] })).toBe('250 leading space and more');
  });
});

describe('what the second mutation run found untested (issue 20)', () => {
  /** A socket error of this code (none: a bare Error), as Node reports it, on a live connection. */
  const fault = (code?: string): NodeJS.ErrnoException => Object.assign(new Error(`boom ${code ?? ''}`.trim()), code ? { code } : {});

  it.each([
    ['EPIPE', { stage: 'ehlo', kind: 'reset', message: 'socket error: EPIPE', errno: 'EPIPE' }],
    ['ETIMEDOUT', { stage: 'ehlo', kind: 'closed', message: 'socket error: ETIMEDOUT', errno: 'ETIMEDOUT' }],
    [undefined, { stage: 'ehlo', kind: 'closed', message: 'socket error: boom' }],
  ])('a socket error %s after the greeting is this fact at the next stage', async (code, want) => {
    const s = await session(says('220 mx1.demo.test\r\n'));
    await readGreeting(s.ctx, s.reader);
    s.socket.destroy(fault(code));
    expect(await failureOf(s.reader.read(s.ctx, 'ehlo', 'no reply to EHLO'))).toEqual(want);
  });

  it('a reader made on a connection already closed, its events long gone, reads the close', async () => {
    const s = await session(says(''));
    const socket = s.socket;
    socket.destroy();
    await new Promise((resolve) => socket.once('close', resolve));
    const reader = new ReplyReader(socket, s.ctx.transcript);
    expect(await failureOf(reader.read(s.ctx, 'banner', 'no greeting'))).toEqual({ stage: 'banner', kind: 'closed', message: 'the server closed the connection' });
  });

  it('a reader made on a connection already reset, its events long gone, reads the reset: accepted, then reset (4.4.318)', async () => {
    const s = await session(says(''));
    const socket = s.socket;
    socket.on('error', () => {});
    socket.destroy(fault('ECONNRESET'));
    await new Promise((resolve) => socket.once('close', resolve));
    const reader = new ReplyReader(socket, s.ctx.transcript);
    expect(await failureOf(reader.read(s.ctx, 'banner', 'no greeting'))).toEqual({
      stage: 'banner',
      kind: 'reset',
      message: 'the server accepted the connection and then reset it',
      errno: 'ECONNRESET',
    });
  });

  it('a reply that comes after a read gave up is kept for the next read', async () => {
    const s = await session((socket) => void setTimeout(() => socket.write('220 late\r\n'), 250), 100);
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'timeout', message: 'no greeting within 100 ms', timeoutMs: 100 });
    // it arrives while nobody reads
    while (!s.ctx.transcript.length) await new Promise((r) => setTimeout(r, 5));
    expect(await s.reader.read(s.ctx, 'banner', 'no greeting', 2000)).toStrictEqual({ code: 220, lines: ['late'] });
  });

  it('a read that got its reply leaves no timer behind, and the next read is not cut short', async () => {
    const s = await session((socket) => {
      socket.write('220 mx1.demo.test\r\n');
      setTimeout(() => socket.write('250 second\r\n'), 400);
    });
    const before = timers();
    expect((await s.reader.read(s.ctx, 'banner', 'no greeting', 150)).code).toBe(220);
    expect(timers()).toBeLessThanOrEqual(before);
    expect(await s.reader.read(s.ctx, 'ehlo', 'no reply to EHLO', 3000)).toStrictEqual({ code: 250, lines: ['second'] });
  });

  it('after detach the reader hears nothing: no data, no close (a read only times out), and a second detach hands back nothing', async () => {
    let server: import('node:net').Socket | undefined;
    const s = await session((socket) => {
      server = socket;
      socket.write('220 mx1.demo.test\r\n250 inj');
    });
    while (s.ctx.transcript.length < 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect((await read(s)).code).toBe(220);
    expect(s.reader.detach().toString('latin1')).toBe('250 inj');
    expect(s.reader.detach().length).toBe(0);
    const closed = new Promise((resolve) => s.socket.once('close', resolve));
    server!.end('250 late\r\n');
    s.socket.resume();
    await closed;
    expect(s.ctx.transcript).toEqual(['S: 220 mx1.demo.test']);
    expect(await failureOf(s.reader.read(s.ctx, 'ehlo', 'no reply to EHLO', 100))).toEqual({ stage: 'ehlo', kind: 'timeout', message: 'no reply to EHLO within 100 ms', timeoutMs: 100 });
  });

  it('after detach a socket error is not the reader’s either', async () => {
    const s = await session(says('220 mx1.demo.test\r\n'));
    expect((await read(s)).code).toBe(220);
    s.reader.detach();
    s.socket.on('error', () => {});
    s.socket.destroy(fault('ECONNRESET'));
    await new Promise((resolve) => s.socket.once('close', resolve));
    expect(await failureOf(s.reader.read(s.ctx, 'ehlo', 'no reply to EHLO', 100))).toEqual({ stage: 'ehlo', kind: 'timeout', message: 'no reply to EHLO within 100 ms', timeoutMs: 100 });
  });

  it('after a fault, what the server sends next is neither read nor logged, its close does not replace the fault, and nothing is handed on', async () => {
    const s = await session((socket) => {
      socket.write('250-mx1.demo.test\r\n');
      setTimeout(() => socket.write('251 other\r\n'), 30);
      setTimeout(() => socket.end('250 more\r\n250 end\r\n'), 90);
    });
    await new Promise((resolve) => s.socket.once('close', resolve));
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'protocol', message: 'a multi-line reply changed its code from 250 to 251', evidence: '251 other' });
    expect(s.ctx.transcript).toEqual(['S: 250-mx1.demo.test']);
    expect(s.reader.detach().length).toBe(0);
  });

  it('a close in the middle of a reply hands nothing on to a detach', async () => {
    const s = await session((socket) => void socket.end('220 mx1.demo'));
    await new Promise((resolve) => s.socket.once('close', resolve));
    expect(await failureOf(read(s))).toMatchObject({ kind: 'closed', evidence: '220 mx1.demo' });
    expect(s.reader.detach().length).toBe(0);
  });

  it('garbage that begins the line after a reply sent in pieces is named at once', async () => {
    const s = await session((socket) => {
      socket.write('220-mx1');
      setTimeout(() => socket.write('.demo.test\r\n220 ok\r\nHTTP/1.1'), 30);
    }, 30_000);
    expect(await read(s)).toStrictEqual({ code: 220, lines: ['mx1.demo.test', 'ok'] });
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'protocol', message: 'the server sent something that is not an SMTP reply', evidence: 'HTTP/1.1' });
  });

  it('a line that never ends is cut at the limit, with its start as evidence', async () => {
    const s = await session(says(`220 ${'b'.repeat(REPLY_LIMITS.lineBytes)}`), 30_000);
    expect(await failureOf(read(s))).toEqual({
      stage: 'banner',
      kind: 'protocol',
      message: `a reply line longer than ${REPLY_LIMITS.lineBytes} bytes`,
      evidence: `220 ${'b'.repeat(76)}…`,
    });
  });

  it(`a reply of exactly ${REPLY_LIMITS.replyBytes / 1024} KiB is read`, async () => {
    const full = (sep: string) => `250${sep}${'e'.repeat(REPLY_LIMITS.lineBytes - 4)}\n`;
    const count = REPLY_LIMITS.replyBytes / REPLY_LIMITS.lineBytes;
    const s = await session(says(full('-').repeat(count - 1) + full(' ')));
    const reply = await read(s);
    expect([reply.code, reply.lines.length, reply.lines.reduce((n, line) => n + 4 + line.length, 0)]).toEqual([250, count, REPLY_LIMITS.replyBytes]);
  });

  it.each([
    ['a first digit below 2', '199 low'],
    ['a first digit above 5', '600 high'],
    ['a code of two digits', '22 short'],
    ['a letter in the code', '2x0 odd'],
    ['a letter as the third character', '25x'],
    ['blanks before the code', ' 220 mx1'],
    ['an empty line', ''],
  ])('a whole line with %s is no reply', async (_name, line) => {
    const s = await session(says(`${line}\r\n`), 30_000);
    // (an empty evidence is left out)
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'protocol', message: 'the server sent something that is not an SMTP reply', ...(line ? { evidence: line } : {}) });
  });

  it('two digits of a code, the rest to come, are waited for', async () => {
    const s = await session(says('25'), 300);
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'timeout', message: 'no greeting within 300 ms', timeoutMs: 300 });
  });

  it('a reply without an enhanced status code has no such field at all', async () => {
    const s = await session(says('220 mx1.demo.test ESMTP\r\n'));
    expect(await read(s)).toStrictEqual({ code: 220, lines: ['mx1.demo.test ESMTP'] });
  });

  it('capabilities of a reply with no lines, and with an empty line among its keywords', () => {
    expect(parseCapabilities({ code: 250, lines: [] }, 'ehlo')).toMatchObject({ serverName: '', extensions: {} });
    expect(parseCapabilities({ code: 250, lines: ['mx1.demo.test', '', 'PIPELINING'] }, 'ehlo').extensions).toStrictEqual({ PIPELINING: [] });
  });

  it('with no EHLO name the stage fails as internal, and nothing is sent', async () => {
    const s = await session(says('220 mx1.demo.test\r\n'));
    await readGreeting(s.ctx, s.reader);
    const ctx = { ...s.ctx, ehloName: null };
    expect(await failureOf(sayEhlo(ctx, s.reader, 'ehlo-tls'))).toEqual({
      stage: 'ehlo-tls',
      kind: 'internal',
      message: 'no EHLO name: the session sets the address literal once connected',
    });
    expect(s.ctx.transcript).toEqual(['S: 220 mx1.demo.test']);
  });

  it('EHLO and then HELO rejected: the stage fails with the HELO reply', async () => {
    const s = await session(smtpScript({ replies: { EHLO: '502 5.5.1 Command not implemented', HELO: '550 5.7.1 HELO rejected' } }));
    await readGreeting(s.ctx, s.reader);
    expect(await failureOf(sayEhlo(s.ctx, s.reader, 'ehlo'))).toEqual({
      stage: 'ehlo',
      kind: 'reply',
      message: 'the server rejected EHLO and HELO: 550 5.7.1 HELO rejected',
      reply: { code: 550, enhanced: '5.7.1', lines: ['5.7.1 HELO rejected'] },
    });
  });

  it.each([
    ['EHLO', {}, (s: { ctx: ProbeContext; reader: ReplyReader }) => sayEhlo(s.ctx, s.reader, 'ehlo'), 'ehlo'],
    ['HELO', { EHLO: '500 5.5.1 unrecognized' }, (s: { ctx: ProbeContext; reader: ReplyReader }) => sayEhlo(s.ctx, s.reader, 'ehlo'), 'ehlo'],
    ['STARTTLS', {}, (s: { ctx: ProbeContext; reader: ReplyReader }) => sayStartTls(s.ctx, s.reader), 'starttls'],
  ] as const)('a server silent after %s: the timeout names the command', async (command, replies, step, stage) => {
    // The server answers only what `replies` names (and EHLO, before the command that goes unanswered).
    const s = await session((socket) => {
      socket.write('220 mx1.demo.test\r\n');
      socket.on('data', (data: Buffer) => {
        const verb = data.toString('latin1').split(' ')[0]!.trim();
        const reply = (replies as Record<string, string>)[verb];
        if (reply) socket.write(`${reply}\r\n`);
        else if (verb === 'EHLO' && command !== 'EHLO') socket.write('250 mx1.demo.test\r\n');
      });
    }, 300);
    await readGreeting(s.ctx, s.reader);
    if (command === 'STARTTLS') await sayEhlo(s.ctx, s.reader, 'ehlo');
    expect(await failureOf(step(s))).toEqual({ stage, kind: 'timeout', message: `no reply to ${command} within 300 ms`, timeoutMs: 300 });
  });
});

describe('what the run of the reader’s lines 162–241 left (issue 20)', () => {
  it.each([
    ['a first digit above 5', '600 high', '600 '],
    ['a blank as the second character', '2 0 x', '2 0 '],
    ['a character just below 0 as the third', '22/ x', '22/ '],
  ])('%s, its line end still to come, is named at once', async (_name, bytes, head) => {
    const s = await session(says(bytes), 30_000);
    expect(await failureOf(read(s))).toEqual({ stage: 'banner', kind: 'protocol', message: 'the server sent something that is not an SMTP reply', evidence: bytes.length > 4 ? bytes : head });
  });

  it('a fault in the middle of a chunk ends the reading there: the lines after it are neither logged nor read', async () => {
    const s = await session(says('250-mx1.demo.test\r\n251 other\r\n250 more\r\n'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fault = { stage: 'banner', kind: 'protocol', message: 'a multi-line reply changed its code from 250 to 251', evidence: '251 other' };
    expect([await failureOf(read(s)), await failureOf(read(s))]).toEqual([fault, fault]);
    expect(s.ctx.transcript).toEqual(['S: 250-mx1.demo.test']);
  });
});

describe('what the run of lines 242–347 left (issue 20)', () => {
  it('EHLO answered 250 gives the EHLO capabilities; a 4xx to EHLO fails with the reply kept', async () => {
    const ok = await session(smtpScript());
    await readGreeting(ok.ctx, ok.reader);
    expect(await sayEhlo(ok.ctx, ok.reader, 'ehlo')).toMatchObject({ greeting: 'ehlo', starttls: true, pipelining: true });
    const no = await session(smtpScript({ replies: { EHLO: '421 4.3.2 Service not available' } }));
    await readGreeting(no.ctx, no.reader);
    expect(await failureOf(sayEhlo(no.ctx, no.reader, 'ehlo'))).toEqual({
      stage: 'ehlo',
      kind: 'reply',
      message: 'the server rejected EHLO: 421 4.3.2 Service not available',
      reply: { code: 421, enhanced: '4.3.2', lines: ['4.3.2 Service not available'] },
    });
  });
});

describe('what the run of lines 1–161 left (issue 20)', () => {
  it('text of control bytes only is escaped too (the short path is for text with none)', () => {
    expect([evidence('\x1b'), evidence('\r\n'), evidence('')]).toEqual(['\\x1b', '\\r\\n', '']);
  });

  it('a read whose window had closed before it began leaves no waiter behind: a later read in an open window gets the reply', async () => {
    let answer: (() => void) | undefined;
    const s = await session((socket) => void (answer = () => socket.write('220 late\r\n')));
    const cancel = new AbortController();
    cancel.abort();
    const cancelled = stageContext({ port: 1, signal: cancel.signal, cancel: cancel.signal });
    expect(await failureOf(s.reader.read(cancelled, 'banner', 'no greeting'))).toEqual({ stage: 'banner', kind: 'cancelled', message: 'cancelled by the user' });
    answer?.();
    // the reply is taken (and logged) before the next read begins
    while (!s.ctx.transcript.includes('S: 220 late')) await new Promise((r) => setTimeout(r, 5));
    expect(await read(s)).toEqual({ code: 220, lines: ['late'] });
  });
});
