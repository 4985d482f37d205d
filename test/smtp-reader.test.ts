/**
 * probes/smtp.ts on its own, over real loopback sockets: the reply reader's grammar
 * (RFC 5321 §4.2), its bounds, and the EHLO → HELO fallback (RFC 5321 §4.1.4, §3.2).
 * Each test pins one fact a mutation check found untested (issue 20).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { REPLY_LIMITS, ReplyReader, readGreeting, sayEhlo, type Capabilities } from '../probes/smtp.js';
import { StageFailure, type ProbeContext, type SmtpReply } from '../probes/stage.js';
import { connectTcp } from '../probes/tcp.js';
import { smtpScript, stageContext, startRaw, type RawHandler } from './fixtures/index.js';

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
    return err.toJSON();
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
      got.push(await read(s).then((reply) => reply.code, (err: StageFailure) => err.toJSON()));
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
