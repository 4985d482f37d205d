/**
 * Remote text is data. A banner, a reply, a certificate field, a connector name or a line
 * of a file is escaped for the output it lands in, once, at the output boundary:
 *
 * - `terminal`: control characters (C0 but the line feed, DEL, C1) and the Unicode bidi
 *   controls are shown escaped (`\x1b`, `\r`, `\t`, `\u202e`), so a server cannot set the
 *   window title, clear the screen, overwrite a line or reorder what the reader sees. Our
 *   own colours are applied after escaping, so they survive.
 * - `markdown`: the same, newlines folded, HTML's `& < >` as entities and every character
 *   Markdown gives a meaning to backslash-escaped, so remote text cannot open a link, an
 *   image, raw HTML, emphasis, a heading, a list, a table cell or a code span.
 * - `html`: the same control escaping, then `& < > " '` as entities (element content and
 *   attribute values alike).
 *
 * JSON needs nothing: JSON.stringify escapes every control character.
 *
 * @example
 * ```ts
 * terminal('220 \x1b]0;pwned\x07 ESMTP'); // '220 \\x1b]0;pwned\\x07 ESMTP'
 * markdown('[click](https://evil.example)'); // '\\[click\\]\\(https\\://evil\\.example\\)'
 * html('<b>'); // '&lt;b&gt;'
 * ```
 */

/**
 * What a terminal must not receive raw: C0 controls but LF, DEL and C1 controls, the
 * Unicode bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069; "Trojan
 * Source", CVE-2021-42574), the implicit marks (U+200E, U+200F, U+061C) and the line and
 * paragraph separators (U+2028, U+2029).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_OR_LF = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One character as an escape: `\r`, `\n`, `\t`, `\xNN` up to U+00FF, `\uNNNN` above (as probes/smtp.ts's evidence shows bytes). */
function escapeChar(c: string): string {
  if (c === '\r') return '\\r';
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text for a terminal: every control character but the line feed escaped (with
 * `{ newlines: false }` the line feed too, for a value that must stay on one line).
 * Idempotent: its output contains nothing it would escape, so text escaped twice (or our
 * own text, which has no controls) comes out unchanged.
 */
export function terminal(text: string, options: { newlines?: boolean } = {}): string {
  return text.replace(options.newlines === false ? UNSAFE_OR_LF : UNSAFE, escapeChar);
}

/**
 * A copy of `value` with every string in it (at any depth, in arrays and plain objects)
 * passed through `terminal`: how a text reporter takes a whole result, a report or an
 * entry at its boundary, so that no field can be forgotten. Anything but a string, an
 * array or a plain object is returned as it is.
 */
export function terminalSafe<T>(value: T): T {
  if (typeof value === 'string') return terminal(value) as T;
  if (Array.isArray(value)) return value.map((v) => terminalSafe(v)) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = terminalSafe(v);
    return out as T;
  }
  return value;
}

/** Markdown's markup characters (CommonMark §2.4: any ASCII punctuation may be escaped). `:` and `@` too, so GFM cannot autolink a URL or an address. */
const MARKUP = /[\\`*_{}[\]()#+\-.!|~:@]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Remote text as inert Markdown on one line (a table cell, a heading, a list item):
 * newlines folded to spaces, other controls escaped as `terminal` shows them, `& < >` as
 * entities (no raw HTML), and the markup characters backslash-escaped (no link, image,
 * emphasis, code span, heading, list or cell break). Apply it to remote text only: our
 * own Markdown (headings, bold labels, tables) is written around it.
 */
export function markdown(text: string): string {
  return terminal(text.replace(/\r\n|\r|\n/g, ' '))
    .replace(/[&<>]/g, (c) => ENTITY[c] as string)
    .replace(MARKUP, (c) => `\\${c}`);
}

/**
 * Text for a fenced code block (a command the reader copies): kept as it is, apart from
 * control characters and line breaks, escaped as `terminal` shows them, so it stays on its
 * line and cannot close the fence. Returns the fence to use too: longer than any run of
 * backticks in the text (CommonMark §4.5).
 */
export function markdownCode(text: string): { code: string; fence: string } {
  const code = terminal(text, { newlines: false });
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  return { code, fence: '`'.repeat(Math.max(3, longest + 1)) };
}

/** HTML-escapes text for element content and attribute values; control characters are shown as `terminal` shows them. */
export function html(value: unknown): string {
  return terminal(String(value ?? '')).replace(/[&<>"']/g, (c) => ENTITY[c] as string);
}

// Chat markup (alerts): remote text can neither mention, nor link, nor format.

/** Slack's look-alikes for its formatting markers: mrkdwn has no backslash escape. */
const SLACK_MARKERS: Record<string, string> = { '*': '∗', _: '＿', '~': '∼', '`': 'ˋ' };

/**
 * Text for a Slack `mrkdwn` field. `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;` as
 * Slack's "Formatting text" guide requires, which disarms `<!channel>`, `<@U…>` and
 * `<http://…|label>`; `*`, `_`, `~` and `` ` `` become look-alike characters (U+2217,
 * U+FF3F, U+223C, U+02CB), since mrkdwn cannot escape them.
 *
 * @example escapeSlackMrkdwn('<!channel> *now*') // '&lt;!channel&gt; ∗now∗'
 */
export function escapeSlackMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_~`]/g, (c) => SLACK_MARKERS[c]!);
}

/**
 * Text for an Adaptive Card TextBlock, whose markdown (bold, italic, links, lists) takes
 * CommonMark's backslash escapes. Escaped: the emphasis and code markers, `<` `>`
 * (autolinks), the `(` that would make `[label](url)` or `![alt](url)` a link, and a list
 * or heading marker at the start of a line. Brackets and parentheses elsewhere are plain
 * text in markdown and stay as they are, so our own "[mailflow-probe]" reads unchanged.
 *
 * @example escapeTeamsMarkdown('[click](http://x)') // '[click]\\(http://x)'
 */
export function escapeTeamsMarkdown(text: string): string {
  return text
    .replace(/[\\`*_~<>]/g, '\\$&')
    .replace(/\]\(/g, ']\\(')
    .replace(/^(\s*)([-+#])/gm, '$1\\$2')
    .replace(/^(\s*\d{1,9})([.)])(?=\s)/gm, '$1\\$2');
}
