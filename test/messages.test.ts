/**
 * probes/messages.ts: placeholders are filled as `/\{(\w+)\}/g` would fill them (the scan
 * that replaced the regular expression must not change one text), and say() keeps nested
 * texts by id.
 */
import { describe, expect, it } from 'vitest';
import { MESSAGES, englishText, fillTemplate, say, type ProbeTextArg, type ProbeTextId, type ProbeTextRef } from '../probes/messages.js';
import { PROBE_TEXT_PT_BR } from '../src/catalog/probe-text.pt-br.js';

/** The reference: the replace the scan stands for. */
function byRegExp(template: string, args: Readonly<Record<string, ProbeTextArg>>, nested: (ref: ProbeTextRef) => string): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = args[key];
    if (value === undefined) return whole;
    return typeof value === 'object' ? nested(value) : String(value);
  });
}

const nested = (ref: ProbeTextRef): string => `<${ref.id}>`;

describe('fillTemplate', () => {
  it.each([
    ['no placeholder', 'the connection was closed', {}, 'the connection was closed'],
    ['one', 'no reply to {command}', { command: 'EHLO' }, 'no reply to EHLO'],
    ['a number', '{days} days', { days: -3 }, '-3 days'],
    ['at both ends', '{a} and {b}', { a: 'A', b: 'B' }, 'A and B'],
    ['side by side, repeated', '{a}{b}{a}', { a: 'A', b: 'B' }, 'ABA'],
    ['an empty value', 'x{a}y', { a: '' }, 'xy'],
    ['no argument: kept', 'x{a}y{b}z', { b: 'B' }, 'x{a}yBz'],
    ['a nested text', 'the certificate is {judged}', { judged: { id: 'cert.trusted', args: {} } }, 'the certificate is <cert.trusted>'],
    ['a doubled brace', '{{a}}', { a: 'A' }, '{A}'],
    ['an open brace first', '{{a}', { a: 'A' }, '{A'],
    ['empty braces', '{}', { '': 'E' }, '{}'],
    ['a space inside', '{a b}', { a: 'A', 'a b': 'AB' }, '{a b}'],
    ['unclosed', 'x{a', { a: 'A' }, 'x{a'],
    ['a close brace only', 'a}', { a: 'A' }, 'a}'],
    ['digits and underscore', '{_1}{x2}', { _1: 'one', x2: 'two' }, 'onetwo'],
    ['a non-ASCII letter is no word character', '{é}{a}', { 'é': 'E', a: 'A' }, '{é}A'],
    ['a value holding braces is not filled again', '{a}{b}', { a: '{b}', b: 'B' }, '{b}B'],
  ] as Array<[string, string, Record<string, ProbeTextArg>, string]>)('%s', (_what, template, args, filled) => {
    expect(fillTemplate(template, args, nested)).toBe(filled);
    expect(byRegExp(template, args, nested)).toBe(filled);
  });

  it('fills every English and pt-BR template as the regular expression does, with and without its arguments', () => {
    const templates = [...Object.values(MESSAGES), ...Object.values(PROBE_TEXT_PT_BR as Record<string, string>)];
    expect(templates.length).toBeGreaterThan(300);
    let placeholders = 0;
    for (const template of templates) {
      const keys = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      placeholders += keys.length;
      const full = Object.fromEntries(keys.map((k, i) => [k, i % 2 ? `v${i}` : { id: 'cert.trusted' as ProbeTextId, args: {} }]));
      const half = Object.fromEntries(keys.filter((_, i) => i % 2).map((k) => [k, 7]));
      for (const args of [full, half, {}]) expect(fillTemplate(template, args, nested), template).toBe(byRegExp(template, args, nested));
    }
    expect(placeholders).toBeGreaterThan(300);
  });
});

describe('say', () => {
  it('says the English, and keeps a nested text by id and arguments', () => {
    const validity = say('cert.expires-in', { date: '2027-01-31', days: 62 });
    const said = say('cert.summary', { subject: 'CN=mx1.contoso.com', judged: say('cert.trusted'), validity, revocation: '' });
    expect(said).toEqual({
      id: 'cert.summary',
      args: { subject: 'CN=mx1.contoso.com', judged: { id: 'cert.trusted', args: {} }, validity: { id: 'cert.expires-in', args: { date: '2027-01-31', days: 62 } }, revocation: '' },
      text: englishText({ id: 'cert.summary', args: { subject: 'CN=mx1.contoso.com', judged: { id: 'cert.trusted', args: {} }, validity: { id: 'cert.expires-in', args: { date: '2027-01-31', days: 62 } }, revocation: '' } }),
    });
    expect(said.text).toBe(byRegExp(MESSAGES['cert.summary'], said.args, englishText));
    expect(said.text).toContain('CN=mx1.contoso.com');
    expect(said.text).toContain(validity.text);
    expect(said.text).not.toMatch(/\{\w+\}/);
  });
});
