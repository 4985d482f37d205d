/**
 * Remote text in chat alerts is data (issue 16): a server's reply lands in Slack mrkdwn
 * and in Teams Adaptive Card markdown, and neither may mention, link or format from it.
 */
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../src/scheduled/alert-state.js';
import { alertLines, alertSubject, genericPayload, slackPayload, teamsPayload } from '../src/scheduled/alerts/format.js';
import { escapeSlackMrkdwn, escapeTeamsMarkdown } from '../src/report/sanitize.js';

const hostile = '554 <!channel> <http://evil.demo.test|click here> *bold* _it_ ~gone~ `code` & [click](http://evil.demo.test) <@U123>';

function event(): AlertEvent {
  return {
    kind: 'failing',
    target: 'smarthost_*x*',
    at: '2026-11-27T07:00:00.000Z',
    state: 'failing',
    previous: 'healthy',
    failingSince: '2026-11-27T07:00:00.000Z',
    bounceAt: '2026-11-28T07:00:00.000Z',
    queueLifetimeMs: 86_400_000,
    code: '4.4.317',
    status: `450 4.4.317 Cannot connect to remote server [Message=${hostile}]`,
    stage: 'banner',
    summary: hostile,
    reason: `the server answered ${hostile}`,
    firstFix: 'Fix the banner.',
    warnings: [],
  };
}

describe('Slack mrkdwn', () => {
  it('escapes &, < and > as Slack documents, and neutralises *, _, ~ and `', () => {
    expect(escapeSlackMrkdwn(hostile)).toBe(
      '554 &lt;!channel&gt; &lt;http://evil.demo.test|click here&gt; ∗bold∗ ＿it＿ ∼gone∼ ˋcodeˋ &amp; [click](http://evil.demo.test) &lt;@U123&gt;',
    );
    expect(escapeSlackMrkdwn('plain 450 4.4.316 text')).toBe('plain 450 4.4.316 text');
  });

  it('the Slack payload carries no mention, link or formatting from remote text', () => {
    const slack = slackPayload(event()) as { text: string; blocks: { type: string; text: { type: string; text: string } }[] };
    for (const text of [slack.text, slack.blocks[1]!.text.text]) {
      expect(text).not.toMatch(/[<>*_~`]/);
      expect(text).toContain('&lt;!channel&gt;');
    }
    expect(slack.blocks[1]!.text.text).toBe(alertLines(event()).map(escapeSlackMrkdwn).join('\n'));
    // plain_text is shown as is: the header keeps the subject unescaped.
    expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: alertSubject(event()).slice(0, 150) } });
  });
});

describe('Teams Adaptive Card markdown', () => {
  it('escapes the markup characters with a backslash, and the ( that would make a link', () => {
    expect(escapeTeamsMarkdown('[click](http://evil.demo.test) ![img](http://x.demo.test/a.png) *b* _i_ ~s~ `c` <http://x.demo.test> \\')).toBe(
      '[click]\\(http://evil.demo.test) ![img]\\(http://x.demo.test/a.png) \\*b\\* \\_i\\_ \\~s\\~ \\`c\\` \\<http://x.demo.test\\> \\\\',
    );
    // Markers only matter at the start of a line; brackets and parentheses alone are text.
    expect(escapeTeamsMarkdown('- item\n1. first\n+ plus\n# head\n4.4.316 a-b [mailflow-probe] (in 24 h)')).toBe(
      '\\- item\n1\\. first\n\\+ plus\n\\# head\n4.4.316 a-b [mailflow-probe] (in 24 h)',
    );
  });

  it('every TextBlock of the card is escaped', () => {
    const teams = teamsPayload(event()) as { attachments: { content: { body: { text: string }[] } }[] };
    const texts = teams.attachments[0]!.content.body.map((b) => b.text);
    expect(texts).toEqual([alertSubject(event()), ...alertLines(event())].map(escapeTeamsMarkdown));
    expect(texts.join('\n')).not.toMatch(/(?<!\\)[*_`<>]|\]\(/);
  });
});

it('the generic webhook and the email keep the text as it is: JSON and plain text are data already', () => {
  expect(genericPayload(event(), 'id-1')).toMatchObject({ summary: hostile, target: 'smarthost_*x*' });
  expect(alertLines(event())).toContain(`Failing stage: banner — ${hostile}`);
});
