import type { Duplex } from 'node:stream';
import { openWindow, windowFailure, type StageWindow } from './deadline.js';
import { StageFailure, type ProbeContext, type SmtpReply, type StageName } from './stage.js';
import { say, type ProbeTextRef, type Said } from './messages.js';

/**
 * What the reader accepts before it calls the peer broken. RFC 5321 §4.5.3.1.5 limits a
 * reply line to 512 octets; real servers exceed that (long EHLO keyword lists, banners),
 * so we accept eight times as much and still hold memory to a fixed bound.
 */
export const REPLY_LIMITS = {
  lineBytes: 4096,
  lines: 200,
  replyBytes: 64 * 1024,
  /** Complete replies nobody asked for yet (we never pipeline, so one is normal). */
  unread: 4,
} as const;

const LF = Buffer.from('\n');

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

/** A printable, truncated rendering of bytes a server sent, for evidence. */
export function evidence(bytes: Buffer | string, max = 80): string {
  const text = typeof bytes === 'string' ? bytes : bytes.subarray(0, max * 2).toString('latin1');
  // Every reply line of every probe comes here for the transcript: most hold nothing to escape.
  if (text.length <= max && !CONTROL.test(text)) return text;
  // Control bytes are shown as \xNN so garbage stays visible and a terminal stays safe.
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) =>
    c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/** What a read waits for, for its timeout's wording; a function is called only on a timeout. */
export type Waiting = string | Said | (() => Said);

/**
 * How the connection ended. `message` is said (its English filled) only when a read reports
 * it: every probe's connection ends after QUIT ('end', then 'close'), and no read follows.
 */
type End = { kind: 'closed' | 'reset' | 'protocol'; message: ProbeTextRef; errno?: string; evidence?: string };

/**
 * Reads SMTP replies (RFC 5321 §4.2) from a socket, one complete reply at a time, with
 * every buffer bounded by REPLY_LIMITS. The reader never throws from an event: a broken
 * peer becomes a StageFailure on the next `read`, attributed to the stage that waits.
 */
export class ReplyReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  /**
   * The reply being received and the complete ones nobody read yet, each with its raw lines:
   * what `detach` hands back, so that a whole reply a server injects after its 220 to
   * STARTTLS counts as well as a partial line. The reply being received keeps where its
   * lines lie in the chunks they came in (`RawLines`, line ends left off); a complete reply
   * nobody waits for copies them, line ends included. A reply a read waits for (every reply
   * of a sound dialogue) is never copied, nor a view made of its lines: ten or so Buffers a
   * probe.
   */
  private current: { code: number; lines: string[]; bytes: number; raw: RawLines } | null = null;
  private readonly replies: Array<{ reply: SmtpReply; raw: Buffer[] }> = [];
  private end: End | null = null;
  /**
   * The read waiting for a reply, settled by the reply, the end or its window: state on the
   * reader and one closure for every window (onWindowClose), not four closures a read.
   */
  private pending: {
    ctx: ProbeContext;
    stage: StageName;
    waitingFor: Waiting;
    window: StageWindow;
    resolve: (reply: SmtpReply) => void;
    reject: (failure: StageFailure) => void;
  } | null = null;

  private readonly onWindowClose = (): void => {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    p.window.dispose();
    p.reject(windowFailure(p.ctx, p.stage, p.window, typeof p.waitingFor === 'function' ? p.waitingFor() : p.waitingFor));
  };

  private readonly onData = (chunk: Buffer): void => this.take(chunk);
  private readonly onEnd = (): void => {
    if (this.end) return; // 'close' after 'end', or after a fault
    // A close in the middle of a reply line is still a close (4.4.318), but what the
    // server had begun to say is kept as evidence.
    const partial = this.bufferedBytes ? Buffer.concat(this.buffered) : null;
    this.finish({
      kind: 'closed',
      message: { id: partial ? 'smtp.closed-mid-reply' : 'smtp.closed', args: {} },
      ...(partial ? { evidence: evidence(partial) } : {}),
    });
  };
  private readonly onError = (err: NodeJS.ErrnoException): void =>
    this.finish({
      kind: err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'closed',
      message: err.code === 'ECONNRESET' ? { id: 'smtp.reset', args: {} } : { id: 'smtp.socket-error', args: { error: err.code ?? err.message } },
      errno: err.code,
    });

  constructor(
    private readonly socket: Duplex,
    private readonly transcript: string[],
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
    // A socket that died before the reader came (the TCP stage hands on a connection the
    // server accepted and reset at once): its events are gone, so read its state.
    if (socket.destroyed) {
      if (socket.errored) this.onError(socket.errored as NodeJS.ErrnoException);
      else this.onEnd();
    }
  }

  /** Sends one command line; the transcript records it as `C: …`. */
  send(line: string): void {
    this.transcript.push(`C: ${line}`);
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(`${line}\r\n`);
  }

  /**
   * The next complete reply, waiting at most the stage's window. `waitingFor` words the
   * timeout failure: "no greeting" → "no greeting within 10000 ms"; given as a function, it
   * is said only when the window closes (a probe reads five replies and none times out).
   */
  read(ctx: ProbeContext, stage: StageName, waitingFor: Waiting, limitMs?: number): Promise<SmtpReply> {
    // One promise, settled by the reply, the end or the window: no async wrapper around it.
    return new Promise<SmtpReply>((resolve, reject) => {
      const next = this.replies.shift()?.reply ?? this.end;
      if (next) return 'code' in next ? resolve(next) : reject(this.failureOf(stage, next));
      const window = openWindow(ctx, limitMs);
      this.pending = { ctx, stage, waitingFor, window, resolve, reject };
      // Called at once when the window has closed already.
      window.onClose(this.onWindowClose);
    });
  }

  /**
   * Stops reading and hands the socket back. Returns whatever the server sent that no
   * read consumed (whole replies not yet read, a reply or a line not yet complete): after
   * STARTTLS that must be discarded (RFC 3207 §4.2), and a non-empty remainder means the
   * server (or a box in the path) injected plaintext.
   */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    // A reply cut short by a fault is part of the failure, not of what is left.
    const unfinished = this.end || !this.current ? null : withLineEnds(this.current.raw);
    // Nothing left over (every sound STARTTLS): no arrays to spread, no copy.
    const rest =
      !this.replies.length && !unfinished && !this.buffered.length
        ? Buffer.alloc(0)
        : Buffer.concat([...this.replies.flatMap((r) => r.raw), ...(unfinished ?? []), ...this.buffered]);
    this.replies.length = 0;
    this.current = null;
    this.buffered = [];
    this.bufferedBytes = 0;
    return rest;
  }

  /** The failure a read reports when the connection ended or broke. */
  private failureOf(stage: StageName, end: End): StageFailure {
    // A reset before the greeting: the server accepted the connection, then reset it
    // (Exchange: connect succeeds, first read fails with Winsock 10054).
    const message = stage === 'banner' && end.kind === 'reset' ? say('tcp.accepted-then-reset') : say(end.message.id, end.message.args);
    return new StageFailure(stage, end.kind, message, {
      ...(end.errno ? { errno: end.errno } : {}),
      ...(end.evidence ? { evidence: end.evidence } : {}),
    });
  }

  private deliver(outcome: SmtpReply | End, raw: RawLines = []): void {
    const p = this.pending;
    if (p) {
      this.pending = null;
      p.window.dispose(); // forgets onWindowClose too
      if ('code' in outcome) p.resolve(outcome);
      else p.reject(this.failureOf(p.stage, outcome));
    } else if ('code' in outcome) {
      this.replies.push({ reply: outcome, raw: [Buffer.concat(withLineEnds(raw))] });
    }
  }

  private finish(end: End): void {
    if (this.end) return;
    this.end = end;
    this.buffered = [];
    this.bufferedBytes = 0;
    this.deliver(end);
  }

  private fail(message: Said, bytes: Buffer | string): void {
    this.finish({ kind: 'protocol', message, evidence: evidence(bytes) });
  }

  private take(chunk: Buffer): void {
    if (this.end) return; // after a fault nothing more is kept
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      // The line is `chunk[start, nl)`, or, begun in earlier chunks, a copy of it whole.
      let line = chunk;
      let from = start;
      let to = nl;
      if (this.bufferedBytes) {
        line = Buffer.concat([...this.buffered, chunk.subarray(start, nl)]);
        from = 0;
        to = line.length;
        this.buffered = [];
        this.bufferedBytes = 0;
      }
      start = nl + 1;
      if (to - from > REPLY_LIMITS.lineBytes) {
        return this.fail(say('smtp.line-too-long', { bytes: REPLY_LIMITS.lineBytes }), line.subarray(from, to));
      }
      this.line(line, from, to);
      if (this.end) return;
    }
    // A chunk that ends with its last line (every reply of a sound dialogue) leaves no rest:
    // no empty view made for it.
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.bufferedBytes += rest.length;
      if (this.bufferedBytes > REPLY_LIMITS.lineBytes) {
        return this.fail(
          say('smtp.line-too-long', { bytes: REPLY_LIMITS.lineBytes }),
          Buffer.concat([...this.buffered, rest]),
        );
      }
      this.buffered.push(Buffer.from(rest)); // copy: the chunk's memory is not ours to keep
      // Garbage without a line end (binary, a TLS record, an HTTP error without CRLF)
      // would otherwise wait for a newline until the stage times out and pass for a
      // stall (4.4.318); its first bytes already tell it is no reply.
      // Only the first four bytes decide, so a drip costs nothing once they are in.
      if (this.bufferedBytes - rest.length < 4) {
        const head = Buffer.concat(this.buffered);
        if (!couldStartReply(head)) return this.fail(say('smtp.not-a-reply'), head);
      }
    }
  }

  /** The line `raw[from, to)` (its LF left off). */
  private line(raw: Buffer, from: number, to: number): void {
    // The line without its CR, decoded in place (a view of it is made only for a fault's evidence).
    const end = to > from && raw[to - 1] === 0x0d ? to - 1 : to;
    const length = end - from;
    const text = raw.toString('utf8', from, end);
    // RFC 5321 §4.2: a reply line is a three-digit code, then "-" (more lines follow),
    // a space or nothing (the last line), then text. The first digit is 2 to 5.
    if (!isReplyLine(text)) return this.fail(say('smtp.not-a-reply'), raw.subarray(from, end));
    const code = (text.charCodeAt(0) - 0x30) * 100 + (text.charCodeAt(1) - 0x30) * 10 + (text.charCodeAt(2) - 0x30);
    const cur = (this.current ??= { code, lines: [], bytes: 0, raw: [] });
    if (cur.code !== code) {
      return this.fail(say('smtp.code-changed', { from: cur.code, to: code }), raw.subarray(from, end));
    }
    cur.lines.push(text.slice(4));
    cur.bytes += length;
    cur.raw.push(raw, from, to);
    this.transcript.push(`S: ${evidence(text, 600)}`);
    if (cur.lines.length > REPLY_LIMITS.lines || cur.bytes > REPLY_LIMITS.replyBytes) {
      return this.fail(
        say('smtp.reply-too-long', { lines: REPLY_LIMITS.lines, kib: REPLY_LIMITS.replyBytes / 1024 }),
        raw.subarray(from, end),
      );
    }
    if (text.charCodeAt(3) === 0x2d) return;
    this.current = null;
    if (this.replies.length >= REPLY_LIMITS.unread) {
      return this.fail(say('smtp.unrequested'), raw.subarray(from, end));
    }
    // RFC 3463's class.subject.detail: its second character is the dot (most replies have none).
    const first = cur.lines[0] as string;
    const enhanced = first.charCodeAt(1) === 0x2e ? ENHANCED_CODE.exec(first)?.[1] : undefined;
    this.deliver(enhanced ? { code, enhanced, lines: cur.lines } : { code, lines: cur.lines }, cur.raw);
  }
}

const ENHANCED_CODE = /^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/;

/** `^[2-5][0-9][0-9]([ -]|$)`, without a match object per line. */
function isReplyLine(text: string): boolean {
  const c0 = text.charCodeAt(0);
  const c1 = text.charCodeAt(1);
  const c2 = text.charCodeAt(2);
  if (!(c0 >= 0x32 && c0 <= 0x35 && c1 >= 0x30 && c1 <= 0x39 && c2 >= 0x30 && c2 <= 0x39)) return false;
  return text.length === 3 || text.charCodeAt(3) === 0x20 || text.charCodeAt(3) === 0x2d;
}

/** Where a reply's lines lie: for each, the chunk it came in, where it starts and where it ends (its LF left off). */
type RawLines = Array<Buffer | number>;

/** Lines read without their line ends, each followed by LF again. */
function withLineEnds(lines: RawLines): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < lines.length; i += 3) out.push((lines[i] as Buffer).subarray(lines[i + 1] as number, lines[i + 2] as number), LF);
  return out;
}

/**
 * Whether `head` (the first bytes of a line still being received) can begin a reply
 * line: RFC 5321 §4.2 `Reply-code [ SP / "-" ]`, the code's first digit 2 to 5.
 */
function couldStartReply(head: Buffer): boolean {
  const digit = (i: number): boolean => (head[i] as number) >= 0x30 && (head[i] as number) <= 0x39;
  if (head.length > 0 && !((head[0] as number) >= 0x32 && (head[0] as number) <= 0x35)) return false;
  if (head.length > 1 && !digit(1)) return false;
  if (head.length > 2 && !digit(2)) return false;
  // the separator, or CR of a bare code line
  if (head.length > 3 && ![0x20, 0x2d, 0x0d].includes(head[3] as number)) return false;
  return true;
}

/** A reply as one line of text, the way Exchange quotes it: `421 4.3.2 Service not available`. */
export function formatReply(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' ').trim()}`.trim();
}

/** The SMTP service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1). */
export interface Capabilities {
  /** How the session was opened: EHLO, or HELO after the server rejected EHLO. */
  greeting: 'ehlo' | 'helo';
  /** The name the server gave for itself on the first line. */
  serverName: string;
  /** Every keyword (upper-case) with its parameters. */
  extensions: Record<string, string[]>;
  starttls: boolean;
  /** RFC 1870 SIZE: the largest message in bytes, 0 for "no fixed limit", null if not announced. */
  size: number | null;
  eightBitMime: boolean;
  pipelining: boolean;
  smtpUtf8: boolean;
  chunking: boolean;
  enhancedStatusCodes: boolean;
}

const SPACE = /\s/;

/** `text.trim().split(/\s+/)`, without the RegExp split for a line of one word (most EHLO keywords). */
function wordsOf(text: string): string[] {
  const trimmed = text.trim();
  return SPACE.test(trimmed) ? trimmed.split(/\s+/) : [trimmed];
}

export function parseCapabilities(reply: SmtpReply, greeting: 'ehlo' | 'helo'): Capabilities {
  const lines = reply.lines;
  const extensions: Record<string, string[]> = {};
  if (greeting === 'ehlo') {
    // Indexed, not `[first, ...rest]`: destructuring runs the iterator protocol, a probe parses two replies.
    for (let i = 1; i < lines.length; i++) {
      const words = wordsOf(lines[i] as string);
      const keyword = words[0];
      if (keyword) extensions[keyword.toUpperCase()] = words.slice(1);
    }
  }
  const size = extensions.SIZE ? Number(extensions.SIZE[0] ?? 0) : null;
  return {
    greeting,
    serverName: wordsOf(lines[0] ?? '')[0] ?? '',
    extensions,
    starttls: 'STARTTLS' in extensions,
    size: size === null || Number.isFinite(size) ? size : null,
    eightBitMime: '8BITMIME' in extensions,
    pipelining: 'PIPELINING' in extensions,
    smtpUtf8: 'SMTPUTF8' in extensions,
    chunking: 'CHUNKING' in extensions,
    enhancedStatusCodes: 'ENHANCEDSTATUSCODES' in extensions,
  };
}

/** What the probe's reads wait for, said only when one times out. */
const WAITING = {
  greeting: (): Said => say('smtp.no-greeting'),
  EHLO: (): Said => say('smtp.no-reply', { command: 'EHLO' }),
  HELO: (): Said => say('smtp.no-reply', { command: 'HELO' }),
  STARTTLS: (): Said => say('smtp.no-reply', { command: 'STARTTLS' }),
  QUIT: (): Said => say('smtp.no-reply', { command: 'QUIT' }),
} as const;

/** Banner stage: the server's greeting must be 220 (RFC 5321 §4.3.1; 554 means no service). */
export async function readGreeting(ctx: ProbeContext, reader: ReplyReader): Promise<SmtpReply> {
  const reply = await reader.read(ctx, 'banner', WAITING.greeting);
  if (reply.code !== 220) {
    throw new StageFailure('banner', 'reply', say('smtp.greeted-with', { reply: formatReply(reply) }), { reply });
  }
  return reply;
}

/**
 * EHLO, and HELO where the server rejects EHLO with a permanent error: RFC 5321 §4.1.4
 * and §3.2 let a client fall back, and sending MTAs do. A 4xx (or 421) is not a "don't
 * know EHLO" but a refusal, so it fails the stage as it would fail a delivery.
 */
export async function sayEhlo(
  ctx: ProbeContext,
  reader: ReplyReader,
  stage: 'ehlo' | 'ehlo-tls',
): Promise<Capabilities> {
  const name = ctx.ehloName;
  if (name === null) throw new StageFailure(stage, 'internal', say('smtp.no-ehlo-name'));
  reader.send(`EHLO ${name}`);
  const reply = await reader.read(ctx, stage, WAITING.EHLO);
  if (reply.code === 250) return parseCapabilities(reply, 'ehlo');
  if (reply.code >= 500 && reply.code !== 554) {
    reader.send(`HELO ${name}`);
    const helo = await reader.read(ctx, stage, WAITING.HELO);
    if (helo.code === 250) return parseCapabilities(helo, 'helo');
    throw new StageFailure(stage, 'reply', say('smtp.ehlo-helo-rejected', { reply: formatReply(helo) }), {
      reply: helo,
    });
  }
  throw new StageFailure(stage, 'reply', say('smtp.ehlo-rejected', { reply: formatReply(reply) }), { reply });
}

/** STARTTLS command (RFC 3207 §4): 220 means "go ahead"; anything else refuses it. */
export async function sayStartTls(ctx: ProbeContext, reader: ReplyReader): Promise<SmtpReply> {
  reader.send('STARTTLS');
  const reply = await reader.read(ctx, 'starttls', WAITING.STARTTLS);
  if (reply.code !== 220) {
    throw new StageFailure('starttls', 'reply', say('smtp.starttls-refused', { reply: formatReply(reply) }), { reply });
  }
  return reply;
}

/**
 * QUIT (RFC 5321 §4.1.1.10). Politeness, not a test: mail has already been shown to flow,
 * so a server that closes without its 221 fails nothing. Waits at most two seconds.
 */
export async function sayQuit(ctx: ProbeContext, reader: ReplyReader): Promise<SmtpReply | null> {
  reader.send('QUIT');
  try {
    return await reader.read(ctx, 'quit', WAITING.QUIT, 2000);
  } catch (err) {
    if (err instanceof StageFailure && err.kind !== 'cancelled') return null;
    throw err;
  }
}
