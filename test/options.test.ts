import { describe, expect, it } from 'vitest';
import { parseEhloName, parseResolver, parseTarget, parseTlsDomain, resolveSettings, UsageError } from '../src/core/options.js';

describe('targets', () => {
  it.each([
    ['smarthost.contoso.com', 'smarthost.contoso.com'],
    ['SmartHost.Contoso.COM.', 'smarthost.contoso.com'],
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8::25', '2001:db8::25'],
    ['[2001:DB8::25]', '2001:db8::25'],
    ['mail.bücher.example', 'mail.xn--bcher-kva.example'],
  ])('%s → %s', (input, expected) => {
    expect(parseTarget(input)).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['bad_host.contoso.com', /invalid label "bad_host"/],
    ['-lead.contoso.com', /invalid label "-lead"/],
    ['a..b', /invalid label ""/],
    [`${'a'.repeat(64)}.com`, /longer than 63/],
    [`${'a.'.repeat(127)}com`, /longer than 253/],
    ['host name', /character/],
    ['[mail.contoso.com]', /IPv6/],
    ['999.1.1.1', /neither an IP address nor a host name/],
    ['http://x', /character/],
  ])('rejects %j', (input, message) => {
    expect(() => parseTarget(input)).toThrow(UsageError);
    expect(() => parseTarget(input)).toThrow(message);
  });

  it('names the value in the message', () => {
    expect(() => parseTarget('bad_host')).toThrow('invalid target "bad_host"');
  });
});

describe('resolvers', () => {
  it.each([
    ['127.0.0.1', { host: '127.0.0.1', port: 53 }],
    ['127.0.0.1:5353', { host: '127.0.0.1', port: 5353 }],
    ['::1', { host: '::1', port: 53 }],
    ['[::1]:5353', { host: '::1', port: 5353 }],
  ])('%s', (input, expected) => {
    expect(parseResolver(input)).toEqual(expected);
  });

  it.each(['dns.contoso.com', '127.0.0.1:0', '127.0.0.1:99999', '[::1]:x', ''])('rejects %j', (input) => {
    expect(() => parseResolver(input)).toThrow(UsageError);
  });
});

describe('TLS domains', () => {
  it.each([
    ['*.contoso.com', '*.contoso.com'],
    ['Mail.Contoso.com', 'mail.contoso.com'],
  ])('%s', (input, expected) => expect(parseTlsDomain(input)).toBe(expected));

  it.each([['m*.contoso.com'], ['*.*.contoso.com'], ['mail.*.com'], ['*.com'], ['*'], ['bad_name.com']])('rejects %s', (input) => {
    expect(() => parseTlsDomain(input)).toThrow(UsageError);
  });
});

describe('EHLO names', () => {
  it.each(['mail.contoso.com', '[127.0.0.1]', '[IPv6:::1]'])('accepts %s', (name) => {
    expect(() => parseEhloName(name)).not.toThrow();
  });
  it.each(['a\r\nMAIL FROM:<x>', 'two words', '', 'tab\there'])('rejects %j', (name) => {
    expect(() => parseEhloName(name)).toThrow(/invalid EHLO name/);
  });
});

describe('settings', () => {
  it('defaults as Exchange Online connectors behave', () => {
    const s = resolveSettings('smarthost.contoso.com');
    expect(s).toMatchObject({ port: 25, mx: true, tlsMode: 'certificate-validation', tlsDomain: null, timeoutMs: 10000, warnDays: 30 });
  });

  it('a TLS domain implies domain-validation', () => {
    expect(resolveSettings('a.contoso.com', { tlsDomain: '*.contoso.com' }).tlsMode).toBe('domain-validation');
  });

  it('domain-validation without a TLS domain is an error', () => {
    expect(() => resolveSettings('a.contoso.com', { tlsMode: 'domain-validation' })).toThrow(/needs a TLS domain/);
  });

  it('a TLS domain with another mode is an error', () => {
    expect(() => resolveSettings('a.contoso.com', { tlsMode: 'encryption-only', tlsDomain: 'a.contoso.com' })).toThrow(/applies only/);
  });

  it.each([
    [{ port: 0 }, /invalid port "0"/],
    [{ timeoutMs: -5 }, /invalid timeout \(ms\) "-5"/],
    [{ concurrency: 1.5 }, /invalid concurrency "1.5"/],
    [{ ca: ['not a pem'] }, /no PEM certificate/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveSettings('a.contoso.com', options)).toThrow(message);
  });

  it('needs a target', () => {
    expect(() => resolveSettings([])).toThrow(/no target/);
  });
});
