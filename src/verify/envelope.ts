/**
 * The optional tests that go beyond the handshake, each only when asked for:
 * - the recipient test: MAIL FROM / RCPT TO / RSET, no DATA (RFC 5321 §4.1.1.2–.5), over
 *   the same path and TLS policy as the probe — proves the host takes mail for the domain
 *   without sending any;
 * - the test message: one real message through the same path and TLS policy, sent with
 *   nodemailer, and the queue id from the server's 250 reply.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { createTransport } from 'nodemailer';
import { certificateNames, nameMatchesTlsDomain, validatesCertificate } from '../../probes/certificate.js';
import { openContext } from '../../probes/context.js';
import { PROBE_STEPS, runSession, type SessionStep } from '../../probes/session.js';
import type { ProbeTextRef } from '../../probes/messages.js';
import { formatReply } from '../../probes/smtp.js';
import type { StageName, TlsPolicy } from '../../probes/stage.js';
import { envelopeText, type EnvelopeStep, type EnvelopeTextRef } from '../catalog/commands.js';
import { UsageError, asciiHostname } from '../core/options.js';

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
  /** null: nodemailer's default (this host's name when fully qualified, else an address literal). */
  ehloName: string | null;
  timeoutMs: number;
}

export interface EnvelopeOutcome {
  host: string;
  ip: string;
  ok: boolean;
  /** The step the test reached: where it failed, or `done`. */
  step: EnvelopeStep;
  /** The server's reply to the decisive command (RCPT TO, or the end of DATA). */
  reply: string | null;
  detail: string;
  /** What `detail` was said from, so a report in another language words it again (src/catalog/commands.ts). */
  detailRef?: EnvelopeTextRef;
  /** For the test message: the queue id the server gave in its 250 reply, when it gave one. */
  queueId?: string | null;
  messageId?: string;
  transcript: string[];
  /** The `* …` notes of the transcript by id and arguments, as a probe's path keeps them (src/core/result.ts). */
  transcriptRefs?: Record<string, ProbeTextRef>;
}

/** An outcome's detail in English, with what it was said from. */
export function sayEnvelope(id: EnvelopeTextRef['id'], args: EnvelopeTextRef['args']): { detail: string; detailRef: EnvelopeTextRef } {
  const detailRef = { id, args };
  return { detail: envelopeText(detailRef), detailRef };
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

/** The test's steps: the probe's dialogue up to the second EHLO, then MAIL, RCPT, RSET — never DATA — and QUIT. */
function recipientSteps(envelope: Envelope): SessionStep[] {
  return [
    ...PROBE_STEPS.filter((s) => s.stage !== 'quit'),
    { stage: 'mail', from: envelope.from },
    { stage: 'rcpt', to: envelope.to },
    { stage: 'rset' },
    { stage: 'quit' },
  ];
}

/** Where a session stage falls among the test's steps. */
const STEP_OF: Record<StageName, EnvelopeOutcome['step']> = {
  dns: 'connect',
  tcp: 'connect',
  banner: 'greeting',
  ehlo: 'greeting',
  starttls: 'tls',
  tls: 'tls',
  certificate: 'tls',
  'ehlo-tls': 'tls',
  mail: 'mail',
  rcpt: 'rcpt',
  rset: 'rset',
  data: 'data',
  quit: 'done',
};

/**
 * The recipient test on one path, run by the same session driver as the probe (so with
 * its certificate and revocation checks and its opportunistic fallback): the probe's
 * dialogue up to the second EHLO, then MAIL FROM, RCPT TO and RSET — never DATA — and
 * QUIT. RCPT TO answered 250/251 passes (RFC 5321 §4.1.1.3); anything else fails with
 * the server's reply.
 */
export async function recipientTest(target: EnvelopeTarget, envelope: Envelope): Promise<EnvelopeOutcome> {
  // Connect, greeting, EHLO, STARTTLS, TLS, EHLO, MAIL, RCPT, RSET, QUIT: each gets the
  // stage timeout, and the whole test at most that many of them.
  const scope = openContext({
    deadlineMs: target.timeoutMs * 10,
    stageTimeoutMs: target.timeoutMs,
    resolvers: [],
    port: target.port,
    ehloName: target.ehloName,
    tls: target.tls,
  });
  const transcript: string[] = [];
  try {
    const ctx = scope.context(transcript);
    const facts = await runSession(ctx, {
      ip: target.ip,
      servername: target.host,
      steps: recipientSteps(envelope),
      fallback: 'reconnect',
    });
    const outcome = (ok: boolean, step: EnvelopeOutcome['step'], reply: string | null, said: ReturnType<typeof sayEnvelope>): EnvelopeOutcome => ({
      host: target.host,
      ip: target.ip,
      ok,
      step,
      reply,
      ...said,
      transcript,
      ...(ctx.transcriptRefs && Object.keys(ctx.transcriptRefs).length ? { transcriptRefs: ctx.transcriptRefs } : {}),
    });
    const failure = facts.failure;
    if (failure) {
      const step = STEP_OF[failure.stage];
      const reply = failure.detail.reply ? formatReply(failure.detail.reply) : null;
      const reason = failure.said ?? failure.message;
      // A refused command's failure already says which and what the server said.
      return outcome(false, step, reply, failure.kind === 'reply' && (step === 'mail' || step === 'rcpt') ? sayEnvelope('failure', { reason }) : sayEnvelope('failed-at', { step, reason }));
    }
    const rcpt = facts.replies.rcpt ? formatReply(facts.replies.rcpt) : null;
    return outcome(true, 'done', rcpt, sayEnvelope('rcpt-accepted', { to: envelope.to, reply: String(rcpt) }));
  } finally {
    scope.dispose();
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
    ...(target.ehloName ? { name: target.ehloName } : {}),
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
        // The probe's own subjectAltName reading (probes/certificate.ts), not a second one.
        let all: string[] = [];
        try {
          all = certificateNames(new X509Certificate(cert.raw));
        } catch {
          // a certificate Node cannot parse carries no name we could match
        }
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
      from: envelope.from || `postmaster@${target.ehloName ?? 'localhost'}`,
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
      ...sayEnvelope('send-accepted', { reply: response }),
    };
  } catch (err) {
    if (wallClock.aborted) {
      return { ...base, ok: false, step: phase, reply: null, queueId: null, ...sayEnvelope('send-deadline', { ms: totalMs }) };
    }
    const e = err as Error & { response?: string; code?: string; command?: string };
    return {
      ...base,
      ok: false,
      step: e.command === 'DATA' || e.command === 'DATA (end)' ? 'data' : e.command?.startsWith('RCPT') ? 'rcpt' : e.command?.startsWith('MAIL') ? 'mail' : 'connect',
      reply: e.response ?? null,
      queueId: null,
      // nodemailer's own message, when the server gave no reply, is printed as it is
      ...(e.code ? sayEnvelope('send-failed-code', { error: e.response ?? e.message, code: e.code }) : sayEnvelope('send-failed', { error: e.response ?? e.message })),
    };
  } finally {
    transport.close();
  }
}
