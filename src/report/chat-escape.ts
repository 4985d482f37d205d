/**
 * Output escaping for chat markup: remote text (a banner, a reply, a host name) is data,
 * so it can neither mention, nor link, nor format. One function per kind of output; the
 * terminal and Markdown escapers (src/report/sanitize.ts) are the same concept for the
 * reports and belong in one module with these.
 */

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
