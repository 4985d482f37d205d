import { describe, expect, it } from 'vitest';
import type { FailureKind, StageName } from '../probes/stage.js';
import { en } from '../src/catalog/en.js';
import { classify } from '../src/core/classify.js';
import { EXCHANGE_CODES, type ExchangeCode } from '../src/core/result.js';

// DESIGN.md's classification table, one row per kind of wire outcome.
const table: [StageName, FailureKind, ExchangeCode | null][] = [
  ['dns', 'dns-nxdomain', '4.4.312'],
  ['dns', 'dns-servfail', '4.4.312'],
  ['dns', 'dns-refused', '4.4.312'],
  ['dns', 'dns-timeout', '4.4.312'],
  ['dns', 'dns-no-address', '4.4.312'],
  ['dns', 'dns-null-mx', '4.4.312'],
  ['dns', 'dns-error', '4.4.312'],
  ['tcp', 'connect-timeout', '4.4.315'],
  ['tcp', 'connect-unreachable', '4.4.315'],
  ['tcp', 'connect-refused', '4.4.316'],
  ['banner', 'reply', '4.4.317'],
  ['ehlo', 'reply', '4.4.317'],
  ['starttls', 'reply', '4.4.317'],
  ['starttls', 'starttls-not-offered', '4.4.317'],
  ['tls', 'tls-version', '4.4.317'],
  ['tls', 'tls-no-shared-cipher', '4.4.317'],
  ['tls', 'tls-handshake', '4.4.317'],
  ['banner', 'timeout', '4.4.318'],
  ['ehlo', 'timeout', '4.4.318'],
  ['tls', 'timeout', '4.4.318'],
  ['ehlo', 'reset', '4.4.318'],
  ['banner', 'closed', '4.4.318'],
  ['tls', 'closed', '4.4.318'],
  ['certificate', 'certificate', '4.7.320'],
  ['banner', 'protocol', 'other'],
  ['tcp', 'internal', 'other'],
  ['tcp', 'cancelled', null],
];

describe('classify', () => {
  it.each(table)('%s %s → %s', (stage, kind, code) => {
    expect(classify({ stage, kind })).toBe(code);
  });

  it('the table covers every code', () => {
    expect(new Set(table.map((row) => row[2]).filter(Boolean))).toEqual(new Set(EXCHANGE_CODES));
  });
});

describe('catalog', () => {
  it.each(EXCHANGE_CODES)('%s has a title, meaning, causes and fixes', (code) => {
    const entry = en.codes[code];
    expect(entry.title).not.toBe('');
    expect(entry.meaning.length).toBeGreaterThan(20);
    expect(entry.causes.length).toBeGreaterThan(0);
    expect(entry.fixes.length).toBeGreaterThan(0);
    if (code !== 'other') expect(entry.status).toBe(`450 ${code} ${entry.title}`);
  });

  it('names the partner rule', () => {
    expect(en.partner).toMatch(/partner/);
  });
});
