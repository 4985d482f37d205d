/**
 * What an alert says, as pure functions of the event: a subject line, a plain-text body,
 * and the JSON bodies for webhooks (a generic shape, a Microsoft Teams Adaptive Card, a
 * Slack message). Every one carries the code, the failing stage, the first fix and,
 * while failing, the countdown to the first bounce.
 */
import type { AlertEvent } from '../alert-state.js';
import type { WebhookFormat } from '../config.js';
import { countdown, countdownText, formatTime } from '../countdown.js';
import { formatDuration } from '../../core/duration.js';
import { escapeSlackMrkdwn, escapeTeamsMarkdown } from '../../report/sanitize.js';

export const ALERT_SCHEMA = 'mailflow-probe/alert@1';

/** `FAILING`, `ESCALATION 1 h before bounce` … — the word a pager shows first. */
export function alertHeadline(e: AlertEvent): string {
  switch (e.kind) {
    case 'failing':
      return 'FAILING';
    case 'degraded':
      return 'DEGRADED';
    case 'escalation':
      return `ESCALATION: ${formatDuration(e.thresholdMs ?? 0)} to first bounce`;
    case 'bouncing':
      return 'BOUNCING: queued mail is being returned';
    case 'reminder':
      return 'STILL FAILING';
    case 'recovered':
      return 'RECOVERED';
    case 'flapping':
      return 'FLAPPING';
    case 'settled':
      return `SETTLED (${e.state})`;
    case 'tls-stopped':
      return 'TLS STOPPED: mail now goes unencrypted';
    default: {
      const never: never = e.kind;
      return String(never);
    }
  }
}

export function alertSubject(e: AlertEvent): string {
  const what = e.state === 'failing' || e.kind === 'flapping' ? (e.status ?? e.code ?? '') : e.state;
  return `[mailflow-probe] ${alertHeadline(e)} ${e.target}${what ? `: ${what}` : ''}`;
}

/** The lines of the alert, most important first. */
export function alertLines(e: AlertEvent): string[] {
  const lines: string[] = [];
  const at = new Date(e.at);
  switch (e.kind) {
    case 'recovered':
      lines.push(
        `${e.target} is ${e.state} again at ${formatTime(e.at)}` +
          (e.outageMs ? ` after ${formatDuration(e.outageMs)} of failure: queued mail is being delivered.` : '.'),
      );
      break;
    case 'flapping':
      lines.push(`${e.target} changed state ${e.changes ?? 0} times recently and is now ${e.state}. Further changes are not alerted until it settles.`);
      break;
    case 'settled':
      lines.push(`${e.target} has stopped flapping and is ${e.state} at ${formatTime(e.at)}.`);
      break;
    case 'tls-stopped':
      lines.push(`${e.target} no longer offers STARTTLS at ${formatTime(e.at)}: it did at the previous check; under opportunistic TLS Exchange Online now delivers unencrypted.`);
      break;
    case 'degraded':
      lines.push(`${e.target} is degraded at ${formatTime(e.at)}: mail flows, but not on every path or not as it should.`);
      break;
    default:
      lines.push(`${e.target} is ${e.state} at ${formatTime(e.at)}.`);
  }
  // Where the check ran from, right under what happened (the countdown stays last).
  if (e.vantage) lines.push(`Checked ${e.vantage}`);
  if (e.state === 'failing') {
    if (e.status) lines.push(`Exchange Online reports: ${e.status}`);
    if (e.stage) lines.push(`Failing stage: ${e.stage}${e.summary ? ` — ${e.summary}` : ''}`);
    if (e.firstFix) lines.push(`First fix: ${e.firstFix}`);
    if (e.failingSince) lines.push(countdownText(countdown(e.failingSince, e.queueLifetimeMs, at)));
  } else if (e.warnings.length) {
    lines.push(...e.warnings.map((w) => `Warning: ${w}`));
  }
  return lines;
}

export function alertText(e: AlertEvent): string {
  return `${alertLines(e).join('\n')}\n`;
}

/** The generic webhook body: every fact as a field, plus the text. */
export function genericPayload(e: AlertEvent, id: string): Record<string, unknown> {
  const c = e.failingSince ? countdown(e.failingSince, e.queueLifetimeMs, new Date(e.at)) : null;
  return {
    schema: ALERT_SCHEMA,
    id,
    kind: e.kind,
    target: e.target,
    at: e.at,
    state: e.state,
    previousState: e.previous,
    code: e.code,
    status: e.status,
    stage: e.stage,
    summary: e.summary,
    firstFix: e.firstFix,
    failingSince: e.failingSince,
    bounceAt: e.bounceAt,
    msUntilBounce: c ? c.remainingMs : null,
    queueLifetimeMs: e.queueLifetimeMs,
    ...(e.thresholdMs !== undefined ? { thresholdMs: e.thresholdMs } : {}),
    ...(e.outageMs !== undefined ? { outageMs: e.outageMs } : {}),
    warnings: e.warnings,
    ...(e.vantage ? { vantage: e.vantage } : {}),
    title: alertSubject(e),
    text: alertText(e),
  };
}

/**
 * A Teams message with an Adaptive Card, the shape Teams' Workflows webhooks (which
 * replace the retired Office 365 connectors) accept. TextBlocks render markdown, so every
 * text is escaped: the reply of a hostile server must not become a link.
 */
export function teamsPayload(e: AlertEvent): Record<string, unknown> {
  const [first, ...rest] = alertLines(e).map(escapeTeamsMarkdown);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: escapeTeamsMarkdown(alertSubject(e)), color: e.state === 'failing' ? 'Attention' : e.state === 'degraded' ? 'Warning' : 'Good' },
            { type: 'TextBlock', wrap: true, text: first ?? '' },
            ...rest.map((line) => ({ type: 'TextBlock', wrap: true, spacing: 'Small', text: line })),
          ],
        },
      },
    ],
  };
}

/**
 * A Slack incoming-webhook message: `text` for notifications, blocks for the channel.
 * `text` and the section are mrkdwn, so escaped (no `<!channel>`, no `<url|label>`); the
 * header is plain_text, shown as it is.
 */
export function slackPayload(e: AlertEvent): Record<string, unknown> {
  return {
    text: escapeSlackMrkdwn(alertSubject(e)),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: alertSubject(e).slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: alertLines(e).map(escapeSlackMrkdwn).join('\n') } },
    ],
  };
}

export function webhookPayload(e: AlertEvent, id: string, format: WebhookFormat): Record<string, unknown> {
  return format === 'teams' ? teamsPayload(e) : format === 'slack' ? slackPayload(e) : genericPayload(e, id);
}
