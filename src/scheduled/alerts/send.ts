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
import { STATUS_CODES } from 'node:http';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { AlertEvent } from '../alert-state.js';
import type { AlertChannel, EmailChannel, WebhookChannel } from '../config.js';
import type { Language } from '../../catalog/index.js';
import { scheduledText } from '../../catalog/scheduled.js';
import { formatDuration } from '../../core/duration.js';
import { redactUrls } from '../../report/redact.js';
import { fill } from '../../report/text.js';
import { alertSubject, alertText, excerpt, webhookPayload } from './format.js';

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
export async function withDeliveryDeadline(
  channel: string,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  send: (signal: AbortSignal) => Promise<void>,
  language: Language = 'en',
): Promise<void> {
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
  const message = fill(scheduledText(language).delivery.timeout, { channel, duration: formatDuration(timeoutMs) });
  const timer = setTimeout(() => stop(new DeliveryTimeout(message)), timeoutMs);
  try {
    await Promise.race([send(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

export function emailSender(channel: EmailChannel, env: NodeJS.ProcessEnv = process.env, language: Language = 'en'): Sender {
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
          subject: alertSubject(event, language),
          text: alertText(event, language),
          messageId: `<${alertId}@mailflow-probe>`,
          headers: { 'X-Mailflow-Probe-Alert': alertId, 'X-Mailflow-Probe-Kind': event.kind },
          signal,
        };
        await transport.sendMail(mail);
      } catch (err) {
        if (signal.aborted) throw err;
        // nodemailer's message says what the relay did (its reply, STARTTLS missing …).
        throw new Error(redactUrls(fill(scheduledText(language).delivery.email, { channel: channel.name, message: (err as Error).message })), { cause: err });
      } finally {
        transport.close();
      }
    }, language);
}

/**
 * Where a webhook posts: the URL from the config, or from the variable urlEnv names. fetch
 * refuses a URL with credentials, so those (allowed only in the variable) become HTTP
 * Basic authentication (RFC 7617).
 */
export function webhookTarget(channel: WebhookChannel, env: NodeJS.ProcessEnv = process.env, language: Language = 'en'): { url: string; headers: Record<string, string> } {
  const text = channel.url ?? (channel.urlEnv ? env[channel.urlEnv] : undefined);
  if (!text) throw new Error(fill(scheduledText(language).delivery.urlEnvUnset, { channel: channel.name, name: channel.urlEnv ?? '' }));
  const url = new URL(text);
  if (!url.username && !url.password) return { url: url.href, headers: {} };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.href, headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

/** How much of a refusing webhook's body goes into the error (characters). */
export const ERROR_BODY_MAX = 200;

/** Errors that are about the TLS connection (OpenSSL's verification codes, Node's TLS errors). */
function isTlsError(code: string): boolean {
  return /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/.test(code);
}

/**
 * What fetch's "fetch failed" hides in `cause` (undici keeps Node's socket error there,
 * sometimes an AggregateError of one per address), in one line that names the address.
 */
export function fetchFailure(channel: string, url: string, err: unknown, language: Language = 'en'): string {
  const t = scheduledText(language).delivery;
  let cause = (err as Error).cause as (NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] }) | undefined;
  if (cause?.errors?.length && !cause.code) cause = cause.errors[0];
  const target = new URL(url);
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const address = `${target.hostname}:${port}`;
  const code = cause?.code ?? (err as Error).name;
  const message = excerpt(cause?.message ?? (err as Error).message, ERROR_BODY_MAX);
  const values = { channel, address, host: target.hostname, code, message };
  if (code === 'ECONNREFUSED') return fill(t.refused, values);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fill(t.notFound, values);
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return fill(t.timedOut, values);
  if (isTlsError(code)) return fill(t.tls, values);
  return fill(t.network, values);
}

export function webhookSender(channel: WebhookChannel, env: NodeJS.ProcessEnv = process.env, language: Language = 'en'): Sender {
  const t = scheduledText(language).delivery;
  return (event, alertId, outer) =>
    withDeliveryDeadline(channel.name, channel.timeoutMs, outer, async (signal) => {
      const { url, headers } = webhookTarget(channel, env, language);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': alertId, ...headers },
          body: JSON.stringify(webhookPayload(event, alertId, channel.format, language)),
          signal,
        });
      } catch (err) {
        if (signal.aborted) throw err;
        // Neither the address nor Node's error text holds the URL's path or credentials;
        // redacted all the same, as everything that reaches the outbox is.
        throw new Error(redactUrls(fetchFailure(channel.name, url, err, language)), { cause: err });
      }
      // Read the body (bounded by the deadline) so the connection is released, and so a
      // refusal can say what the receiver said: "invalid_token", "channel_not_found" …
      const body = await response.text().catch(() => '');
      if (!response.ok) {
        const status = `${response.status}${language === 'en' && STATUS_CODES[response.status] ? ` ${STATUS_CODES[response.status]}` : ''}`;
        const shown = excerpt(body, ERROR_BODY_MAX);
        throw new Error(redactUrls(fill(shown ? t.httpBody : t.http, { channel: channel.name, status, body: shown })));
      }
    }, language);
}

export function senderFor(channel: AlertChannel, env: NodeJS.ProcessEnv = process.env, language: Language = 'en'): Sender {
  return channel.type === 'email' ? emailSender(channel, env, language) : webhookSender(channel, env, language);
}
