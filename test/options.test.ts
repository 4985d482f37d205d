import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { M365_RANGES } from '../src/core/m365-ranges.js';
import {
  asciiHostname,
  defaultEhloName,
  HOST_NAME_TTL_MS,
  hostName,
  parseCaPem,
  parseEhloName,
  parseInteger,
  parseOptionValue,
  parsePort,
  parseResolver,
  parseRevocationMode,
  parseSourceAddress,
  parseTarget,
  parseTlsDomain,
  parseTlsMode,
  quote,
  readCaFiles,
  readM365Ranges,
  resolveSettings,
  UsageError,
  type ProbeOptions,
} from '../src/core/options.js';
import { certSet } from './fixtures/index.js';

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

// Issue 20: the tests that kill options.ts's mutants by themselves (its run takes only this file).
describe('the whole message and the whole value (mutation testing)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-options-'));
  const rootPem = certSet().root.cert;
  const otherPem = certSet().valid().cert;

  it('quote keeps 80 characters and cuts the 81st', () => {
    expect(quote('a'.repeat(80))).toBe(`"${'a'.repeat(80)}"`);
    expect(quote('a'.repeat(81))).toBe(`"${'a'.repeat(80)}…"`);
  });

  it.each([
    [' Mail.Contoso.COM. ', { name: 'mail.contoso.com' }],
    ['mail.xn--bcher-kva.example', { name: 'mail.xn--bcher-kva.example' }],
    ['mail.1x.contoso.com', { name: 'mail.1x.contoso.com' }],
    [`${'a'.repeat(63)}.contoso.com`, { name: `${'a'.repeat(63)}.contoso.com` }],
    [`${'a.'.repeat(125)}abc`, { name: `${'a.'.repeat(125)}abc` }],
    ['123', { error: 'is neither an IP address nor a host name' }],
    ['host.12', { error: 'is neither an IP address nor a host name' }],
    ['xn--zz.example', { error: 'is not a valid host name (international names must be valid IDNA)' }],
    ['a\uFFFDb.example', { error: 'is not a valid host name (international names must be valid IDNA)' }],
    [`-${'a'.repeat(62)}.contoso.com`, { error: `has an invalid label "-${'a'.repeat(62)}" (letters, digits and inner hyphens only)` }],
  ])('asciiHostname(%j)', (input, want) => {
    expect(asciiHostname(input)).toEqual(want);
  });

  it.each([
    [' 203.0.113.7 ', '203.0.113.7'],
    [' [::1] ', '::1'],
  ])('parseTarget(%j) → %j', (input, want) => {
    expect(parseTarget(input)).toBe(want);
  });

  it.each([
    ['fe80::1%eth0', 'invalid target "fe80::1%eth0": an IPv6 zone index (%…) names a local link, which Exchange Online cannot reach'],
    ['[fe80::1%eth0]', 'invalid target "[fe80::1%eth0]": an IPv6 zone index (%…) names a local link, which Exchange Online cannot reach'],
    ['[2001:db8::25]:2525', 'invalid target "[2001:db8::25]:2525": give the address or name alone and the port with --port'],
    ['[::1]:25', 'invalid target "[::1]:25": give the address or name alone and the port with --port'],
    ['mail.contoso.com:2525', 'invalid target "mail.contoso.com:2525": give the address or name alone and the port with --port'],
    ['x:y:25', 'invalid target "x:y:25": contains a character a host name cannot have'],
    ['mail.contoso.com:25x', 'invalid target "mail.contoso.com:25x": contains a character a host name cannot have'],
    ['[::1]:25x', 'invalid target "[::1]:25x": contains a character a host name cannot have'],
    ['x[::1]:25', 'invalid target "x[::1]:25": contains a character a host name cannot have'],
    ['a[::1]', 'invalid target "a[::1]": contains a character a host name cannot have'],
    ['[::1]x', 'invalid target "[::1]x": contains a character a host name cannot have'],
    ['[mail.contoso.com]', 'invalid target "[mail.contoso.com]": not an IPv6 address inside the brackets'],
    ['bad_host.contoso.com', 'invalid target "bad_host.contoso.com": has an invalid label "bad_host" (letters, digits and inner hyphens only)'],
  ])('parseTarget(%j) is refused: %s', (input, message) => {
    expect(() => parseTarget(input)).toThrow(new UsageError(message));
  });

  it('parsePort names the port', () => {
    expect(() => parsePort('0')).toThrow(new UsageError('invalid port "0": must be a whole number from 1 to 65535'));
    expect(parsePort(' 65535 ')).toBe(65535);
  });

  it.each([
    [' 127.0.0.1 ', { host: '127.0.0.1', port: 53 }],
    ['[::1]', { host: '::1', port: 53 }],
    ['[::1]:1', { host: '::1', port: 1 }],
  ])('parseResolver(%j)', (input, want) => {
    expect(parseResolver(input)).toEqual(want);
  });

  it.each([
    ['127.0.0.1:0', 'invalid resolver port in "127.0.0.1:0" "0": must be a whole number from 1 to 65535'],
    ['[::1]:x', 'invalid resolver port in "[::1]:x" "x": must be a whole number from 1 to 65535'],
    ['dns.contoso.com', 'invalid resolver "dns.contoso.com": must be an IP address, optionally with :PORT'],
    ['x[::1]:53', 'invalid resolver "x[::1]:53": must be an IP address, optionally with :PORT'],
  ])('parseResolver(%j) is refused', (input, message) => {
    expect(() => parseResolver(input)).toThrow(new UsageError(message));
  });

  it('parseTlsDomain trims before it looks for the wildcard', () => {
    expect(parseTlsDomain(' *.Contoso.COM ')).toBe('*.contoso.com');
  });

  it.each([
    ['m*.contoso.com', 'invalid TLS domain "m*.contoso.com": a wildcard must be the whole first label, as in *.contoso.com'],
    ['bad_name.com', 'invalid TLS domain "bad_name.com": has an invalid label "bad_name" (letters, digits and inner hyphens only)'],
    ['*.com', 'invalid TLS domain "*.com": a wildcard needs at least two labels after it, as in *.contoso.com'],
  ])('parseTlsDomain(%j) is refused', (input, message) => {
    expect(() => parseTlsDomain(input)).toThrow(new UsageError(message));
  });

  it.each([
    ['[127.0.0.1]', '[127.0.0.1]'],
    ['[IPv6:::1]', '[IPv6:::1]'],
    ['[ipv6:::1]', '[ipv6:::1]'],
    ['Probe.Contoso.COM', 'probe.contoso.com'],
    ['X127.0.0.1Y', 'x127.0.0.1y'],
  ])('parseEhloName(%j) → %j', (input, want) => {
    expect(parseEhloName(input)).toBe(want);
  });

  it.each([
    ['', 'invalid EHLO name "": must be one word with no spaces, CR or LF'],
    ['two words', 'invalid EHLO name "two words": must be one word with no spaces, CR or LF'],
    ['[mail.contoso.com]', 'invalid EHLO name "[mail.contoso.com]": is not a valid host name (international names must be valid IDNA)'],
    ['[1IPv6:::1]', 'invalid EHLO name "[1IPv6:::1]": contains a character a host name cannot have'],
    ['bad_name.com', 'invalid EHLO name "bad_name.com": has an invalid label "bad_name" (letters, digits and inner hyphens only)'],
  ])('parseEhloName(%j) is refused', (input, message) => {
    expect(() => parseEhloName(input)).toThrow(new UsageError(message));
  });

  it('a choice names its choices', () => {
    expect(parseTlsMode('opportunistic')).toBe('opportunistic');
    expect(() => parseTlsMode('strict')).toThrow(
      new UsageError('invalid TLS mode "strict": must be one of opportunistic, encryption-only, certificate-validation, domain-validation'),
    );
    expect(parseRevocationMode('hard')).toBe('hard');
    expect(() => parseRevocationMode('never')).toThrow(new UsageError('invalid revocation mode "never": must be one of off, soft, hard'));
  });

  it('parseInteger takes both bounds and trims', () => {
    expect([parseInteger(' 1 ', 'n', 1, 5), parseInteger('5', 'n', 1, 5), parseInteger(3, 'n', 1, 5)]).toEqual([1, 5, 3]);
    expect(() => parseInteger('6', 'n', 1, 5)).toThrow(new UsageError('invalid n "6": must be a whole number from 1 to 5'));
  });

  it('parseInteger given a number reads it as its text would read', () => {
    expect(Object.is(parseInteger(-0, 'n', 0, 5), 0)).toBe(true);
    expect([parseInteger(5.0, 'n', 1, 5), parseInteger(1, 'n', 1, 5)]).toEqual([5, 1]);
    expect(() => parseInteger(2.5, 'n', 1, 5)).toThrow(new UsageError('invalid n "2.5": must be a whole number from 1 to 5'));
    expect(() => parseInteger(6, 'n', 1, 5)).toThrow(new UsageError('invalid n "6": must be a whole number from 1 to 5'));
    expect(() => parseInteger(-1, 'n', -5, 5)).toThrow(new UsageError('invalid n "-1": must be a whole number from -5 to 5'));
    expect(() => parseInteger(Number.NaN, 'n', 1, 5)).toThrow(new UsageError('invalid n "NaN": must be a whole number from 1 to 5'));
  });

  it('parseCaPem returns each certificate block; one that does not parse is refused', () => {
    expect(parseCaPem(`x\n${rootPem}\ny\n${otherPem}`, 'two.pem')).toEqual([rootPem.trim(), otherPem.trim()]);
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    expect(() => parseCaPem(broken, 'bad.pem')).toThrow(new UsageError('invalid CA file "bad.pem": a certificate in it does not parse'));
    // Twice: the second time from the cache of parsed blocks, which keeps no bad one.
    expect(() => parseCaPem(broken, 'bad.pem')).toThrow(new UsageError('invalid CA file "bad.pem": a certificate in it does not parse'));
  });

  it.each([
    ['probe.contoso.com', 'probe.contoso.com'],
    ['Probe.Contoso.com.', 'probe.contoso.com'],
    ['vm', null],
    ['bad_name.contoso.com', null],
  ])('defaultEhloName(%j) → %j', (host, want) => {
    expect(defaultEhloName(host)).toBe(want);
  });

  it('hostName reads the machine\'s name once a minute at most: the same read within it, a new one after', () => {
    const t = performance.now() + 10 * HOST_NAME_TTL_MS; // past any read the suite made before
    let reads = 0;
    const named = (name: string) => () => {
      reads++;
      return name;
    };
    expect(hostName(t, named('mx-a.contoso.test'))).toBe('mx-a.contoso.test');
    expect(hostName(t + HOST_NAME_TTL_MS - 1, named('mx-b.contoso.test'))).toBe('mx-a.contoso.test');
    expect(hostName(t + HOST_NAME_TTL_MS, named('mx-b.contoso.test'))).toBe('mx-b.contoso.test');
    expect(reads).toBe(2);
    // By default, os.hostname() itself.
    expect(hostName(t + 3 * HOST_NAME_TTL_MS)).toBe(os.hostname());
  });

  it('parseSourceAddress takes an address, bracketed or not, in lower case', () => {
    expect([parseSourceAddress(' 127.0.0.2 '), parseSourceAddress('[FE80::1]'), parseSourceAddress('::1')]).toEqual(['127.0.0.2', 'fe80::1', '::1']);
    expect(() => parseSourceAddress('localhost')).toThrow(new UsageError('invalid source address "localhost": must be an IP address of this machine'));
    expect(() => parseSourceAddress('[127.0.0.1')).toThrow(new UsageError('invalid source address "[127.0.0.1": must be an IP address of this machine'));
  });

  it('readM365Ranges reads the file, or names it and why not', () => {
    const file = path.join(dir, 'ranges.txt');
    writeFileSync(file, '127.0.0.0/8\n::1/128\n');
    expect(readM365Ranges(file)).toEqual(['127.0.0.0/8', '::1/128']);
    const missing = path.join(dir, 'missing.txt');
    expect(() => readM365Ranges(missing)).toThrow(new UsageError(`invalid Microsoft 365 ranges file "${missing}": ENOENT`));
  });

  it('readCaFiles reads relative to the base, or names the file it cannot read', () => {
    writeFileSync(path.join(dir, 'root.pem'), rootPem);
    expect(readCaFiles(['root.pem'], dir)).toEqual([rootPem.trim()]);
    expect(readCaFiles([path.join(dir, 'root.pem')])).toEqual([rootPem.trim()]);
    expect(() => readCaFiles(['root.pem'])).toThrow(new UsageError('cannot read CA file "root.pem": ENOENT'));
    expect(() => readCaFiles(['nothing.pem'], dir)).toThrow(new UsageError('cannot read CA file "nothing.pem": ENOENT'));
  });

  it('parseOptionValue checks each kind as the schema says', () => {
    expect(parseOptionValue('port', ' 2525 ')).toBe(2525);
    expect(parseOptionValue('tlsMode', 'opportunistic')).toBe('opportunistic');
    expect(() => parseOptionValue('revocation', 'never')).toThrow(new UsageError('invalid revocation mode "never": must be one of off, soft, hard'));
    expect(parseOptionValue('ca', rootPem)).toEqual([rootPem.trim()]);
    expect(() => parseOptionValue('ca', 'none')).toThrow(new UsageError('invalid CA file "CA file": no PEM certificate in it'));
    expect(parseOptionValue('resolvers', '127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseOptionValue('ehloName', 'Probe.Contoso.com')).toBe('probe.contoso.com');
    expect(parseOptionValue('language', 'pt-BR')).toBe('pt-BR');
    expect(parseOptionValue('mx', false)).toBe(false);
    const filter = (): null => null;
    expect(parseOptionValue('addressFilter', filter)).toBe(filter);
  });

  it('resolveSettings: every default, whole', () => {
    expect(resolveSettings(['A.contoso.com', 'a.contoso.com.', '127.0.0.1'])).toEqual({
      targets: ['a.contoso.com', '127.0.0.1'],
      port: 25,
      mx: true,
      resolvers: [],
      tlsMode: 'certificate-validation',
      tlsDomain: null,
      ca: [],
      ehloName: defaultEhloName(),
      sourceAddress: null,
      restrictedToMicrosoft365: false,
      m365Ranges: M365_RANGES,
      timeoutMs: 10_000,
      deadlineMs: 60_000,
      concurrency: 8,
      warnDays: 30,
      revocation: 'soft',
      policies: true,
      mtaStsPort: null,
    });
  });

  it('resolveSettings: every option given, whole', () => {
    const file = path.join(dir, 'given.txt');
    writeFileSync(file, '127.0.0.0/8\n');
    const options: ProbeOptions = {
      port: 2525,
      mx: false,
      resolvers: ['127.0.0.1:5353'],
      tlsDomain: '*.Contoso.com',
      ca: [rootPem],
      ehloName: 'Probe.Contoso.com',
      sourceAddress: '127.0.0.2',
      restrictedToMicrosoft365: true,
      m365Ranges: file,
      timeoutMs: 1500,
      deadlineMs: 30_000,
      concurrency: 3,
      warnDays: 0,
      revocation: 'hard',
      policies: false,
      mtaStsPort: 8443,
    };
    expect(resolveSettings('mail.contoso.com', options)).toEqual({
      targets: ['mail.contoso.com'],
      port: 2525,
      mx: false,
      resolvers: [{ host: '127.0.0.1', port: 5353 }],
      tlsMode: 'domain-validation',
      tlsDomain: '*.contoso.com',
      ca: [rootPem.trim()],
      ehloName: 'probe.contoso.com',
      sourceAddress: '127.0.0.2',
      restrictedToMicrosoft365: true,
      m365Ranges: ['127.0.0.0/8'],
      timeoutMs: 1500,
      deadlineMs: 30_000,
      concurrency: 3,
      warnDays: 0,
      revocation: 'hard',
      policies: false,
      mtaStsPort: 8443,
    });
  });

  it('a value that is not an option of the module is refused whole (the ca[i] it came from named)', () => {
    expect(() => resolveSettings('a.contoso.com', { ca: [rootPem, 'none'] })).toThrow(new UsageError('invalid CA file "ca[1]": no PEM certificate in it'));
  });

  it('the library takes the right types, and an AbortSignal, a function and a cache by shape', () => {
    const settings = resolveSettings('a.contoso.com', {
      signal: new AbortController().signal,
      addressFilter: () => null,
      revocationCache: { crl: () => null } as unknown as ProbeOptions['revocationCache'],
      tlsDomain: null,
      sourceAddress: null,
      m365Ranges: null,
      port: '2525' as unknown as number,
    });
    expect([settings.port, settings.tlsDomain, settings.sourceAddress, settings.m365Ranges]).toEqual([2525, null, null, M365_RANGES]);
  });

  it.each<[string, unknown, unknown, string]>([
    ['a number target', 5, {}, 'invalid targets "5": give a host name or IP address, or a list of them, as strings'],
    ['a list with a number', ['a.contoso.com', 7], {}, 'invalid targets "7": give a host name or IP address, or a list of them, as strings'],
    ['null options', 'a.contoso.com', null, 'invalid options "null": must be an object'],
    ['a list as options', 'a.contoso.com', [], 'invalid options "": must be an object'],
    ['a string as options', 'a.contoso.com', 'port=25', 'invalid options "port=25": must be an object'],
    ['a misspelt key', 'a.contoso.com', { caFile: ['x'] }, 'unknown option "caFile": did you mean "ca"?'],
    ['a boolean port', 'a.contoso.com', { port: true }, 'invalid port "true": must be a number'],
    ['a string mx', 'a.contoso.com', { mx: 'yes' }, 'invalid mx "yes": must be a boolean'],
    ['a null EHLO name', 'a.contoso.com', { ehloName: null }, 'invalid ehloName "null": must be a string'],
    ['a number TLS mode', 'a.contoso.com', { tlsMode: 3 }, 'invalid tlsMode "3": must be a string'],
    ['a number TLS domain (nullable, but null only)', 'a.contoso.com', { tlsDomain: 5 }, 'invalid tlsDomain "5": must be a string'],
    ['one resolver as a string', 'a.contoso.com', { resolvers: '127.0.0.1' }, 'invalid resolvers "127.0.0.1": must be a list of strings'],
    ['a resolver that is a number', 'a.contoso.com', { resolvers: ['127.0.0.1', 53] }, 'invalid resolvers "53": must be a list of strings'],
    ['a CA as a string', 'a.contoso.com', { ca: 'pem' }, 'invalid ca "pem": must be a list of strings'],
    ['a CA list with a number', 'a.contoso.com', { ca: ['pem', 1] }, 'invalid ca "1": must be a list of strings'],
    ['a signal that is not one', 'a.contoso.com', { signal: {} }, 'invalid signal "[object Object]": must be an AbortSignal'],
    ['a filter that is a string', 'a.contoso.com', { addressFilter: 'x' }, 'invalid addressFilter "x": must be a function'],
    ['a cache without crl()', 'a.contoso.com', { revocationCache: {} }, 'invalid revocationCache "[object Object]": must be a RevocationCache'],
    ['a null cache', 'a.contoso.com', { revocationCache: null }, 'invalid revocationCache "null": must be a RevocationCache'],
    // Two wrong values: the first in the schema's order is named, whatever the keys' order.
    ['a wrong warnDays given before a wrong port', 'a.contoso.com', { warnDays: false, ehloName: 'probe.contoso.com', port: true }, 'invalid port "true": must be a number'],
    ['a wrong value beside an unknown key', 'a.contoso.com', { port: true, caFile: ['x'] }, 'unknown option "caFile": did you mean "ca"?'],
    ['a wrong value inherited', 'a.contoso.com', Object.create({ mx: 'yes' }) as object, 'invalid mx "yes": must be a boolean'],
  ])('%s is refused, named', (_what, targets, options, message) => {
    expect(() => resolveSettings(targets as string, options as ProbeOptions)).toThrow(new UsageError(message));
  });

  it('an unknown option with nothing near lists the known ones', () => {
    expect(() => resolveSettings('a.contoso.com', { frobnicate: 1 } as ProbeOptions)).toThrow(
      new UsageError(
        'unknown option "frobnicate" (known: port, mx, resolvers, tlsMode, tlsDomain, ca, ehloName, sourceAddress, restrictedToMicrosoft365, m365Ranges, timeoutMs, deadlineMs, concurrency, warnDays, revocation, policies, mtaStsPort, language, signal, revocationCache, addressFilter)',
      ),
    );
  });
});

describe('what the second mutation run of options.ts found untested (issue 20)', () => {
  it('a UsageError names itself so (the CLI and the library callers tell it from a crash by it)', () => {
    let error: unknown = null;
    try {
      resolveSettings('', {});
    } catch (err) {
      error = err;
    }
    expect([error instanceof UsageError, (error as Error).name, String(error)]).toEqual([true, 'UsageError', 'UsageError: invalid target "": is empty']);
  });

  it.each([
    ['[::1]x', 'invalid resolver port in "[::1]x" "1]x": must be a whole number from 1 to 65535'],
    ['[::]1', 'invalid resolver port in "[::]1" "]1": must be a whole number from 1 to 65535'],
  ])('parseResolver(%j): a bracketed address must end the text or be followed by :PORT', (input, message) => {
    expect(() => parseResolver(input)).toThrow(new UsageError(message));
  });

  it.each(['[::]1', '1[::]', '[127.0.0.1]1'])('parseSourceAddress(%j): only brackets around the whole address are taken off', (input) => {
    expect(() => parseSourceAddress(input)).toThrow(new UsageError(`invalid source address "${input}": must be an IP address of this machine`));
  });

  it('parseOptionValue hands the library-only values (signal, filter, cache) and booleans back as given', () => {
    const signal = new AbortController().signal;
    const cache = { crl: () => undefined };
    const filter = (): null => null;
    expect([
      parseOptionValue('signal', signal),
      parseOptionValue('revocationCache', cache),
      parseOptionValue('addressFilter', filter),
      parseOptionValue('policies', true),
    ]).toEqual([signal, cache, filter, true]);
    expect(parseOptionValue('signal', signal)).toBe(signal);
    expect(parseOptionValue('revocationCache', cache)).toBe(cache);
  });
});
