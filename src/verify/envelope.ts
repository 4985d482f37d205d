/**
 * The optional tests that go beyond the handshake, each only when asked for:
 * - the recipient test: MAIL FROM / RCPT TO / RSET, no DATA (RFC 5321 §4.1.1.2–.5), over
 *   the same path and TLS policy as the probe — proves the host takes mail for the domain
 *   without sending any;
 * - the test message: one real message through the same path and TLS policy, sent with
 *   nodemailer, and the queue id from the server's 250 reply.
 */
import net from 'node:net';
import tls from 'node:tls';
import { createTransport } from 'nodemailer';
import { checkCertificate, nameMatchesTlsDomain, validatesCertificate } from '../../probes/certificate.js';
import { ReplyReader, formatReply, readGreeting, sayEhlo, sayQuit, sayStartTls } from '../../probes/smtp.js';
import { StageFailure, type ProbeContext, type TlsPolicy } from '../../probes/stage.js';
import { connectTcp } from '../../probes/tcp.js';
import { upgradeTls } from '../../probes/tls.js';
import { UsageError, asciiHostname } from '../options.js';

/** Sender and recipient of a test, from `--rcpt-test FROM,TO` or `--send-test FROM,TO`. */
export interface Envelope {
  from: string;
  to: string;
}

/** Where and how to connect: one path of a probe result, under the connector's TLS policy. */
export interface EnvelopeTarget {
  host: string;
  ip: string;
  port: number;
  tls: TlsPolicy;
  ehloName: string;
  timeoutMs: number;
}

export interface EnvelopeOutcome {
  host: string;
  ip: string;
  ok: boolean;
  /** The step the test reached: where it failed, or `done`. */
  step: 'connect' | 'greeting' | 'tls' | 'mail' | 'rcpt' | 'rset' | 'data' | 'done';
  /** The server's reply to the decisive command (RCPT TO, or the end of DATA). */
  reply: string | null;
  detail: string;
  /** For the test message: the queue id the server gave in its 250 reply, when it gave one. */
  queueId?: string | null;
  messageId?: string;
  transcript: string[];
}

const MAILBOX = /^[^\s<>@",;]+@([^\s<>@",;]+)$/;

/** `FROM,TO` → an envelope; each must be a plain address (`user@domain`). An empty FROM is the null sender `<>`. */
export function parseEnvelope(input: string, flag: string): Envelope {
  const parts = input.split(',').map((s) => s.trim());
  if (parts.length !== 2) throw new UsageError(`invalid ${flag} "${input}": expected FROM,TO (two addresses, one comma)`);
  const [from = '', to = ''] = parts;
  for (const [what, address, nullable] of [['sender', from, true], ['recipient', to, false]] as const) {
    if (nullable && address === '') continue;
    const match = MAILBOX.exec(address);
    const domain = match?.[1];
    if (!domain || ('error' in asciiHostname(domain) && !/^\[.*\]$/.test(domain))) {
      throw new UsageError(`invalid ${flag} ${what} "${address}": expected an address such as user@contoso.com`);
    }
  }
  return { from, to };
}

function context(target: EnvelopeTarget, transcript: string[]): { ctx: ProbeContext; dispose(): void } {
  // Connect, greeting, EHLO, STARTTLS, TLS, EHLO, MAIL, RCPT, RSET, QUIT: each gets the
  // stage timeout, and the whole test at most that many of them.
  const total = target.timeoutMs * 10;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('deadline', 'TimeoutError')), total);
  const ctx: ProbeContext = {
    signal: controller.signal,
    cancel: new AbortController().signal,
    deadline: performance.now() + total,
    stageTimeoutMs: target.timeoutMs,
    resolvers: [],
    port: target.port,
    ehloName: target.ehloName,
    tls: target.tls,
    transcript,
  };
  return { ctx, dispose: () => clearTimeout(timer) };
}

/**
 * The recipient test on one path: the same dialogue as the probe up to the second EHLO,
 * then MAIL FROM, RCPT TO and RSET — never DATA — and QUIT. RCPT TO answered 250/251
 * passes (RFC 5321 §4.1.1.3); anything else fails with the server's reply.
 */
export async function recipientTest(target: EnvelopeTarget, envelope: Envelope): Promise<EnvelopeOutcome> {
  const transcript: string[] = [];
  const { ctx, dispose } = context(target, transcript);
  const outcome = (ok: boolean, step: EnvelopeOutcome['step'], reply: string | null, detail: string): EnvelopeOutcome => ({
    host: target.host,
    ip: target.ip,
    ok,
    step,
    reply,
    detail,
    transcript,
  });
  let socket: net.Socket | undefined;
  let secure: tls.TLSSocket | undefined;
  let step: EnvelopeOutcome['step'] = 'connect';
  try {
    socket = await connectTcp(ctx, target.ip);
    step = 'greeting';
    let reader = new ReplyReader(socket, transcript);
    await readGreeting(ctx, reader);
    const caps = await sayEhlo(ctx, reader, 'ehlo');
    step = 'tls';
    if (caps.starttls) {
      await sayStartTls(ctx, reader);
      reader.detach(); // RFC 3207 §4.2: nothing sent before TLS is kept
      const upgraded = await upgradeTls(ctx, socket, target.host);
      secure = upgraded.socket;
      await checkCertificate(ctx, secure);
      reader = new ReplyReader(secure, transcript);
      await sayEhlo(ctx, reader, 'ehlo-tls');
    } else if (target.tls.mode !== 'opportunistic') {
      return outcome(false, 'tls', null, `the server does not offer STARTTLS and the connector requires TLS (${target.tls.mode})`);
    }
    // The reads below carry the stage name 'quit' only because StageName has no envelope
    // stages; a failure is reported under this function's own step names.
    step = 'mail';
    reader.send(`MAIL FROM:<${envelope.from}>`);
    const mail = await reader.read(ctx, 'quit', 'no reply to MAIL FROM');
    if (mail.code !== 250) return outcome(false, 'mail', formatReply(mail), `MAIL FROM was refused: ${formatReply(mail)}`);
    step = 'rcpt';
    reader.send(`RCPT TO:<${envelope.to}>`);
    const rcpt = await reader.read(ctx, 'quit', 'no reply to RCPT TO');
    const accepted = rcpt.code === 250 || rcpt.code === 251;
    step = 'rset';
    reader.send('RSET');
    await reader.read(ctx, 'quit', 'no reply to RSET');
    await sayQuit(ctx, reader);
    return accepted
      ? outcome(true, 'done', formatReply(rcpt), `RCPT TO:<${envelope.to}> accepted: ${formatReply(rcpt)}`)
      : outcome(false, 'rcpt', formatReply(rcpt), `RCPT TO:<${envelope.to}> was refused: ${formatReply(rcpt)}`);
  } catch (err) {
    const message = err instanceof StageFailure ? err.message : (err as Error).message;
    return outcome(false, step, null, `${step}: ${message}`);
  } finally {
    dispose();
    secure?.destroy();
    socket?.destroy();
  }
}

/** The queue id in a 250 reply to DATA, as Postfix, Exchange and others word it. */
export function queueIdOf(response: string): string | null {
  const patterns = [
    /queued as ([A-Za-z0-9._-]+)/i, // Postfix, smtp-server "OK: queued as …"
    /InternalId=([0-9]+)/i, // Exchange "Queued mail for delivery … [InternalId=…]"
    /\bid=([A-Za-z0-9._-]+)/i, // Exim "OK id=…"
    /^250 [0-9.]+ ([A-Za-z0-9]{8,}) /, // Sendmail "250 2.0.0 <qid> Message accepted"
  ];
  for (const p of patterns) {
    const m = p.exec(response);
    if (m?.[1]) return m[1];
  }
  return null;
}

/**
 * One real test message through one path, with nodemailer: the same address, port, EHLO
 * name and TLS policy as the probe (requireTLS unless opportunistic; the chain checked
 * against the same anchors under certificate- and domain-validation; the name checked
 * against TlsDomain under domain-validation).
 *
 * The whole send ends by `limits.totalMs` (default ten stage timeouts, as the recipient
 * test) of wall-clock time: nodemailer's timeouts are idle timers that every byte
 * restarts, so a relay that drips its answer one byte a second would hold the send for
 * as long as it likes. Past the limit the connection is destroyed and the outcome says so.
 */
export async function sendTestMessage(
  target: EnvelopeTarget,
  envelope: Envelope,
  label: string,
  limits: { totalMs?: number; signal?: AbortSignal } = {},
): Promise<EnvelopeOutcome> {
  const transcript: string[] = [];
  const totalMs = Math.max(1, Math.round(limits.totalMs ?? target.timeoutMs * 10));
  const wallClock = AbortSignal.timeout(totalMs);
  const signal = limits.signal ? AbortSignal.any([limits.signal, wallClock]) : wallClock;
  // How far nodemailer got, from what it logs: `send` before MAIL FROM, `message` once the
  // message is written and the end of DATA awaits its reply.
  let phase: EnvelopeOutcome['step'] = 'connect';
  const progress = (entry: unknown): void => {
    const tnx = (entry as { tnx?: string } | null)?.tnx;
    if (tnx === 'send') phase = 'mail';
    else if (tnx === 'message') phase = 'data';
  };
  const validates = validatesCertificate(target.tls.mode);
  const domain = target.tls.mode === 'domain-validation' ? target.tls.domain : null;
  const transport = createTransport({
    host: target.ip,
    port: target.port,
    secure: false,
    name: target.ehloName,
    requireTLS: target.tls.mode !== 'opportunistic',
    opportunisticTLS: target.tls.mode === 'opportunistic',
    connectionTimeout: target.timeoutMs,
    greetingTimeout: target.timeoutMs,
    socketTimeout: target.timeoutMs,
    // close() destroys at once: a relay that never closes its side cannot keep the socket
    socketCloseTimeout: 0,
    disableFileAccess: true,
    disableUrlAccess: true,
    tls: {
      minVersion: 'TLSv1.2',
      ...(net.isIP(target.host) === 0 ? { servername: target.host } : {}),
      rejectUnauthorized: validates,
      ...(target.tls.ca.length ? { ca: [...tls.rootCertificates, ...target.tls.ca] } : {}),
      checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => {
        if (!domain) return undefined;
        const names = (cert.subjectaltname ?? '')
          .split(/,\s*/)
          .filter((n) => n.startsWith('DNS:'))
          .map((n) => n.slice(4));
        const all = names.length ? names : cert.subject?.CN ? [String(cert.subject.CN)] : [];
        return all.some((n) => nameMatchesTlsDomain(domain, n))
          ? undefined
          : new Error(`the certificate is for ${all.join(', ') || '(no names)'}, not ${domain}`);
      },
    },
    logger: {
      level: () => undefined,
      trace: () => undefined,
      debug: (_e: unknown, ...args: unknown[]) => transcript.push(`* ${args.map(String).join(' ')}`),
      info: (e: unknown, ...args: unknown[]) => {
        progress(e);
        transcript.push(`* ${args.map(String).join(' ')}`);
      },
      warn: () => undefined,
      error: () => undefined,
      fatal: () => undefined,
    },
  } as Parameters<typeof createTransport>[0]);
  const base = { host: target.host, ip: target.ip, transcript };
  try {
    const info = (await transport.sendMail({
      envelope: { from: envelope.from, to: [envelope.to] },
      from: envelope.from || `postmaster@${target.ehloName}`,
      to: envelope.to,
      subject: `mailflow-probe test message: ${label}`,
      text:
        `This is a test message sent by mailflow-probe through the path ${target.host} [${target.ip}]:${target.port}` +
        ` under TLS policy ${target.tls.mode}${domain ? ` (${domain})` : ''}, to verify the connector "${label}".\r\n` +
        'It needs no action and can be deleted.\r\n',
      headers: { 'X-Mailflow-Probe': 'test-message' },
      signal,
    })) as { response?: string; messageId?: string; rejected?: unknown[] };
    const response = String(info.response ?? '');
    return {
      ...base,
      ok: true,
      step: 'done',
      reply: response,
      queueId: queueIdOf(response),
      ...(info.messageId ? { messageId: info.messageId } : {}),
      detail: `accepted: ${response}`,
    };
  } catch (err) {
    if (wallClock.aborted) {
      return { ...base, ok: false, step: phase, reply: null, queueId: null, detail: `not sent: no complete answer within the deadline (${totalMs} ms)` };
    }
    const e = err as Error & { response?: string; code?: string; command?: string };
    return {
      ...base,
      ok: false,
      step: e.command === 'DATA' || e.command === 'DATA (end)' ? 'data' : e.command?.startsWith('RCPT') ? 'rcpt' : e.command?.startsWith('MAIL') ? 'mail' : 'connect',
      reply: e.response ?? null,
      queueId: null,
      detail: `not sent: ${e.response ?? e.message}${e.code ? ` (${e.code})` : ''}`,
    };
  } finally {
    transport.close();
  }
}
