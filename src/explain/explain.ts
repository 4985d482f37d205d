/**
 * `probe explain`: read what Exchange Online wrote — a message-trace Defer reason, the
 * older short `{LED=…};{MSG=…}` form, or the bounce a sender got when the queue gave up
 * (`550 5.4.317 Message expired, cannot connect to remote server(…)`) — and turn it into
 * the code, the server and address it last tried, the diagnosis, and (unless offline) a
 * live re-check of that server and that exact address.
 *
 * Pastes arrive wrapped by mail clients, cut short, and redacted (`xxx`, `x.x.x.x`), so
 * the reader is tolerant of all three; text without a code it knows is refused with a
 * message that says what it expected, never guessed at.
 */
import net from 'node:net';
import type { FailureRecord } from '../../probes/stage.js';
import { en, type Catalog, type CodeEntry } from '../catalog/en.js';
import { catalogFor, parseLanguage } from '../catalog/index.js';
import { diagnose, failureSummary } from '../core/diagnose.js';
import { probe } from '../core/engine.js';
import { openContext, type ProbeScope } from '../../probes/context.js';
import {
  BRACE_FIELD,
  CONNECTOR_CODES,
  FIELD,
  findQueueSentence,
  findWinsock,
  CHAIN_ARROW,
  isConnectorCode,
  LAST_ENDPOINT,
  NDR_SERVER,
  statusLine,
  KNOWN_CODES,
  MAX_FIELD_CHARS,
  POLICY_CODES,
  PROXY_FIELD,
  readMessageText,
  splitIpPort,
  whoActs,
  type KnownCode,
  type WhoActs,
} from '../core/exchange-text.js';
import { classify } from '../core/classify.js';
import { fill } from '../report/text.js';
import { asciiHostname, resolveSettings, UsageError, type ProbeOptions } from '../core/options.js';
import { judgeDanePath, lookupDane } from '../policies/dane.js';
import type { ProblemRefs } from '../policies/problems.js';
import { presentedChain } from '../policies/index.js';
import type { PolicyPathCheck } from '../policies/types.js';
import type { Diagnosis, ProbeResult } from '../core/result.js';

/** Every code `probe explain` reads: the connector codes and the outbound DANE/MTA-STS codes. */
export type ExplainableCode = KnownCode;

export type ReportForm = 'trace' | 'trace-short' | 'bounce' | 'status' | 'dotted' | 'ndr' | 'queue' | 'chained' | 'other';

/** What a paste said, field by field; null where the paste did not say (or redacted it). */
export interface ParsedReport {
  form: ReportForm;
  /** The connector or DANE code; `other` for a status outside them (see `other`). */
  code: ExplainableCode | 'other';
  /** The paste was quoted-printable (a raw bounce) and was decoded before reading. */
  decoded: 'quoted-printable' | null;
  /** A Windows socket error the paste quotes, with what it means. */
  winsock: { number: number; name: string; meaning: string } | null;
  /** For a code outside the connector family: the enhanced code as pasted and who has to act. */
  other: { enhanced: string; who: WhoActs | null } | null;
  /** The status as pasted, e.g. `450 4.4.317 Cannot connect to remote server`. */
  status: string;
  /** A 5.x.x bounce: the message expired in the queue after repeated 4.x.x deferrals. */
  expired: boolean;
  /** `[Message=…]`, `{MSG=…}`, or the bounce's parenthesis: what the remote side or Windows said. */
  detail: string | null;
  server: string | null;
  ip: string | null;
  port: number | null;
  /** `{LRT=…}` or the ISO time in the trace's tail. */
  lastAttempt: string | null;
  smtpSecurity: string | null;
  proxyTargetIp: string | null;
  proxyTargetHost: string | null;
  /** Fields that were present but redacted (`xxx`, `x.x.x.x`, `***`, `<redacted>`). */
  redacted: string[];
  /** The paste stops mid-field. */
  truncated: boolean;
  /** Fields the truncation cut off mid-value: not used (a cut address is a wrong address). */
  incomplete: string[];
  /** The wire outcome the detail implies, for the diagnosis's "fix first". */
  failure: FailureRecord;
}

/** One live re-check and how it compares with the paste. */
export interface ExplainCheck {
  target: string;
  outcome: 'same' | 'equivalent' | 'different' | 'healthy';
  result: ProbeResult;
  /** For a pasted DANE code: each path judged against the MX host's TLSA records. */
  dane?: PolicyPathCheck[];
  /** What each of `dane`'s problem texts was said from, by its English text (as a policies result's `problemRefs`). */
  daneRefs?: ProblemRefs;
}

export interface ExplainResult {
  schema: 'mailflow-probe/explain@1';
  parsed: ParsedReport;
  diagnosis: Diagnosis;
  /** Null when offline or nothing probe-able was in the paste. */
  checks: ExplainCheck[] | null;
  offline: boolean;
  /** A status outside the connector family, not re-checked because `recheck` was not asked for. */
  notRechecked?: boolean;
}

// Keys whose values run until the next key: a truncated or wrapped paste still splits.
const BRACKET_KEYS: readonly string[] = Object.values(FIELD);
const BRACE_KEYS: readonly string[] = Object.values(BRACE_FIELD);

/** A key that a line wrap may have split (`LastAttempted\n  ServerName`). */
function keyPattern(key: string): string {
  return key.split('').join('\\s*');
}

/**
 * Joins wrapped lines. Mail clients wrap at spaces, so a break is a space; a break right
 * after `=`, `[`, `{` or inside a dotted number (`4.4.` / `317`) joins without one, and
 * host and address values drop inner whitespace later.
 */
function unwrap(text: string): string {
  // Native replaces only, each linear: a paste is untrusted input and must parse in time
  // linear in its length (a loop or a string per line costs 30,000 short lines dearly).
  const src = text.replace(/\r|\u2026/g, '');
  const out = !src.includes('\n')
    ? src.trim()
    : src
        // A break after `=`, `[`, `{`, or between `4.4.` and `317`, with the blanks around
        // it and any blank lines after it, goes; every other break becomes one space. A
        // match starts only at such a character, at a line break, or at the first blank of
        // a run (the lookbehind), so a long run of blanks with no line break in it is
        // scanned once, not once per blank.
        .replace(/([=[{])[^\S\n]*\n\s*|(\d\.)[^\S\n]*\n\s*(?=\d)/g, '$1$2')
        .replace(/[^\S\n](?<![^\S\n]{2})[^\S\n]*\n\s*|\n\s*/g, ' ')
        .trim();
  return out.endsWith('...') ? out.slice(0, -3).trimEnd() : out;
}

/** The longest paste read: a trace reason is under a kilobyte, a whole NDR a few dozen. */
export const MAX_PASTE_CHARS = 64 * 1024;

/** Field values are capped too: a truncated paste can leave one running to the end. */
function cap(value: string | undefined, max = MAX_FIELD_CHARS): string | undefined {
  return value !== undefined && value.length > max ? `${value.slice(0, max)}…` : value;
}

// `<[^<>]*>`, not `<[^>]*>`: from each `<` the scan stops at the next `<`, so a run of
// `<` costs linear time, not quadratic (issue 16). Values are capped before they get here.
const REDACTION = /x{3,}|(^|[.\s])x(\.x){1,3}\b|\*{2,}|<[^<>]*>|\[redacted\]|redacted/i;

function isRedacted(value: string): boolean {
  return REDACTION.test(value.slice(0, MAX_FIELD_CHARS));
}

/** A host name or IP from a field, whitespace that wrapping put inside removed; null if unusable. */
function cleanHost(value: string | null): string | null {
  if (!value) return null;
  const v = value.slice(0, MAX_FIELD_CHARS).replace(/\s+/g, '').replace(/\.$/, '');
  if (!v || isRedacted(v)) return null;
  const ip = /^\[(.*)\]$/.exec(v)?.[1] ?? v;
  if (net.isIP(ip)) return ip.toLowerCase();
  const host = asciiHostname(v);
  return 'name' in host && host.name.includes('.') ? host.name : null;
}

/**
 * The values of `[Key=…]` fields. Each value ends where the next known key starts, at
 * the `]}` that closes the LED, or at the end of the text (a truncated paste).
 */
function bracketFields(text: string): { fields: Map<string, string>; open: boolean; cut: Set<string> } {
  const fields = new Map<string, string>();
  const cut = new Set<string>();
  const any = BRACKET_KEYS.map(keyPattern).join('|');
  const re = new RegExp(`\\[\\s*(${any})\\s*=`, 'gi');
  // A trace has four such fields, a paste of several traces a few dozen: past that, what
  // follows is not read (the last value read ends where the next key starts).
  const hits: RegExpExecArray[] = [];
  for (let hit = re.exec(text); hit && hits.length <= MAX_BRACKET_FIELDS; hit = re.exec(text)) hits.push(hit);
  const next = hits.length > MAX_BRACKET_FIELDS ? hits.pop() : undefined;
  let open = false;
  hits.forEach((hit, i) => {
    const key = BRACKET_KEYS.find((k) => k.toLowerCase() === (hit[1] ?? '').replace(/\s+/g, '').toLowerCase()) as string;
    const start = (hit.index ?? 0) + hit[0].length;
    const nextHit = (hits[i + 1] ?? next)?.index;
    let end = nextHit ?? text.length;
    // The LED closes with `]}`; after the last key, a `] [` starts Exchange's own fields
    // ([SmtpSecurity=…], [<server> <time> <id>]), which are not part of this value.
    const rest = text.slice(start, end);
    const close = nextHit === undefined ? rest.search(/\](\s*\[|\s*\}|\s*$)/) : rest.lastIndexOf(']');
    if (close >= 0) end = start + close;
    else {
      open = true;
      if (nextHit === undefined) cut.add(key);
    }
    if (!fields.has(key)) fields.set(key, cap(text.slice(start, end).trim()) as string);
  });
  return { fields, open, cut };
}

const MAX_BRACKET_FIELDS = 64;

/** The values of `{Key=…}` fields, up to the closing brace or the end of the text. */
function braceFields(text: string): { fields: Map<string, string>; open: boolean; cut: Set<string> } {
  const fields = new Map<string, string>();
  const cut = new Set<string>();
  let open = false;
  for (const key of BRACE_KEYS) {
    const re = new RegExp(`\\{\\s*${keyPattern(key)}\\s*=`, 'i');
    const m = re.exec(text);
    if (!m) continue;
    const start = m.index + m[0].length;
    if (key === 'LED') {
      // The LED holds bracketed fields; it ends at the `}` after its last `]`.
      const close = text.indexOf('};', start);
      const end = close >= 0 ? close : text.indexOf('}', start);
      if (end < 0) open = true;
      fields.set(key, text.slice(start, end >= 0 ? end : text.length).trim());
      continue; // the LED is searched, never shown, so it is not capped
    }
    const end = text.indexOf('}', start);
    if (end < 0) {
      open = true;
      cut.add(key);
    }
    fields.set(key, cap(text.slice(start, end >= 0 ? end : text.length).trim()) as string);
  }
  return { fields, open, cut };
}

/** `450 4.4.317 Title…` or `550 5.4.317 Message expired, …` in the text; the first connector code wins. */
function findCode(text: string): { code: ExplainableCode; status: string; expired: boolean; index: number } | null {
  const m = STATUS_PATTERN.exec(text);
  if (m) {
    const code = `4.${m[3]}` as ExplainableCode;
    const expired = m[2] === '5';
    const title = (m[4] ?? '').replace(/\s+/g, ' ').trim().replace(/[\]};.,:]+$/, '');
    return { code, status: `${m[1]}${m[0].slice(1, 3)} ${m[2]}.${m[3]}${title ? ` ${title}` : ''}`, expired, index: m.index };
  }
  // A bare enhanced code (`4.4.316` without the reply code), as people paste it.
  const bare = BARE_CODE_PATTERN.exec(text);
  if (bare) return { code: `4.${bare[2]}` as ExplainableCode, status: `${bare[1]}.${bare[2]}`, expired: bare[1] === '5', index: bare.index };
  return null;
}

// The codes' last two parts (`4.317`, `7.320`): a 5.x.x bounce keeps them.
const CODE_TAILS = KNOWN_CODES.map((c) => c.slice(2).replace(/\./g, '\\.')).join('|');
const STATUS_PATTERN = new RegExp(`\\b([45])[0-9]{2}\\s+([45])\\.(${CODE_TAILS})\\b([^[{}('"]{0,100})`);
const BARE_CODE_PATTERN = new RegExp(`(?<![\\d.])([45])\\.(${CODE_TAILS})(?![\\d.])`);

/** What decided the code: a known status, or a sentence / socket error / foreign status that stated the outcome. */
interface Found {
  code: ExplainableCode | 'other';
  status: string;
  expired: boolean;
  index: number;
  /** Set when the code was read from a queue sentence or a Winsock error: the wire outcome and its quoted detail. */
  cause?: { failure: FailureRecord; detail: string | null };
  /** For a code outside the family, the enhanced code as pasted. */
  enhanced?: string;
}

// Any reply with an enhanced code (`451 4.4.0`, `550 5.7.1`): anchored on the digits, bounded.
const ANY_STATUS = /\b([45][0-9]{2})[ -]{1,3}([245]\.[0-9]{1,3}\.[0-9]{1,3})\b/;

/**
 * An on-premises or hybrid queue sentence, or a Windows socket error, states the outcome
 * without a connector code: the Exchange Online code is what `classify` gives that outcome.
 */
function readCause(text: string): Found | null {
  const sentence = findQueueSentence(text);
  const winsock = findWinsock(text);
  if (!sentence && !winsock) return null;
  const fromWinsock = winsock && (!sentence || sentence.quotes === 'winsock');
  const outcome = fromWinsock ? winsock : (sentence as NonNullable<typeof sentence>);
  const code = classify({ stage: outcome.stage, kind: outcome.kind });
  if (code === null || !isConnectorCode(code)) return null;
  const lower = text.toLowerCase();
  const at = sentence ? lower.indexOf(sentence.text.toLowerCase()) + sentence.text.length : 0;
  // `… responded with: "421 4.4.1 Connection timed out"`: the quoted reply, or what follows the sentence.
  const open = text.indexOf('"', at);
  const close = open >= 0 ? text.indexOf('"', open + 1) : -1;
  const quoted = open >= 0 ? text.slice(open + 1, close > open ? close : undefined) : text.slice(at).replace(/^[\s:.,;]+/, '');
  const detail = cap(quoted.trim()) || null;
  const status = ANY_STATUS.exec(text);
  const failure = readMessageText(code, detail);
  // A quoted Winsock number decides over the sentence's default kind; a sentence with no detail keeps its own.
  const decided = fromWinsock || failure.kind === outcome.kind || (sentence?.quotes === 'reply' && failure.kind === 'reply') ? failure : { ...failure, stage: outcome.stage, kind: outcome.kind };
  return {
    code,
    status: status ? `${status[1]} ${status[2]}${sentence ? ` ${sentence.text}` : ''}` : (sentence?.text ?? `${winsock?.name}`),
    expired: false,
    index: status?.index ?? 0,
    cause: { failure: decided, detail },
  };
}

/** A status outside the connector family: read so the server, the address and who acts are not lost. */
function readOther(text: string): Found | null {
  const m = ANY_STATUS.exec(text);
  if (!m) return null;
  const title = /^[^[{}('"]{0,100}/.exec(text.slice(m.index + m[0].length))?.[0].replace(/\s+/g, ' ').trim().replace(/[\]};.,:]+$/, '') ?? '';
  return { code: 'other', status: `${m[1]} ${m[2]}${title ? ` ${title}` : ''}`, expired: false, index: m.index, enhanced: m[2] as string };
}

// `Server at mail.contoso.com (203.0.113.25) returned '550 5.4.317 …'`; the address may be missing.
const NDR_PATTERN = new RegExp(`${NDR_SERVER.before}\\s+([^\\s()'"]{1,255})\\s*(?:\\(\\s*([^()\\s]{1,64})\\s*\\)\\s*)?${NDR_SERVER.after}\\b`, 'i');

/**
 * Quoted-printable, as a raw bounce's body is: read as such only when the text holds an
 * encoded `=` (`=3D`), which Exchange's `[Message=…]` and `{LED=…}` always produce, so a
 * plain paste with a line wrapped after `=` is never decoded.
 */
export function looksQuotedPrintable(text: string): boolean {
  return /=3D/i.test(text);
}

/** RFC 2045 §6.7: a soft line break (`=` at the end of a line) goes, `=XX` is that byte; seven-bit text decodes as UTF-8. */
export function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=[ \t]*\r?\n|=([0-9A-Fa-f]{2})/g, (_m, hex: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : ''));
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes;
}

/**
 * Reads what administrators paste: an Exchange Online message-trace reason (long or short
 * form), a status line (with its detail after the title, or not), a bounce (`550 5.4.3xx
 * Message expired …`, the NDR's `Server at … returned '…'`, or the chained `… -> … ->`
 * form, whose innermost cause decides), an on-premises or hybrid queue error (`451 4.4.0
 * Primary target IP address responded with: "…"`, Winsock errors), raw quoted-printable
 * included. A status outside the connector and DANE codes is read as `other`, with who
 * has to act. Throws a UsageError naming what is missing when the text holds none of these.
 *
 * @example
 * ```ts
 * parseReport('550 5.4.316 Message expired, connection refused(Socket error code 10061)').code; // '4.4.316'
 * ```
 */
export function parseReport(input: string): ParsedReport {
  if (input.length > MAX_PASTE_CHARS) {
    throw new UsageError(`the paste is ${input.length} characters, more than ${MAX_PASTE_CHARS}: paste only the message-trace reason or the bounce line`);
  }
  const qp = looksQuotedPrintable(input);
  const text = unwrap(qp ? decodeQuotedPrintable(input) : input);
  if (!text) throw new UsageError('nothing to explain: paste the message-trace reason or the bounce line (or pipe it with "-")');
  const brace = braceFields(text);
  const led = brace.fields.get('LED') ?? null;
  const scope = led ?? text;
  // The chained bounce: `550 5.4.300 Message expired -> 451 4.4.400 … -> 421 4.4.2 …`.
  const firstArrow = scope.indexOf(CHAIN_ARROW);
  const chained = firstArrow > 0 && ANY_STATUS.test(scope.slice(Math.max(0, firstArrow - 200), firstArrow));
  const innermost = chained ? scope.slice(scope.lastIndexOf(CHAIN_ARROW) + CHAIN_ARROW.length) : null;
  const found: Found | null =
    (innermost !== null ? (findCode(innermost) ?? readCause(innermost)) : null) ??
    findCode(scope) ??
    findCode(text) ??
    readCause(scope) ??
    (innermost !== null ? readOther(innermost) : null) ??
    readOther(scope);
  if (!found) {
    const other = /(?<![\d.])([45]\.[0-9]\.[0-9]{1,3})(?![\d.])/.exec(text)?.[1];
    const shown = text.length > 60 ? `${text.slice(0, 57)}…` : text;
    throw new UsageError(
      other
        ? `cannot explain "${shown}": ${other} is not one of the connector codes ${CONNECTOR_CODES.join(', ')} or the DANE codes ${POLICY_CODES[0]}–${POLICY_CODES.at(-1)}, and no reply code (such as 550) comes with it`
        : `cannot read "${shown}": it holds no Exchange status code (such as 450 4.4.317) — paste the message-trace "Reason: [{LED=…}]" text or the bounce's "550 5.4.3xx …" line`,
    );
  }
  const bracket = bracketFields(scope);
  const redacted: string[] = [];
  const field = (name: string, value: string | null | undefined): string | null => {
    if (value === undefined || value === null || value === '') return null;
    if (isRedacted(value)) {
      redacted.push(name);
      return null;
    }
    return value;
  };

  // The bounce carries the last deferral's detail in parentheses after its title.
  let detail = bracket.fields.get(FIELD.message) ?? found.cause?.detail ?? null;
  let truncated = bracket.open || brace.open;
  let status = found.status;
  let dotted = false;
  if (detail === null && found.expired) {
    const after = text.slice(found.index);
    const open = after.indexOf('(');
    if (open >= 0) {
      const close = after.lastIndexOf(')');
      if (close < open) truncated = true;
      detail = cap(after.slice(open + 1, close > open ? close : undefined).trim()) || null;
    }
  }
  if (detail === null) detail = brace.fields.get(BRACE_FIELD.message) || null;
  if (detail === null && found.code !== 'other' && !found.expired) {
    // `450 4.4.317 Cannot connect to remote server. 5.7.3 STARTTLS is required …`: the detail follows the title.
    const title = statusLine(found.code).replace(/^\d{3} \S+ /, '');
    const source = innermost ?? scope;
    const at = source.slice(0, found.index + 200).toLowerCase().indexOf(title.toLowerCase(), found.index);
    const rest = at >= 0 ? /^\s*\.\s*([^[{]{1,1000})/.exec(source.slice(at + title.length, at + title.length + MAX_FIELD_CHARS + 8)) : null;
    const after = rest?.[1]?.trim().replace(/[\]}]+$/, '').trim();
    if (after) {
      detail = cap(after) ?? null;
      status = status.slice(0, status.toLowerCase().indexOf(title.toLowerCase()) + title.length);
      dotted = true;
    }
  }
  if (detail !== null) detail = detail.replace(/\s+/g, ' ');

  // A value the paste cuts off is dropped: `203.0.113.2` may be the first digits of `…25`.
  const incomplete: string[] = [];
  const whole = (from: { fields: Map<string, string>; cut: Set<string> }, key: string, name: string): string | undefined => {
    if (!from.cut.has(key)) return from.fields.get(key);
    incomplete.push(name);
    return undefined;
  };
  const ndr = NDR_PATTERN.exec(text);
  const endpoint = lastEndpoint(text);
  const rawServer = whole(bracket, FIELD.server, 'server') ?? whole(brace, BRACE_FIELD.server, 'server') ?? ndr?.[1] ?? proxy(text, PROXY_FIELD.server);
  const serverText = field('server', rawServer?.trim());
  const rawIp = whole(bracket, FIELD.ip, 'ip') ?? whole(brace, BRACE_FIELD.ip, 'ip') ?? ndr?.[2] ?? endpoint ?? proxy(text, PROXY_FIELD.ip);
  const ipText = field('ip', rawIp?.trim());
  const split = splitIpPort(ipText);
  // The endpoint line carries the port the brace `{IP=…}` lacks.
  const { ip, port } = split.ip && split.port === null && endpoint ? { ip: split.ip, port: splitIpPort(endpoint).ip === split.ip ? splitIpPort(endpoint).port : null } : split;
  const server = cleanHost(serverText);

  const lrt = brace.fields.get(BRACE_FIELD.lastAttempt) || null;
  const iso = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\b/.exec(scope)?.[1] ?? null;
  const form: ReportForm = chained
    ? 'chained'
    : ndr
      ? 'ndr'
      : found.code === 'other'
        ? 'other'
        : found.cause
          ? 'queue'
          : brace.fields.has(BRACE_FIELD.led)
            ? bracket.fields.size || brace.fields.has(BRACE_FIELD.server)
              ? 'trace'
              : 'trace-short'
            : found.expired
              ? 'bounce'
              : dotted
                ? 'dotted'
                : 'status';
  const shownDetail = detail && isRedacted(detail) && !/\d/.test(detail) ? null : detail;
  const winsock = findWinsock(detail ?? '') ?? findWinsock(found.cause ? scope : '');
  const who = found.enhanced ? (whoActs(found.enhanced)?.who ?? null) : null;

  return {
    form,
    code: found.code,
    decoded: qp ? 'quoted-printable' : null,
    winsock: winsock ? { number: winsock.number, name: winsock.name, meaning: winsock.meaning } : null,
    other: found.enhanced ? { enhanced: found.enhanced, who } : null,
    status,
    expired: found.expired,
    detail: shownDetail,
    server,
    ip,
    port,
    lastAttempt: lrt ?? iso,
    smtpSecurity: bracket.fields.get(FIELD.smtpSecurity)?.replace(/\s+/g, '') ?? null,
    proxyTargetIp: splitIpPort(proxy(text, PROXY_FIELD.ip)).ip,
    proxyTargetHost: cleanHost(proxy(text, PROXY_FIELD.server)),
    redacted,
    truncated,
    incomplete: [...new Set(incomplete)],
    failure: found.cause && !bracket.fields.has(FIELD.message)
      ? found.cause.failure
      : found.code === 'other'
        ? otherFailure(found.status, detail)
        : readMessageText(found.code, detail),
  };
}

/** The remote reply a foreign status is: what the receiving side said, at the stage it said it. */
function otherFailure(status: string, detail: string | null): FailureRecord {
  const m = /^([2-5][0-9]{2}) ([245]\.[0-9]{1,3}\.[0-9]{1,3}) ?(.*)$/.exec(status);
  return {
    stage: 'banner',
    kind: 'reply',
    message: detail ?? status,
    ...(m ? { reply: { code: Number(m[1]), enhanced: m[2] as string, lines: [`${m[2]} ${m[3] ?? ''}`.trim()] } } : {}),
  };
}

/** `The last endpoint attempted was 203.0.113.25:25` → `203.0.113.25:25`. */
function lastEndpoint(text: string): string | null {
  const at = text.toLowerCase().indexOf(LAST_ENDPOINT.toLowerCase());
  if (at < 0) return null;
  const m = /^\s*([[\]0-9A-Fa-f:.]{2,64})/.exec(text.slice(at + LAST_ENDPOINT.length, at + LAST_ENDPOINT.length + 80));
  return m?.[1]?.replace(/\.+$/, '') ?? null;
}

/** `OutboundProxyTargetIP: 203.0.113.25.` → `203.0.113.25`. */
function proxy(text: string, key: string): string | null {
  const m = new RegExp(`${keyPattern(key)}\\s*:\\s*(\\S+)`, 'i').exec(text);
  return cap(m?.[1])?.replace(/\.$/, '') ?? null;
}

/** The diagnosis for a parsed paste: the catalog entry of its code, with the fix for what its detail implies. */
export function diagnoseReport(parsed: ParsedReport, catalog: Catalog = en): Diagnosis {
  if (isConnectorCode(parsed.code)) {
    const diagnosis = diagnose(parsed.code, parsed.failure, catalog);
    // The server demands TLS of Exchange Online (RFC 3207 §4: 530/451 "Must issue a
    // STARTTLS command first"): Exchange sent in the clear, so STARTTLS was not offered
    // to it or the upgrade failed and it fell back.
    if (parsed.failure.kind === 'reply' && /STARTTLS (is )?required|issue a STARTTLS|5\.7\.0 .*TLS/i.test(parsed.detail ?? '')) {
      diagnosis.firstFix = catalog.headings.explain.starttlsRequired;
    }
    // A Winsock error at TCP that is not a refusal or a timeout (995: the attempt was
    // aborted): no session began, so the server's logs have nothing to say.
    if (parsed.winsock && parsed.failure.stage === 'tcp' && parsed.failure.kind === 'closed') {
      diagnosis.firstFix = catalog.headings.explain.connectAborted;
    }
    return diagnosis;
  }
  if (parsed.code === 'other') return diagnoseOther(parsed, catalog);
  const entry: CodeEntry = catalog.policyCodes[parsed.code];
  return {
    code: 'other',
    status: entry.status,
    title: entry.title,
    meaning: entry.meaning,
    causes: entry.causes,
    fixes: entry.fixes,
    partner: catalog.partner,
    stage: parsed.failure.stage,
    kind: parsed.failure.kind,
    ...failureSummary(parsed.failure),
    firstFix: entry.fixes[0] ?? '',
    serverSaid: parsed.detail,
  };
}

/**
 * A status outside the connector family: what it is about (RFC 3463's subject) and who
 * has to act, in one line each; the receiving side's own words are kept as they came.
 */
function diagnoseOther(parsed: ParsedReport, catalog: Catalog): Diagnosis {
  const x = catalog.headings.explain;
  const enhanced = parsed.other?.enhanced ?? '';
  const subject = whoActs(enhanced)?.subject;
  const who = x.whoActs[parsed.other?.who ?? 'unknown'];
  return {
    code: 'other',
    status: parsed.status,
    title: fill(x.otherTitle, { code: enhanced }),
    meaning: subject ? x.otherMeaning[subject] : parsed.status,
    causes: [],
    fixes: [],
    // Not a smart host's fault: who acts is the first fix, not the connector's partner.
    partner: '',
    stage: parsed.failure.stage,
    kind: parsed.failure.kind,
    ...failureSummary(parsed.failure),
    firstFix: who,
    serverSaid: parsed.detail ?? parsed.status,
  };
}

/** How a live result compares with the pasted code. */
export function compareOutcome(parsed: ParsedReport, result: ProbeResult): ExplainCheck['outcome'] {
  const code: string | null = result.code;
  if (code === null) return 'healthy';
  if (parsed.code === 'other') return 'different';
  if (code === parsed.code) return 'same';
  // A name mismatch is 4.7.320 in older traces and 4.4.317 in newer ones (EXCHANGE.md).
  const mismatch = (c: string, reason: string | undefined): boolean => (c === '4.7.320' || c === '4.4.317') && reason === 'name-mismatch';
  const headline = result.paths.find((p) => p.code === code)?.failure;
  if (mismatch(parsed.code, parsed.failure.reason) && mismatch(code, headline?.reason)) return 'equivalent';
  return 'different';
}

export interface ExplainOptions extends ProbeOptions {
  /** Parse and diagnose only; send nothing. */
  offline?: boolean;
  /** The server to re-check when the paste names none (or to override it). */
  server?: string;
  /** Re-check even a status outside the connector family (which is not about the connection). */
  recheck?: boolean;
  catalog?: Catalog;
}

/**
 * Explains a pasted Exchange Online reason or bounce and, unless `offline`, re-checks the
 * server it names and the exact address it last tried (on the port it tried, unless
 * `port` is given). Throws a UsageError for text it cannot read.
 *
 * @example
 * ```ts
 * const r = await explain(traceText, { resolvers: ['127.0.0.1:5353'] });
 * r.checks?.map((c) => `${c.target}: ${c.outcome}`);
 * ```
 */
export async function explain(text: string, options: ExplainOptions = {}): Promise<ExplainResult> {
  const { offline = false, recheck = false, server, catalog: given, ...probeOptions } = options;
  const catalog = given ?? (probeOptions.language === undefined ? en : catalogFor(parseLanguage(probeOptions.language)));
  const parsed = parseReport(text);
  if (server !== undefined) {
    const given = cleanHost(server);
    if (!given) throw new UsageError(`invalid server "${server}": must be a host name or an IP address`);
    parsed.server = given;
  }
  const diagnosis = diagnoseReport(parsed, catalog);
  if (offline) return { schema: 'mailflow-probe/explain@1', parsed, diagnosis, checks: null, offline };
  if (parsed.code === 'other' && !recheck) return { schema: 'mailflow-probe/explain@1', parsed, diagnosis, checks: null, offline, notRechecked: true };
  const targets = [...new Set([parsed.server, parsed.ip].filter((t): t is string => t !== null))];
  if (!targets.length) return { schema: 'mailflow-probe/explain@1', parsed, diagnosis, checks: null, offline };
  // Exchange always uses 25; the paste's port is kept unless the caller points elsewhere.
  const port = probeOptions.port ?? parsed.port ?? undefined;
  const checkOptions = { ...probeOptions, ...(port !== undefined ? { port } : {}) };
  // A DANE code names the MX host: its TLSA records are looked up beside the re-checks.
  const daneHost = parsed.code !== 'other' && !isConnectorCode(parsed.code) && parsed.server && !net.isIP(parsed.server) ? parsed.server : null;
  const scope = daneHost ? policyContext(daneHost, checkOptions) : null;
  const daneRefs: ProblemRefs = {};
  const [results, dane] = await Promise.all([
    Promise.all(targets.map((t) => probe(t, checkOptions))),
    scope ? lookupDane(scope.context(), daneHost as string, [daneHost as string], daneRefs) : Promise.resolve(null),
  ]).finally(() => scope?.dispose());
  const checks = targets.map((target, i): ExplainCheck => {
    const result = results[i] as ProbeResult;
    if (!dane) return { target, outcome: compareOutcome(parsed, result), result };
    // Judged as the MX host the trace names, whichever way it was reached.
    const danePaths = result.paths
      .filter((p) => p.ip !== null)
      .map((p) => judgeDanePath({ ...p, host: daneHost as string }, dane.hosts[0], presentedChain(p), Date.now(), daneRefs));
    return { target, outcome: comparePolicyOutcome(parsed, result, danePaths), result, dane: danePaths, daneRefs };
  });
  return { schema: 'mailflow-probe/explain@1', parsed, diagnosis, checks, offline };
}

/** A context for the policy lookups of a re-check: the same resolvers, timeouts and deadline as the probe. */
function policyContext(target: string, options: ProbeOptions): ProbeScope {
  const settings = resolveSettings(target, options);
  return openContext(
    {
      deadlineMs: settings.deadlineMs,
      stageTimeoutMs: settings.timeoutMs,
      resolvers: settings.resolvers,
      port: settings.port,
      ehloName: settings.ehloName,
      tls: { mode: settings.tlsMode, domain: settings.tlsDomain, ca: settings.ca },
    },
    options.signal,
  );
}

/**
 * For a pasted DANE code: the same code on some path is `same`; another refusal (or the
 * connection failing outright) is `different`; every path satisfying DANE is `healthy`.
 */
export function comparePolicyOutcome(parsed: ParsedReport, result: ProbeResult, dane: PolicyPathCheck[]): ExplainCheck['outcome'] {
  if (dane.some((c) => c.code === parsed.code)) return 'same';
  if (dane.some((c) => c.action === 'refuse') || result.verdict === 'failing') return 'different';
  return 'healthy';
}

