import { describe, expect, it } from 'vitest';
import { detectFindings } from '../src/core/findings.js';

describe('SMTP inspection is recognised from the transcript', () => {
  it.each<[string, string[], RegExp]>([
    ['a PIX-masked greeting', ['S: 220 ****************************************', 'C: EHLO probe.demo.test'], /greeting is masked/],
    ['an ASA-masked greeting (2s and 0s kept)', ['S: 220 ****0*0*2******0******** *****2*0**0'], /greeting is masked/],
    ['STARTTLS rewritten', ['S: 220 mx1.demo.test ESMTP', 'C: EHLO a', 'S: 250-mx1.demo.test', 'S: 250-XXXXXXXA', 'S: 250 8BITMIME'], /replaced with XXXXXXXA/],
    ['another keyword rewritten', ['S: 220 mx1.demo.test ESMTP', 'S: 250-mx1.demo.test', 'S: 250 XXXXXXXXXXXXX'], /EHLO keywords were replaced/],
    ['a command quoted back as X\'s', ['S: 220 mx1.demo.test ESMTP', 'C: EHLO a', "S: 500 5.3.3 Unrecognized command 'XXXX'"], /reached it as X's/],
  ])('%s', (_what, transcript, message) => {
    const [finding, ...more] = detectFindings(transcript);
    expect(more).toEqual([]);
    expect(finding?.kind).toBe('smtp-inspection');
    expect(finding?.message).toMatch(message);
    expect(finding?.fixes.join('\n')).toMatch(/no inspect esmtp/);
    expect(finding?.fixes.join('\n')).toMatch(/no fixup protocol smtp 25/);
    expect(finding?.evidence.length).toBeGreaterThan(0);
  });

  it.each<[string, string[]]>([
    ['a normal session', ['S: 220 mx1.demo.test ESMTP Postfix', 'C: EHLO a', 'S: 250-mx1.demo.test', 'S: 250-STARTTLS', 'S: 250 8BITMIME']],
    ['a banner with a few stars', ['S: 220 mx1.demo.test ESMTP *** no UCE ***']],
    ['a greeting of seven asterisks', ['S: 220 *******']],
    ['real X-extensions', ['S: 220 mx1.demo.test', 'S: 250-mx1.demo.test', 'S: 250-XCLIENT NAME ADDR', 'S: 250-XEXCH50', 'S: 250 XFORWARD NAME']],
    ['asterisks in a later reply, not the greeting', ['S: 220 mx1.demo.test', 'C: QUIT', 'S: 221 ******************']],
    ['our own command in a 5xx', ['S: 220 mx1.demo.test', 'C: EHLO XXXXserver', 'S: 501 5.5.2 bad name XXXXserver']],
    ['nothing at all', []],
  ])('not for %s', (_what, transcript) => {
    expect(detectFindings(transcript)).toEqual([]);
  });

  it('eight asterisks and nothing else mask a greeting; each kind of evidence in the transcript\'s order, greeting first', () => {
    const [finding, ...more] = detectFindings([
      'C: (connect)',
      'S: 220 ********',
      'C: EHLO a',
      'S: 250-mx1.demo.test',
      'S: 500 5.3.3 Unrecognized command \'XXXX\'',
      'S: 250-XXXXXXXA',
      'S: 250 XXXX',
    ]);
    expect(more).toEqual([]);
    expect(finding?.evidence).toEqual(['220 ********', '250-XXXXXXXA', '250 XXXX', "500 5.3.3 Unrecognized command 'XXXX'"]);
    expect(finding?.parts).toEqual(['masked-greeting', 'starttls-rewritten', 'rewritten-command-rejected']);
  });
});
