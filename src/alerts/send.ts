/**
 * Alert channels: email through an SMTP relay (nodemailer) and webhooks (fetch). A
 * sender resolves once its channel took the alert and throws otherwise; the outbox does
 * the retrying. Each alert carries its id (Message-ID, Idempotency-Key) so a receiver
 * can recognise the one redelivery a crash between "sent" and "marked sent" can cause.
 */
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { AlertEvent } from '../alert-state.js';
import type { AlertChannel, EmailChannel, WebhookChannel } from '../config.js';
import { alertSubject, alertText, webhookPayload } from './format.js';

export type Sender = (event: AlertEvent, alertId: string) => Promise<void>;

export function emailSender(channel: EmailChannel, env: NodeJS.ProcessEnv = process.env): Sender {
  const password = channel.passwordEnv ? env[channel.passwordEnv] : undefined;
  const options: SMTPTransport.Options = {
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
  };
  return async (event, alertId) => {
    // One connection per alert: alerts are rare, and a pooled connection would outlive a pass.
    const transport = nodemailer.createTransport(options);
    try {
      await transport.sendMail({
        from: channel.from,
        to: channel.to,
        subject: alertSubject(event),
        text: alertText(event),
        messageId: `<${alertId}@mailflow-probe>`,
        headers: { 'X-Mailflow-Probe-Alert': alertId, 'X-Mailflow-Probe-Kind': event.kind },
      });
    } finally {
      transport.close();
    }
  };
}

export function webhookSender(channel: WebhookChannel): Sender {
  return async (event, alertId) => {
    const response = await fetch(channel.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': alertId },
      body: JSON.stringify(webhookPayload(event, alertId, channel.format)),
      signal: AbortSignal.timeout(channel.timeoutMs),
    });
    // Drain the body so the connection is released.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
  };
}

export function senderFor(channel: AlertChannel, env: NodeJS.ProcessEnv = process.env): Sender {
  return channel.type === 'email' ? emailSender(channel, env) : webhookSender(channel);
}
