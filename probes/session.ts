/**
 * The one SMTP session driver. A session is data — a list of steps (greeting, EHLO,
 * STARTTLS, TLS, certificate, EHLO again, MAIL, RCPT, RSET, DATA, QUIT) — and one loop
 * runs it: every step gets its own window of the context's deadline (probes/deadline.ts,
 * through the stage functions), is timed and recorded as a StageResult, and a failing
 * step is a StageFailure under its own stage name. The probe (src/engine.ts), the TLS
 * version probe (tls-versions.ts) and verify's recipient test run their dialogues here.
 *
 * The driver reports what happened on the wire and decides nothing: the code, the verdict
 * and the warnings are judged from these facts elsewhere (src/judge.ts).
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { inspectCertificate, validatesCertificate, type CertificateCheck } from './certificate.js';
import { say, type ProbeTextRef, type Said } from './messages.js';
import { ReplyReader, formatReply, readGreeting, sayEhlo, sayQuit, sayStartTls, type Capabilities } from './smtp.js';
import { StageFailure, type ProbeContext, type SmtpReply, type StageName, type StageResult } from './stage.js';
import { connectTcp } from './tcp.js';
import { upgradeTls, type ProbeTlsOptions, type TlsInfo } from './tls.js';

/** One step of a session; `stage` is the name it is recorded (and fails) under. */
export type SessionStep =
  | { stage: 'tcp' }
  | { stage: 'banner' }
  | { stage: 'ehlo' }
  | { stage: 'starttls' }
  | {
      stage: 'tls';
      /** Pins versions or ciphers (the version probe). */
      options?: ProbeTlsOptions;
      /** Turns a handshake failure into a more precise one (always throws); tls-versions.ts explainTlsFailure. */
      explain?: (ctx: ProbeContext, ip: string, servername: string | null, err: unknown) => Promise<never>;
    }
  | { stage: 'certificate' }
  | { stage: 'ehlo-tls' }
  | { stage: 'mail'; from: string }
  | { stage: 'rcpt'; to: string }
  | { stage: 'rset' }
  /** The message as it goes on the wire (CRLF line ends); the driver dot-stuffs it (RFC 5321 §4.5.2). */
  | { stage: 'data'; message: string }
  | { stage: 'quit' };

/** The probe's dialogue: TCP → banner → EHLO → STARTTLS → TLS → certificate → EHLO → QUIT. */
export const PROBE_STEPS: readonly SessionStep[] = [
  { stage: 'tcp' },
  { stage: 'banner' },
  { stage: 'ehlo' },
  { stage: 'starttls' },
  { stage: 'tls' },
  { stage: 'certificate' },
  { stage: 'ehlo-tls' },
  { stage: 'quit' },
];

/** What happened that is no failure but that the judgement weighs. */
export type SessionEvent =
  /** Opportunistic TLS and the server offers no STARTTLS: the session went on in plaintext. */
  | { kind: 'no-tls' }
  /** Opportunistic TLS and the upgrade failed: Exchange Online would deliver in plaintext. */
  | { kind: 'tls-fallback'; failure: StageFailure }
  /** Bytes the server sent after its 220 to STARTTLS, before TLS (discarded, RFC 3207 §4.2). */
  | { kind: 'starttls-injection'; bytes: number };

/** Everything the wire told, in the order it happened. */
export interface SessionFacts {
  stages: StageResult[];
  /** The dialogue: the context's transcript. */
  transcript: string[];
  capabilities?: Capabilities;
  capabilitiesAfterTls?: Capabilities;
  tls?: TlsInfo;
  /** The described (and, where the TLS mode validates, judged) chain; set even when the stage failed. */
  certificate?: CertificateCheck;
  events: SessionEvent[];
  /** The replies to the envelope commands that got one. */
  replies: Partial<Record<'mail' | 'rcpt' | 'rset' | 'data', SmtpReply>>;
  failure?: StageFailure;
  /** The local address the connection came from (socket.localAddress once connected): where the probe stood. */
  sourceAddress?: string;
}

/**
 * Writes one of the prober's own notes into the dialogue (`* TLS established: …`), and
 * keeps what it was said from in `ctx.transcriptRefs`, as a path keeps its notes'
 * (`noteRefs`): the transcript's English stays as it was, and a report in another language
 * words the note again (src/catalog/probe-text.ts `transcriptLine`).
 */
export function noteInTranscript(ctx: Pick<ProbeContext, 'transcript' | 'transcriptRefs'>, note: Said): void {
  ctx.transcript.push(`* ${note.text}`);
  if (ctx.transcriptRefs) ctx.transcriptRefs[note.text] = { id: note.id, args: note.args };
}

/** RFC 5321 §4.1.3: the address literal of an IP address, `[192.0.2.1]` or `[IPv6:2001:db8::1]`. */
export function addressLiteral(ip: string): string {
  return ip.includes(':') ? `[IPv6:${ip}]` : `[${ip}]`;
}

export interface SessionOptions {
  ip: string;
  /** The host name for SNI (an IP literal sends none). */
  servername: string | null;
  steps: readonly SessionStep[];
  /**
   * Under opportunistic TLS a failed upgrade is not a failed delivery (Exchange Online
   * retries without TLS): `stop` ends the session there — the plain dialogue up to EHLO
   * has passed, which is all a probe needs; `reconnect` opens a plaintext session for the
   * remaining steps (the envelope test); `none` reports the failure (the version probe).
   */
  fallback?: 'stop' | 'reconnect' | 'none';
  /** Stages already run for this path (the DNS stage), recorded first. */
  stages?: StageResult[];
  /** Sees the TLS socket once the handshake completed (the policy checks keep its chain). */
  onTls?: (socket: tls.TLSSocket) => void;
}

/** The stages the driver skips once the session goes on without TLS. */
const TLS_STAGES = new Set<StageName>(['tls', 'certificate', 'ehlo-tls']);
const ENVELOPE_STAGES = new Set<StageName>(['mail', 'rcpt', 'rset', 'data']);

function ms(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

function describeCapabilities(caps: Capabilities): Said {
  if (caps.greeting === 'helo') return say('smtp.helo-accepted');
  // The keywords in the order announced, joined as they go (no entries array and map a reply).
  let keywords = '';
  for (const k in caps.extensions) {
    const v = caps.extensions[k] as string[];
    keywords += `${keywords ? ' ' : ''}${k === 'SIZE' && v[0] ? `SIZE ${v[0]}` : k}`;
  }
  return keywords ? say('smtp.capabilities', { server: caps.serverName, keywords }) : say('smtp.no-extensions', { server: caps.serverName });
}

function describeCertificate(ctx: ProbeContext, c: CertificateCheck): Said {
  const leaf = c.chain[0];
  const judged = validatesCertificate(ctx.tls.mode)
    ? c.requiredName
      ? say('cert.trusted-matches', { name: c.requiredName })
      : say('cert.trusted')
    : say('cert.not-validated', { mode: ctx.tls.mode });
  const revocation = c.revocation?.status === 'good' ? say('cert.not-revoked', { source: c.revocation.source ?? '' }) : '';
  if (!leaf) return say('cert.no-certificate');
  const date = leaf.validTo.slice(0, 10);
  const validity = leaf.daysLeft < 0 ? say('cert.expired-ago', { date, days: -leaf.daysLeft }) : say('cert.expires-in', { date, days: leaf.daysLeft });
  return say('cert.summary', { subject: leaf.subject, judged, validity, revocation });
}

/**
 * One envelope command; anything but an `ok` reply fails the step with the server's words.
 * `name` is what a timeout says was not answered: the command's verb, unless given (the
 * message's first word is no command).
 */
async function command(
  ctx: ProbeContext,
  reader: ReplyReader,
  stage: 'mail' | 'rcpt' | 'rset' | 'data',
  line: string,
  ok: (code: number) => boolean,
  refused: (reply: string) => Said,
  name = line.split(/[ :]/)[0] ?? line,
): Promise<SmtpReply> {
  reader.send(line);
  const reply = await reader.read(ctx, stage, () => say('smtp.no-reply', { command: name }));
  if (!ok(reply.code)) throw new StageFailure(stage, 'reply', refused(formatReply(reply)), { reply });
  return reply;
}

/** RFC 5321 §4.5.2: a line that begins with a period gets one more. */
function dotStuff(message: string): string {
  const body = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return `${body}${body.endsWith('\r\n') ? '' : '\r\n'}.`;
}

/**
 * Runs one SMTP session to `ip` (the context's port) step by step and returns what
 * happened. Never throws for a network outcome; every socket it opens is destroyed
 * before it returns.
 *
 * @example
 * ```ts
 * const facts = await runSession(ctx, { ip: '192.0.2.25', servername: 'mail.contoso.com', steps: PROBE_STEPS });
 * if (facts.failure) console.log(facts.failure.stage, facts.failure.kind);
 * ```
 */
export async function runSession(ctx: ProbeContext, options: SessionOptions): Promise<SessionFacts> {
  const facts: SessionFacts = { stages: options.stages ?? [], transcript: ctx.transcript, events: [], replies: {} };
  const fallback = ctx.tls.mode === 'opportunistic' ? (options.fallback ?? 'stop') : 'none';
  let socket: net.Socket | undefined;
  let secure: tls.TLSSocket | undefined;
  let reader: ReplyReader | undefined;
  let staple: Buffer | null = null;
  let plaintext = false;

  /** Whether the running step is still to be recorded: a failure now is its stage's. */
  let unrecorded = false;
  /** Records step `name`, begun at `t0`, as passed with what it found. */
  const passed = (name: StageName, t0: number, said: string | Said): void => {
    unrecorded = false;
    facts.stages.push(typeof said === 'string' ? { name, ok: true, ms: ms(t0), detail: said } : { name, ok: true, ms: ms(t0), detail: said.text, detailId: said.id, detailArgs: said.args });
  };
  /** Records step `name`, begun at `t0`, as failed; returns the failure to throw. */
  const failed = (name: StageName, t0: number, err: unknown): StageFailure => {
    const failure =
      err instanceof StageFailure ? err : new StageFailure(name, 'internal', (err as Error)?.message ?? String(err), {}, { cause: err });
    const said: ProbeTextRef | undefined = failure.said;
    facts.stages.push({ name, ok: false, ms: ms(t0), detail: failure.message, ...(said ? { detailId: said.id, detailArgs: said.args } : {}), failure: failure.toJSON() });
    return failure;
  };

  const close = (): void => {
    secure?.destroy();
    socket?.destroy();
    secure = socket = reader = undefined;
  };

  // After a failed upgrade with fallback `reconnect`, the loop runs again over the
  // plaintext session's steps (`retry`); a failure there ends the session.
  let steps = options.steps;
  let retry = false;
  try {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i] as SessionStep;
      if (plaintext && TLS_STAGES.has(s.stage)) continue;
      const t0 = performance.now();
      unrecorded = true;
      try {
        // Each step calls its stage function here and records itself as passed (`passed`)
        // once it returned; a failure is recorded below, timed from the same `t0`. No step
        // function or timing wrapper around them: an async call a step (its promise, its
        // suspended frame, one more microtask hop) cost more than the loop's own work.
        switch (s.stage) {
          case 'tcp': {
            socket = await connectTcp(ctx, options.ip);
            const source = socket.localAddress; // a getsockname(2): read once
            const address = `${options.ip.includes(':') ? `[${options.ip}]` : options.ip}:${ctx.port}`;
            passed('tcp', t0, source ? say('tcp.connected-from', { address, source }) : say('tcp.connected', { address }));
            if (source) facts.sourceAddress = source;
            // RFC 5321 §4.1.4: with no name configured, greet with the address literal of
            // the address the server sees, never a single-label host name.
            if (ctx.ehloName === null && source) ctx = { ...ctx, ehloName: addressLiteral(source) };
            reader = new ReplyReader(socket, ctx.transcript);
            break;
          }
          case 'banner':
            passed('banner', t0, formatReply(await readGreeting(ctx, reader as ReplyReader)));
            break;
          case 'ehlo':
            facts.capabilities = await sayEhlo(ctx, reader as ReplyReader, 'ehlo');
            passed('ehlo', t0, describeCapabilities(facts.capabilities));
            break;
          case 'starttls': {
            if (!facts.capabilities?.starttls) {
              if (ctx.tls.mode !== 'opportunistic') {
                throw new StageFailure('starttls', 'starttls-not-offered', say('smtp.starttls-not-offered', { mode: ctx.tls.mode }));
              }
              facts.events.push({ kind: 'no-tls' });
              plaintext = true;
              break;
            }
            passed('starttls', t0, formatReply(await sayStartTls(ctx, reader as ReplyReader)));
            // RFC 3207 §4.2: anything the server sent after its 220 must be discarded; a
            // remainder means plaintext was injected before TLS (CVE-2011-0411 style).
            const leftover = (reader as ReplyReader).detach();
            reader = undefined;
            if (leftover.length) facts.events.push({ kind: 'starttls-injection', bytes: leftover.length });
            break;
          }
          case 'tls': {
            const handshake = upgradeTls(ctx, socket as net.Socket, options.servername, s.options);
            const explain = s.explain;
            const upgraded = await (explain ? handshake.catch((err) => explain(ctx, options.ip, options.servername, err)) : handshake);
            passed('tls', t0, `${upgraded.info.protocol} ${upgraded.info.cipher}`);
            secure = upgraded.socket;
            staple = upgraded.staple;
            facts.tls = upgraded.info;
            options.onTls?.(secure);
            noteInTranscript(ctx, say('session.tls-established', { protocol: String(upgraded.info.protocol), cipher: String(upgraded.info.cipher) }));
            reader = new ReplyReader(secure, ctx.transcript);
            break;
          }
          case 'certificate':
            facts.certificate = await inspectCertificate(ctx, secure as tls.TLSSocket, { staple, onCheck: (c) => (facts.certificate = c) });
            passed('certificate', t0, describeCertificate(ctx, facts.certificate));
            break;
          case 'ehlo-tls':
            facts.capabilitiesAfterTls = await sayEhlo(ctx, reader as ReplyReader, 'ehlo-tls');
            passed('ehlo-tls', t0, describeCapabilities(facts.capabilitiesAfterTls));
            break;
          case 'mail':
            facts.replies.mail = await command(ctx, reader as ReplyReader, 'mail', `MAIL FROM:<${s.from}>`, (c) => c === 250, (reply) => say('smtp.mail-refused', { reply }));
            passed('mail', t0, formatReply(facts.replies.mail));
            break;
          case 'rcpt':
            // RFC 5321 §4.1.1.3: 250, or 251 "user not local; will forward".
            facts.replies.rcpt = await command(ctx, reader as ReplyReader, 'rcpt', `RCPT TO:<${s.to}>`, (c) => c === 250 || c === 251, (reply) => say('smtp.rcpt-refused', { to: s.to, reply }));
            passed('rcpt', t0, formatReply(facts.replies.rcpt));
            break;
          case 'rset':
            facts.replies.rset = await command(ctx, reader as ReplyReader, 'rset', 'RSET', (c) => c === 250, (reply) => say('smtp.rset-refused', { reply }));
            passed('rset', t0, formatReply(facts.replies.rset));
            break;
          case 'data': {
            const r = reader as ReplyReader;
            await command(ctx, r, 'data', 'DATA', (c) => c === 354, (reply) => say('smtp.data-refused', { reply }));
            // RFC 5321 §4.1.1.4: the reply answers the end of mail data indicator.
            facts.replies.data = await command(ctx, r, 'data', dotStuff(s.message), (c) => c === 250, (reply) => say('smtp.message-refused', { reply }), '<CRLF>.<CRLF>');
            passed('data', t0, formatReply(facts.replies.data));
            break;
          }
          case 'quit': {
            const reply = await sayQuit(ctx, reader as ReplyReader);
            passed('quit', t0, reply ? formatReply(reply) : say('smtp.quit-no-reply'));
            break;
          }
          default: {
            const unknown: never = s;
            unrecorded = false; // no stage to record it under
            throw new Error(`unknown session step ${JSON.stringify(unknown)}`);
          }
        }
      } catch (caught) {
        // A step that has not recorded itself failed in its stage; one that has (passed)
        // failed after it, and that error goes on as it is.
        const err = unrecorded ? failed(s.stage, t0, caught) : caught;
        // Opportunistic TLS: a failed upgrade is not a failed delivery. Exchange Online
        // retries without TLS, and the plain dialogue up to EHLO has already passed.
        const upgrade = s.stage === 'starttls' || s.stage === 'tls' || s.stage === 'certificate';
        if (retry || fallback === 'none' || !upgrade || !(err instanceof StageFailure) || err.kind === 'cancelled') throw err;
        facts.events.push({ kind: 'tls-fallback', failure: err });
        close();
        const rest = steps.slice(i + 1);
        if (fallback === 'stop' || !rest.some((r) => ENVELOPE_STAGES.has(r.stage))) return facts;
        plaintext = true;
        noteInTranscript(ctx, say('session.plain-retry'));
        steps = [{ stage: 'tcp' }, { stage: 'banner' }, { stage: 'ehlo' }, ...rest];
        retry = true;
        i = -1;
      }
    }
  } catch (err) {
    facts.failure = err instanceof StageFailure ? err : new StageFailure('tcp', 'internal', String(err), {}, { cause: err });
    // The server refused an envelope command: end the dialogue politely (RFC 5321 §4.1.1.10).
    if (facts.failure.kind === 'reply' && ENVELOPE_STAGES.has(facts.failure.stage) && reader && options.steps.some((s) => s.stage === 'quit')) {
      await sayQuit(ctx, reader).catch(() => null);
    }
  } finally {
    close();
  }
  return facts;
}
