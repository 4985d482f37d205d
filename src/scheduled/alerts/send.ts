/**
 * Alert channels: email through an SMTP relay (nodemailer) and webhooks (fetch). A
 * sender resolves once its channel took the alert and throws otherwise; the outbox does
 * the retrying. Each alert carries its id (Message-ID, Idempotency-Key) so a receiver
 * can recognise the one redelivery a crash between "sent" and "marked sent" can cause.
 *
 * The channel's timeout is the whole delivery, wall clock: a relay that answers the end
 * of DATA one byte a second resets nodemailer's socket timeout on every byte, so a timer
 * of our own aborts the send (nodemailer closes the connection on the signal) and the
 * sender rejects at the deadline whatever the transport does.
 */
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { AlertEvent } from '../alert-state.js';
import type { AlertChannel, EmailChannel, WebhookChannel } from '../config.js';
import { formatDuration } from '../../core/duration.js';
import { redactUrls } from '../../report/redact.js';
import { alertSubject, alertText, webhookPayload } from './format.js';

/** Delivers one alert; `signal` cancels it (shutdown). */
export type Sender = (event: AlertEvent, alertId: string, signal?: AbortSignal) => Promise<void>;

/** A delivery that hit its channel's timeout. */
export class DeliveryTimeout extends Error {
  override readonly name = 'DeliveryTimeout';
}

/**
 * Runs `send` with a signal that aborts after `timeoutMs` or when `outer` does, and
 * rejects by then even if `send` ignores the signal. The message names the channel.
 */
export async function withDeliveryDeadline(channel: string, timeoutMs: number, outer: AbortSignal | undefined, send: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const stop = (reason: Error): void => controller.abort(reason);
  const onOuter = (): void => stop(outer?.reason instanceof Error ? outer.reason : new DOMException('cancelled', 'AbortError'));
  if (outer?.aborted) onOuter();
  outer?.addEventListener('abort', onOuter, { once: true });
  const deadline = new Promise<never>((_, reject) => {
    const fire = (): void => reject(controller.signal.reason as Error);
    controller.signal.addEventListener('abort', fire, { once: true });
    if (controller.signal.aborted) fire();
  });
  const timer = setTimeout(() => stop(new DeliveryTimeout(`${channel}: delivery took longer than ${formatDuration(timeoutMs)} (the channel's timeout): abandoned`)), timeoutMs);
  try {
    await Promise.race([send(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

export function emailSender(channel: EmailChannel, env: NodeJS.ProcessEnv = process.env): Sender {
  const password = channel.passwordEnv ? env[channel.passwordEnv] : undefined;
  const options: SMTPTransport.Options & { socketCloseTimeout: number } = {
    host: channel.host,
    port: channel.port,
    secure: channel.tls === 'implicit',
    // RFC 3207: with starttls the relay must offer STARTTLS, or nothing is sent.
    requireTLS: channel.tls === 'starttls',
    ignoreTLS: channel.tls === 'none',
    ...(channel.user ? { auth: { user: channel.user, pass: password ?? '' } } : {}),
    tls: { ...(channel.ca.length ? { ca: [...tls.rootCertificates, ...channel.ca] } : {}), minVersion: 'TLSv1.2' },
    connectionTimeout: channel.timeoutMs,
    greetingTimeout: channel.timeoutMs,
    socketTimeout: channel.timeoutMs,
    // An abandoned delivery destroys its socket at once rather than waiting for a QUIT reply.
    socketCloseTimeout: 0,
  };
  return (event, alertId, outer) =>
    withDeliveryDeadline(channel.name, channel.timeoutMs, outer, async (signal) => {
      // One connection per alert: alerts are rare, and a pooled connection would outlive a pass.
      const transport = nodemailer.createTransport(options);
      try {
        // nodemailer 10 honours mail.signal: it closes the connection and rejects.
        const mail: Mail.Options & { signal: AbortSignal } = {
          from: channel.from,
          to: channel.to,
          subject: alertSubject(event),
          text: alertText(event),
          messageId: `<${alertId}@mailflow-probe>`,
          headers: { 'X-Mailflow-Probe-Alert': alertId, 'X-Mailflow-Probe-Kind': event.kind },
          signal,
        };
        await transport.sendMail(mail);
      } finally {
        transport.close();
      }
    });
}

/**
 * Where a webhook posts: the URL from the config, or from the variable urlEnv names. fetch
 * refuses a URL with credentials, so those (allowed only in the variable) become HTTP
 * Basic authentication (RFC 7617).
 */
export function webhookTarget(channel: WebhookChannel, env: NodeJS.ProcessEnv = process.env): { url: string; headers: Record<string, string> } {
  const text = channel.url ?? (channel.urlEnv ? env[channel.urlEnv] : undefined);
  if (!text) throw new Error(`environment variable "${channel.urlEnv}" is not set`);
  const url = new URL(text);
  if (!url.username && !url.password) return { url: url.href, headers: {} };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.href, headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

export function webhookSender(channel: WebhookChannel, env: NodeJS.ProcessEnv = process.env): Sender {
  return (event, alertId, outer) =>
    withDeliveryDeadline(channel.name, channel.timeoutMs, outer, async (signal) => {
      const { url, headers } = webhookTarget(channel, env);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': alertId, ...headers },
          body: JSON.stringify(webhookPayload(event, alertId, channel.format)),
          signal,
        });
      } catch (err) {
        // fetch says "fetch failed" and keeps the reason in cause; neither names the URL's secrets.
        const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
        throw new Error(redactUrls(`${(err as Error).message}${cause ? `: ${cause.code ?? cause.message}` : ''}`), { cause: err });
      }
      // Drain the body so the connection is released (the deadline bounds this too).
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
    });
}

export function senderFor(channel: AlertChannel, env: NodeJS.ProcessEnv = process.env): Sender {
  return channel.type === 'email' ? emailSender(channel, env) : webhookSender(channel, env);
}
