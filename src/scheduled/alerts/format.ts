/**
 * What an alert says, as pure functions of the event: a subject line, a plain-text body,
 * and the JSON bodies for webhooks (a generic shape, a Microsoft Teams Adaptive Card, a
 * Slack message). Every one carries the code, the failing stage, the first fix and,
 * while failing, the countdown to the first bounce.
 */
import type { AlertEvent } from '../alert-state.js';
import type { WebhookFormat } from '../config.js';
import { countdown, countdownText, formatTime } from '../countdown.js';
import { catalogFor, type Language } from '../../catalog/index.js';
import { scheduledText } from '../../catalog/scheduled.js';
import { formatDuration } from '../../core/duration.js';
import type { ExchangeCode } from '../../core/result.js';
import { escapeSlackMrkdwn, escapeTeamsMarkdown, terminal } from '../../report/sanitize.js';
import { fill } from '../../report/text.js';

export const ALERT_SCHEMA = 'mailflow-probe/alert@1';

/** How long the reason in a subject may be (characters): a subject is read in a list. */
export const SUBJECT_REASON_MAX = 100;

/**
 * Remote text on one line, bounded: whitespace runs (line breaks included) become one
 * space, what is left of control characters is shown escaped (`\x1b`), and the result
 * is cut at `max` characters with an ellipsis. For subjects and error excerpts.
 */
export function excerpt(text: string, max: number): string {
  const line = terminal(text.replace(/\s+/g, ' ').trim(), { newlines: false });
  return line.length > max ? `${line.slice(0, max).trimEnd()}…` : line;
}

/** `FAILING`, `ESCALATION 1 h before bounce` … — the word a pager shows first. */
export function alertHeadline(e: AlertEvent, language: Language = 'en'): string {
  const t = scheduledText(language);
  switch (e.kind) {
    case 'escalation':
      return fill(t.headlines.escalation, { duration: formatDuration(e.thresholdMs ?? 0) });
    case 'settled':
      return fill(t.headlines.settled, { state: t.verdicts[e.state] });
    case 'failing':
    case 'degraded':
    case 'bouncing':
    case 'reminder':
    case 'recovered':
    case 'flapping':
    case 'tls-stopped':
      return t.headlines[e.kind];
    default: {
      const never: never = e.kind;
      return String(never);
    }
  }
}

/** `450 4.4.316 Connection refused` with the title in the language's words (pt-BR: `450 4.4.316 Conexão recusada`). */
function codeLine(e: AlertEvent, language: Language): string | null {
  if (!e.code) return e.status;
  const catalog = catalogFor(language);
  const entry = e.code in catalog.codes ? catalog.codes[e.code as ExchangeCode] : (catalog.policyCodes as Record<string, { title: string } | undefined>)[e.code];
  const number = /^\d{3} \d\.\d{1,3}\.\d{1,3}/.exec(e.status ?? '')?.[0] ?? (e.code === 'other' ? null : e.code);
  return [number, entry?.title ?? e.status].filter(Boolean).join(' ');
}

/**
 * `[mailflow-probe] FAILING smarthost-a: 450 4.4.316 Connection refused (port 25 refused on
 * 192.0.2.7)`: what happened, the code and why, so the subject alone says what to do.
 */
export function alertSubject(e: AlertEvent, language: Language = 'en'): string {
  const t = scheduledText(language);
  const reason = e.reason ? ` (${excerpt(e.reason, SUBJECT_REASON_MAX)})` : '';
  const coded = e.state !== 'healthy' || e.kind === 'flapping' ? codeLine(e, language) : null;
  const warning = e.state === 'degraded' && e.warnings[0] ? excerpt(e.warnings[0], SUBJECT_REASON_MAX) : null;
  const what = coded ? `${excerpt(coded, SUBJECT_REASON_MAX)}${reason}` : (warning ?? t.verdicts[e.state]);
  return `[mailflow-probe] ${alertHeadline(e, language)} ${e.target}: ${what}`;
}

/** The lines of the alert, most important first. */
export function alertLines(e: AlertEvent, language: Language = 'en'): string[] {
  const t = scheduledText(language);
  const a = t.alert;
  const lines: string[] = [];
  const at = new Date(e.at);
  const values = { target: e.target, state: t.verdicts[e.state], time: formatTime(e.at, language) };
  switch (e.kind) {
    case 'recovered':
      lines.push(e.outageMs ? fill(a.recoveredAfter, { ...values, duration: formatDuration(e.outageMs) }) : fill(a.recovered, values));
      break;
    case 'flapping':
      lines.push(fill(a.flapping, { ...values, changes: e.changes ?? 0 }));
      break;
    case 'settled':
      lines.push(fill(a.settled, values));
      break;
    case 'tls-stopped':
      lines.push(fill(a.tlsStopped, values));
      break;
    case 'degraded':
      lines.push(fill(a.degraded, values));
      break;
    default:
      lines.push(fill(a.state, values));
  }
  // Where the check ran from, right under what happened (the countdown stays last).
  if (e.vantage) lines.push(fill(a.checked, { vantage: e.vantage }));
  if (e.state === 'failing') {
    if (e.status) lines.push(fill(a.exchangeReports, { status: e.status }));
    if (e.stage) {
      const stage = (t.stages as Record<string, string>)[e.stage] ?? e.stage;
      lines.push(e.summary ? fill(a.failingStageSummary, { stage, summary: e.summary }) : fill(a.failingStage, { stage }));
    }
    if (e.firstFix) lines.push(fill(a.firstFix, { fix: e.firstFix }));
    if (e.failingSince) lines.push(countdownText(countdown(e.failingSince, e.queueLifetimeMs, at), language));
  } else if (e.warnings.length) {
    lines.push(...e.warnings.map((w) => fill(a.warning, { warning: w })));
  }
  return lines;
}

export function alertText(e: AlertEvent, language: Language = 'en'): string {
  return `${alertLines(e, language).join('\n')}\n`;
}

/** The generic webhook body: every fact as a field, plus the text. */
export function genericPayload(e: AlertEvent, id: string, language: Language = 'en'): Record<string, unknown> {
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
    reason: e.reason ?? null,
    firstFix: e.firstFix,
    failingSince: e.failingSince,
    bounceAt: e.bounceAt,
    msUntilBounce: c ? c.remainingMs : null,
    queueLifetimeMs: e.queueLifetimeMs,
    ...(e.thresholdMs !== undefined ? { thresholdMs: e.thresholdMs } : {}),
    ...(e.outageMs !== undefined ? { outageMs: e.outageMs } : {}),
    warnings: e.warnings,
    ...(e.vantage ? { vantage: e.vantage } : {}),
    title: alertSubject(e, language),
    text: alertText(e, language),
  };
}

/**
 * A Teams message with an Adaptive Card, the shape Teams' Workflows webhooks (which
 * replace the retired Office 365 connectors) accept. TextBlocks render markdown, so every
 * text is escaped: the reply of a hostile server must not become a link.
 */
export function teamsPayload(e: AlertEvent, language: Language = 'en'): Record<string, unknown> {
  const [first, ...rest] = alertLines(e, language).map(escapeTeamsMarkdown);
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
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: escapeTeamsMarkdown(alertSubject(e, language)), color: e.state === 'failing' ? 'Attention' : e.state === 'degraded' ? 'Warning' : 'Good' },
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
export function slackPayload(e: AlertEvent, language: Language = 'en'): Record<string, unknown> {
  const subject = alertSubject(e, language);
  return {
    text: escapeSlackMrkdwn(subject),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: subject.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: alertLines(e, language).map(escapeSlackMrkdwn).join('\n') } },
    ],
  };
}

export function webhookPayload(e: AlertEvent, id: string, format: WebhookFormat, language: Language = 'en'): Record<string, unknown> {
  return format === 'teams' ? teamsPayload(e, language) : format === 'slack' ? slackPayload(e, language) : genericPayload(e, id, language);
}
