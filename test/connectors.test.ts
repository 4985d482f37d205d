/**
 * Connector import: realistic `Get-OutboundConnector | ConvertTo-Json` exports, written from
 * the documented shape with every serialization quirk, turned into probe plans.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeExport, domainCovers, parseConnectors, parseFormatList, planConnector, plainConnector, readConnectors } from '../src/verify/connectors.js';
import { UsageError } from '../src/core/options.js';

/** A record as Exchange Online exports it (values invented, shape from the docs). */
function record(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: 'To on-premises',
    Identity: 'To on-premises',
    Enabled: true,
    ConnectorType: 'OnPremises',
    ConnectorSource: 'HybridWizard',
    UseMXRecord: false,
    SmartHosts: ['mail.contoso.test'],
    RecipientDomains: [],
    TlsSettings: 'DomainValidation',
    TlsDomain: '*.contoso.test',
    IsTransportRuleScoped: false,
    RouteAllMessagesViaOnPremises: false,
    CloudServicesMailEnabled: true,
    MtaStsMode: 'Opportunistic',
    SmtpDaneMode: 'Opportunistic',
    ValidationRecipients: [],
    IsValidated: false,
    LastValidationTimestamp: '2026-07-24T18:59:12.0000000',
    WhenChangedUTC: '2026-07-24T19:01:54.0000000Z',
    IsValid: true,
    ...extra,
  };
}

const parse = (value: unknown) => parseConnectors(JSON.stringify(value), 'connectors.json');

describe('import', () => {
  it('reads a single object (one connector: ConvertTo-Json drops the array)', () => {
    const [c, ...rest] = parse(record());
    expect(rest).toEqual([]);
    expect(c).toMatchObject({
      name: 'To on-premises',
      identity: 'To on-premises',
      enabled: true,
      connectorType: 'OnPremises',
      useMxRecord: false,
      smartHosts: ['mail.contoso.test'],
      tlsMode: 'domain-validation',
      tlsDomain: '*.contoso.test',
      isValidated: false,
      // no Z: read as UTC, which is how Exchange stores it
      lastValidationTimestamp: '2026-07-24T18:59:12.000Z',
      whenChangedUtc: '2026-07-24T19:01:54.000Z',
    });
    // fields the docs do not list are kept, not rejected
    expect(c?.extra).toMatchObject({ MtaStsMode: 'Opportunistic', SmtpDaneMode: 'Opportunistic', ConnectorSource: 'HybridWizard', IsValid: true });
  });

  it('reads an array, and the { value, Count } wrapper of Windows PowerShell 5.1', () => {
    const two = [record(), record({ Name: 'To partner', Identity: 'To partner', ConnectorType: 'Partner', SmartHosts: ['relay.fabrikam.test'] })];
    expect(parse(two).map((c) => c.name)).toEqual(['To on-premises', 'To partner']);
    expect(parse({ value: two, Count: 2 }).map((c) => c.connectorType)).toEqual(['OnPremises', 'Partner']);
  });

  it.each([
    ['an array', ['a.contoso.test', 'b.contoso.test']],
    ['a comma-joined string', 'a.contoso.test, b.contoso.test'],
    ['a pipe-joined string', 'a.contoso.test|b.contoso.test'],
    ['a semicolon-joined string', 'a.contoso.test;b.contoso.test'],
    ['SmartHost objects', [{ Domain: { Domain: 'a.contoso.test' }, IsIPAddress: false, Address: null }, { Domain: 'b.contoso.test' }]],
  ])('SmartHosts as %s', (_what, smartHosts) => {
    expect(parse(record({ SmartHosts: smartHosts }))[0]?.smartHosts).toEqual(['a.contoso.test', 'b.contoso.test']);
  });

  it('SmartHosts: a single element that lost its brackets, an IP address, upper case, duplicates', () => {
    expect(parse(record({ SmartHosts: 'MAIL.Contoso.test' }))[0]?.smartHosts).toEqual(['mail.contoso.test']);
    expect(parse(record({ SmartHosts: ['192.0.2.25', '[2001:db8::25]', '192.0.2.25'] }))[0]?.smartHosts).toEqual(['192.0.2.25', '2001:db8::25']);
    expect(parse(record({ SmartHosts: null, SmartHostsString: 'x.contoso.test,y.contoso.test' }))[0]?.smartHosts).toEqual(['x.contoso.test', 'y.contoso.test']);
  });

  it.each([
    [null, 'opportunistic'],
    ['EncryptionOnly', 'encryption-only'],
    ['CertificateValidation', 'certificate-validation'],
    ['DomainValidation', 'domain-validation'],
    ['certificatevalidation', 'certificate-validation'],
    // integers, as older PowerShell writes enums (TlsAuthLevel in declaration order)
    [0, 'encryption-only'],
    [1, 'certificate-validation'],
    [2, 'domain-validation'],
    ['2', 'domain-validation'],
  ])('TlsSettings %j → %s', (tls, mode) => {
    expect(parse(record({ TlsSettings: tls }))[0]?.tlsMode).toBe(mode);
  });

  it.each([
    ['OnPremises', 'OnPremises'],
    ['Partner', 'Partner'],
    [0, 'OnPremises'],
    [1, 'Partner'],
    [null, null],
  ])('ConnectorType %j → %s', (type, want) => {
    expect(parse(record({ ConnectorType: type }))[0]?.connectorType).toBe(want);
  });

  it('booleans as strings, timestamps in every PowerShell form, null everywhere', () => {
    const [c] = parse(
      record({ Enabled: 'False', UseMXRecord: null, IsValidated: 'True', LastValidationTimestamp: '/Date(1690224000000)/', WhenChangedUTC: null, RecipientDomains: null, TlsDomain: null, TlsSettings: null }),
    );
    expect(c).toMatchObject({ enabled: false, useMxRecord: false, isValidated: true, lastValidationTimestamp: '2023-07-24T18:40:00.000Z', whenChangedUtc: null, recipientDomains: [], tlsDomain: null, tlsMode: 'opportunistic' });
    // UseMXRecord null and no smart hosts: the connector uses MX, as Exchange's default
    expect(parse(record({ UseMXRecord: null, SmartHosts: [] }))[0]?.useMxRecord).toBe(true);
  });

  it('RecipientDomains as strings and as SmtpDomainWithSubdomains objects', () => {
    const [c] = parse(record({ UseMXRecord: true, SmartHosts: [], RecipientDomains: ['contoso.test', { Domain: 'fabrikam.test', IncludeSubDomains: true }, '*', 'Tailspin.test'] }));
    expect(c?.recipientDomains).toEqual(['contoso.test', '*.fabrikam.test', '*', 'tailspin.test']);
  });

  it('reads UTF-16 with a BOM, as Windows PowerShell `>` writes, and UTF-8 with a BOM', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfp-conn-'));
    const utf16 = join(dir, 'utf16.json');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify([record()]), 'utf16le')]));
    expect(readConnectors(utf16).map((c) => c.name)).toEqual(['To on-premises']);
    const utf8 = join(dir, 'utf8.json');
    writeFileSync(utf8, `\ufeff${JSON.stringify(record())}`);
    expect(readConnectors(utf8)[0]?.smartHosts).toEqual(['mail.contoso.test']);
  });
});

describe('a bad export is one clear error naming the file and what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfp-bad-'));
  const write = (name: string, content: string): string => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  it.each([
    ['missing.json', null, /^cannot read connectors file ".*missing\.json": ENOENT$/],
    ['empty.json', '', /^invalid connectors file ".*empty\.json": it is empty$/],
    // `Name : value` text is Format-List output now (describe 'Format-List' below); prose is neither.
    ['text.json', 'hello, these are my connectors', /^invalid connectors file ".*text\.json": neither JSON nor Format-List output \(no "Name : value" lines\); export with Get-OutboundConnector \| ConvertTo-Json -Depth 5 > connectors\.json, or Get-OutboundConnector \| Format-List > connectors\.txt$/],
    ['list.txt', 'Identity : x\nMailbox  : y', /^invalid connectors file ".*list\.txt": no connector in it: expected the output of Get-OutboundConnector .*Format-List > connectors\.txt$/],
    ['truncated.json', JSON.stringify([record(), record()]).slice(0, 700), /^invalid connectors file ".*truncated\.json": not JSON \(.*\); export with Get-OutboundConnector \| ConvertTo-Json -Depth 5/],
    ['list.json', '[]', /^invalid connectors file ".*list\.json": no connector in it \(an empty list\)$/],
    ['other.json', JSON.stringify({ Name: 'x', Mailbox: 'y' }), /^invalid connectors file ".*other\.json": no connector in it: expected the output of Get-OutboundConnector/],
    ['mixed.json', JSON.stringify([record(), { Identity: 'x' }]), /^invalid connectors file ".*mixed\.json": item #2 is not a connector/],
    ['tls.json', JSON.stringify(record({ TlsSettings: 'Mandatory' })), /connector "To on-premises" \(#1\): TlsSettings: "Mandatory" is not EncryptionOnly/],
    ['int.json', JSON.stringify(record({ TlsSettings: 7 })), /TlsSettings: TlsSettings is 7, which is not a known value/],
    ['host.json', JSON.stringify(record({ SmartHosts: ['mail contoso.test'] })), /connector "To on-premises" \(#1\): SmartHosts: invalid target "mail contoso\.test"/],
    ['enabled.json', JSON.stringify(record({ Enabled: 'yes' })), /Enabled: Enabled is "yes", not true or false/],
    ['time.json', JSON.stringify(record({ WhenChangedUTC: 'yesterday' })), /WhenChangedUTC: WhenChangedUTC is "yesterday", not a timestamp/],
  ])('%s', (name, content, message) => {
    const file = content === null ? join(dir, name) : write(name, content);
    let error: unknown;
    try {
      readConnectors(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
  });
});

describe('plans', () => {
  const one = (extra: Record<string, unknown>, samples: string[] = []) => {
    const [c] = parse(record(extra));
    return planConnector(c!, samples);
  };

  it('smart hosts under the connector TLS settings', () => {
    expect(one({ SmartHosts: 'a.contoso.test,b.contoso.test' })).toMatchObject({
      action: 'probe',
      route: 'smart-host',
      targets: ['a.contoso.test', 'b.contoso.test'],
      tlsMode: 'domain-validation',
      tlsDomain: '*.contoso.test',
      unresolved: [],
    });
    const opportunistic = one({ TlsSettings: null, TlsDomain: 'mail.contoso.test' });
    expect(opportunistic).toMatchObject({ action: 'probe', tlsMode: 'opportunistic', tlsDomain: null });
    expect(opportunistic.notes.join(' ')).toMatch(/TlsDomain mail\.contoso\.test is ignored/);
    expect(opportunistic.notes.join(' ')).toMatch(/opportunistic TLS/);
  });

  it('a disabled connector is skipped', () => {
    expect(one({ Enabled: false })).toMatchObject({ action: 'skip', reason: 'the connector is disabled (Enabled: false)', targets: [] });
  });

  it('UseMXRecord: the recipient domains; a wildcard asks for a sample domain and says so', () => {
    const mx = { UseMXRecord: true, SmartHosts: null, TlsSettings: 'CertificateValidation' };
    expect(one({ ...mx, RecipientDomains: ['fabrikam.test', 'tailspin.test'] })).toMatchObject({ action: 'probe', route: 'mx', targets: ['fabrikam.test', 'tailspin.test'] });
    const star = one({ ...mx, RecipientDomains: '*' });
    expect(star).toMatchObject({ action: 'needs-domain', unresolved: ['*'], targets: [] });
    expect(star.reason).toBe('UseMXRecord with *: a wildcard names no MX to look up; give a sample recipient domain with --recipient-domain');
    const sub = one({ ...mx, RecipientDomains: ['*.contoso.test', 'fabrikam.test'] });
    expect(sub).toMatchObject({ action: 'probe', targets: ['fabrikam.test'], unresolved: ['*.contoso.test'] });
    expect(sub.notes).toContain('*.contoso.test is not verified: a wildcard names no MX to look up; give a domain under contoso.test with --recipient-domain');
    // a sample stands in for the wildcard it falls under, and only that one
    expect(one({ ...mx, RecipientDomains: ['*.contoso.test'] }, ['eu.contoso.test', 'other.test'])).toMatchObject({ action: 'probe', targets: ['eu.contoso.test'], unresolved: [] });
    expect(one({ ...mx, RecipientDomains: [], IsTransportRuleScoped: true }, ['any.test'])).toMatchObject({ action: 'probe', targets: ['any.test'] });
  });

  it('a connector Exchange Online could not use is invalid, with the reason', () => {
    expect(one({ TlsDomain: null })).toMatchObject({ action: 'invalid', reason: 'TlsSettings is DomainValidation but TlsDomain is empty: Exchange Online has no name to check' });
    expect(one({ SmartHosts: [], UseMXRecord: false })).toMatchObject({ action: 'invalid', reason: 'UseMXRecord is false but SmartHosts is empty: the connector has nowhere to send' });
  });

  it.each([
    ['*', 'anything.test', true],
    ['*.contoso.test', 'contoso.test', true],
    ['*.contoso.test', 'a.b.contoso.test', true],
    ['*.contoso.test', 'notcontoso.test', false],
    ['contoso.test', 'a.contoso.test', false],
  ])('domainCovers(%s, %s) = %s', (pattern, domain, want) => {
    expect(domainCovers(pattern, domain)).toBe(want);
  });
});

/** `Get-OutboundConnector | Format-List` as a console writes it: padded names, wrapped values, localized dates. */
const FORMAT_LIST = [
  '',
  '',
  'RunspaceId                    : 0f4a1d5e-2c3b-4a5d-9e8f-112233445566',
  'Enabled                       : True',
  'UseMXRecord                   : False',
  'Comment                       : Mail for the on-premises servers, set up by the',
  '                                hybrid wizard',
  'ConnectorType                 : OnPremises',
  'ConnectorSource               : HybridWizard',
  'RecipientDomains              : {}',
  'SmartHosts                    : {mail1.contoso.test, mail2.contoso.test, mail3.contoso.test,',
  '                                mail4.contoso.test}',
  'TlsDomain                     : *.contoso.test',
  'TlsSettings                   : DomainValidation',
  'IsTransportRuleScoped         : False',
  'IsValidated                   : True',
  'LastValidationTimestamp       : 24.07.2026 18:59:12',
  'WhenChangedUTC                : 7/24/2026 7:01:54 PM',
  'Identity                      : To on-premises',
  'Name                          : To on-premises',
  '',
  'Enabled                       : False',
  'UseMXRecord                   : True',
  'ConnectorType                 : Partner',
  'RecipientDomains              : {fabrikam.test, *.tailspin.test}',
  'SmartHosts                    : {}',
  'TlsDomain                     :',
  'TlsSettings                   :',
  'IsTransportRuleScoped         : False',
  'Identity                      : To partners',
  'Name                          : To partners',
  '',
  '',
].join('\r\n');

describe('Format-List', () => {
  it('reads records, padded names, wrapped lists, True/False, empty values and localized dates as text', () => {
    const [a, b, ...rest] = parseConnectors(FORMAT_LIST, 'connectors.txt');
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      index: 0,
      name: 'To on-premises',
      identity: 'To on-premises',
      enabled: true,
      connectorType: 'OnPremises',
      useMxRecord: false,
      smartHosts: ['mail1.contoso.test', 'mail2.contoso.test', 'mail3.contoso.test', 'mail4.contoso.test'],
      recipientDomains: [],
      tlsMode: 'domain-validation',
      tlsDomain: '*.contoso.test',
      isTransportRuleScoped: false,
      isValidated: true,
      lastValidationTimestamp: null,
      whenChangedUtc: null,
    });
    // The locale of a date is unknown: kept as the export wrote it, beside the other fields.
    expect(a?.extra).toMatchObject({
      LastValidationTimestampText: '24.07.2026 18:59:12',
      WhenChangedUTCText: '7/24/2026 7:01:54 PM',
      ConnectorSource: 'HybridWizard',
      Comment: 'Mail for the on-premises servers, set up by thehybrid wizard',
    });
    expect(b).toMatchObject({
      index: 1,
      name: 'To partners',
      enabled: false,
      connectorType: 'Partner',
      useMxRecord: true,
      smartHosts: [],
      recipientDomains: ['fabrikam.test', '*.tailspin.test'],
      tlsMode: 'opportunistic',
      tlsDomain: null,
    });
    expect(planConnector(a as NonNullable<typeof a>)).toMatchObject({ action: 'probe', targets: ['mail1.contoso.test', 'mail2.contoso.test', 'mail3.contoso.test', 'mail4.contoso.test'] });
  });

  it('reads the same connectors from Format-List as from JSON, and UTF-16 files as PowerShell writes them', () => {
    const fromJson = parse([
      record({ SmartHosts: ['mail.contoso.test'], LastValidationTimestamp: null, WhenChangedUTC: null, ConnectorSource: undefined, RouteAllMessagesViaOnPremises: undefined, CloudServicesMailEnabled: undefined, MtaStsMode: undefined, SmtpDaneMode: undefined, ValidationRecipients: undefined, IsValid: undefined }),
    ]);
    const text = ['Name : To on-premises', 'Identity : To on-premises', 'Enabled : True', 'ConnectorType : OnPremises', 'UseMXRecord : False', 'SmartHosts : {mail.contoso.test}', 'RecipientDomains : {}', 'TlsSettings : DomainValidation', 'TlsDomain : *.contoso.test', 'IsTransportRuleScoped : False', 'IsValidated : False', 'LastValidationTimestamp :', 'WhenChangedUTC :'].join('\n');
    const { extra: _a, ...json } = fromJson[0] as NonNullable<(typeof fromJson)[0]>;
    const file = join(mkdtempSync(join(tmpdir(), 'mfp-fl-')), 'connectors.txt');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const { extra: _b, ...listed } = readConnectors(file)[0] as NonNullable<(typeof fromJson)[0]>;
    expect(listed).toEqual(json);
  });

  it('keeps ISO dates as timestamps, and says which connector holds a bad value', () => {
    expect(parseFormatList('Name : x\nWhenChangedUTC : 2026-07-24T19:01:54Z')).toEqual([{ Name: 'x', WhenChangedUTC: '2026-07-24T19:01:54Z' }]);
    expect(parseFormatList('no keys here\n  at all')).toBeNull();
    expect(() => parseConnectors('Name : To on-premises\nSmartHosts : {mail contoso.test}', 'connectors.txt')).toThrow(
      /^invalid connectors file "connectors\.txt": connector "To on-premises" \(#1\): SmartHosts: invalid target "mail contoso\.test"/,
    );
    expect(() => parseConnectors('Name : To on-premises\nTlsSettings : Mandatory', 'connectors.txt')).toThrow(/TlsSettings: "Mandatory" is not EncryptionOnly/);
  });
});

// Issue 20: what mutation testing found unasserted in the import (docs/mutation.md).
describe('import, exactly', () => {
  const error = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('no error');
  };

  it('a joined list is cut and each piece trimmed: a blank piece after a separator is no host, a wildcard after a space keeps its *.', () => {
    expect(parse(record({ SmartHosts: 'a.contoso.test, ; b.contoso.test |  ' }))[0]?.smartHosts).toEqual(['a.contoso.test', 'b.contoso.test']);
    expect(parse(record({ SmartHosts: ['a.contoso.test', '  b.contoso.test  '] }))[0]?.smartHosts).toEqual(['a.contoso.test', 'b.contoso.test']);
    expect(parse(record({ RecipientDomains: 'contoso.test, *.Fabrikam.test' }))[0]?.recipientDomains).toEqual(['contoso.test', '*.fabrikam.test']);
  });

  it('every field it interprets stays out of extra; the rest is kept as exported', () => {
    expect(Object.keys(parse(record())[0]!.extra).sort()).toEqual([
      'CloudServicesMailEnabled',
      'ConnectorSource',
      'IsValid',
      'MtaStsMode',
      'RouteAllMessagesViaOnPremises',
      'SmtpDaneMode',
      'ValidationRecipients',
    ]);
    expect(Object.keys(parse({ Name: 'x', SmartHostsString: 'a.contoso.test', smarthosts: null })[0]!.extra)).toEqual([]);
  });

  it.each(['SmartHostsString', 'UseMXRecord', 'RecipientDomains', 'ConnectorType'])('an object with a Name and %s is a connector', (field) => {
    const value = { SmartHostsString: 'a.contoso.test', UseMXRecord: true, RecipientDomains: ['contoso.test'], ConnectorType: 'Partner' }[field];
    expect(parse({ Name: 'x', [field]: value }).map((c) => c.name)).toEqual(['x']);
  });

  it('names and identities: trimmed; a missing or blank identity is the name; a number is text; a Name that is no text is no connector', () => {
    expect(parse(record({ Name: '  To on-premises  ', Identity: undefined }))[0]).toMatchObject({ name: 'To on-premises', identity: 'To on-premises' });
    expect(parse(record({ Identity: '   ' }))[0]!.identity).toBe('To on-premises');
    expect(parse(record({ Identity: ' x\\y ' }))[0]!.identity).toBe('x\\y');
    expect(parse(record({ Identity: 42 }))[0]!.identity).toBe('42');
    expect(error(() => parse({ Name: 5, SmartHosts: ['a.contoso.test'] }))).toMatch(/^invalid connectors file "connectors\.json": no connector in it: expected the output/);
  });

  it('booleans: true/false/$true/$false/0/1 in any case and spacing; empty is the default; anything else names the field', () => {
    const enabled = (v: unknown) => parse(record({ Enabled: v }))[0]!.enabled;
    expect([' $True ', '$false', ' 1 ', '0', 1, 0, '', null].map(enabled)).toEqual([true, false, true, false, true, false, true, true]);
    expect(parse(record({ IsTransportRuleScoped: 'true' }))[0]!.isTransportRuleScoped).toBe(true);
    expect(parse(record({ IsTransportRuleScoped: undefined }))[0]!.isTransportRuleScoped).toBe(false);
    for (const [field, bad] of [
      ['Enabled', 'truex'],
      ['Enabled', 'xtrue'],
      ['Enabled', 2],
      ['IsTransportRuleScoped', 'maybe'],
      ['IsValidated', 'maybe'],
      ['UseMXRecord', 'maybe'],
    ] as const) {
      expect(error(() => parse(record({ [field]: bad })))).toBe(`invalid connectors file "connectors.json": connector "To on-premises" (#1): ${field}: ${field} is ${JSON.stringify(bad)}, not true or false`);
    }
  });

  it('lists: null items and empty pieces are dropped, pieces trimmed; an object without a name names the field', () => {
    expect(parse(record({ SmartHosts: [null, ' a.contoso.test ,, b.contoso.test '] }))[0]!.smartHosts).toEqual(['a.contoso.test', 'b.contoso.test']);
    expect(parse(record({ SmartHosts: [{ Address: '127.0.0.25' }] }))[0]!.smartHosts).toEqual(['127.0.0.25']);
    expect(parse(record({ SmartHosts: ['[::1]'] }))[0]!.smartHosts).toEqual(['::1']);
    expect(error(() => parse(record({ SmartHosts: ['x[::1]'] })))).toMatch(/SmartHosts: invalid target "x\[::1\]"/);
    expect(error(() => parse(record({ SmartHosts: [{ Domain: null }] })))).toBe(
      'invalid connectors file "connectors.json": connector "To on-premises" (#1): SmartHosts: SmartHosts holds {"Domain":null}, not a host or domain',
    );
    expect(parse(record({ UseMXRecord: true, RecipientDomains: [{ Domain: '*.contoso.test', IncludeSubDomains: true }, 'Contoso.test', 'contoso.test'] }))[0]!.recipientDomains).toEqual([
      '*.contoso.test',
      'contoso.test',
    ]);
    expect(error(() => parse(record({ RecipientDomains: ['bad domain'] })))).toMatch(/\(#1\): RecipientDomains: invalid target "bad domain"/);
  });

  it('enums: trimmed names, digits with spaces, the { value, Value } object; others name the field', () => {
    expect(parse(record({ TlsSettings: ' DomainValidation ' }))[0]!.tlsMode).toBe('domain-validation');
    expect(parse(record({ TlsSettings: ' 2 ' }))[0]!.tlsMode).toBe('domain-validation');
    expect(parse(record({ TlsSettings: { value: 1, Value: 'CertificateValidation' } }))[0]!.tlsMode).toBe('certificate-validation');
    expect(parse(record({ TlsSettings: '' }))[0]!.tlsMode).toBe('opportunistic');
    expect(parse(record({ ConnectorType: '' }))[0]!.connectorType).toBe(null);
    const prefix = 'invalid connectors file "connectors.json": connector "To on-premises" (#1): ';
    expect(error(() => parse(record({ TlsSettings: '12' })))).toBe(`${prefix}TlsSettings: TlsSettings is 12, which is not a known value`);
    expect(error(() => parse(record({ TlsSettings: '2x' })))).toBe(`${prefix}TlsSettings: "2x" is not EncryptionOnly, CertificateValidation, DomainValidation or null`);
    expect(error(() => parse(record({ TlsSettings: true })))).toBe(`${prefix}TlsSettings: TlsSettings is true`);
    expect(error(() => parse(record({ ConnectorType: 5 })))).toBe(`${prefix}ConnectorType: ConnectorType is 5, which is not a known value`);
    expect(error(() => parse(record({ ConnectorType: 'Hybrid' })))).toBe(`${prefix}ConnectorType: "Hybrid" is not OnPremises or Partner`);
    expect(error(() => parse(record({ TlsDomain: 'bad domain' })))).toMatch(/^invalid connectors file "connectors\.json": connector "To on-premises" \(#1\): TlsDomain: /);
  });

  it.each([
    ['', null],
    [' /Date(1690224000000)/ ', '2023-07-24T18:40:00.000Z'],
    ['/Date(1690224000000+0200)/', '2023-07-24T18:40:00.000Z'],
    ['2026-07-24T18:59:12.1234567Z', '2026-07-24T18:59:12.123Z'],
    ['2026-07-24T18:59:12.5Z', '2026-07-24T18:59:12.500Z'],
    ['2026-07-24T18:59:12+02:00', '2026-07-24T16:59:12.000Z'],
    [' 2026-07-24T18:59:12 ', '2026-07-24T18:59:12.000Z'],
  ])('timestamp %j → %s', (value, want) => {
    expect(parse(record({ LastValidationTimestamp: value }))[0]!.lastValidationTimestamp).toBe(want);
  });

  it.each(['x/Date(1)/', '/Date(1)/x', '/Date(1+2)/', 'x2026-07-24T18:59:12Z', '2026-07-24T18:59:12Zx', '2026-07-24T18:59:12+2:00', '2026-13-45T18:59:12Z'])(
    'timestamp %j is refused, naming the field',
    (value) => {
      expect(error(() => parse(record({ LastValidationTimestamp: value })))).toBe(
        `invalid connectors file "connectors.json": connector "To on-premises" (#1): LastValidationTimestamp: LastValidationTimestamp is ${JSON.stringify(value)}, not a timestamp`,
      );
    },
  );

  it('the file: whitespace around JSON, null, a { value } that is no list, nulls in the list, items that are not objects', () => {
    expect(parse(record()).length).toBe(1);
    expect(parseConnectors(`\n   ${JSON.stringify([record()])}`, 'c.json').length).toBe(1);
    expect(error(() => parseConnectors('   \n ', 'c.json'))).toBe('invalid connectors file "c.json": it is empty');
    expect(error(() => parseConnectors('[null]', 'c.json'))).toBe('invalid connectors file "c.json": no connector in it (an empty list)');
    expect(error(() => parse({ value: null, Count: 0 }))).toMatch(/^invalid connectors file "connectors\.json": no connector in it: expected the output/);
    expect(parse([record(), null]).length).toBe(1);
    expect(parse(record({ Value: [1, 2] }))[0]!.extra).toMatchObject({ Value: [1, 2] });
    expect(error(() => parse([record(), 'x']))).toBe('invalid connectors file "connectors.json": item #2 is not a connector (it has no Name with SmartHosts, UseMXRecord or TlsSettings)');
    expect(error(() => parse([record(), [record()]]))).toMatch(/item #2 is not a connector/);
    expect(error(() => parse([{ Identity: 'x' }, record()]))).toMatch(/item #1 is not a connector/);
    expect(error(() => parse([{ Identity: 'x' }, { Identity: 'y' }]))).toMatch(/no connector in it: expected the output of Get-OutboundConnector/);
  });

  it('at most 10 000 connectors', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ Name: `c${i}`, SmartHosts: ['a.contoso.test'] }));
    expect(parse(many(10_000)).length).toBe(10_000);
    expect(error(() => parse(many(10_001)))).toBe('invalid connectors file "connectors.json": 10001 connectors, more than the limit of 10000');
  });

  it('at most 1000 smart hosts, as a list or joined in one string', () => {
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.contoso.test`);
    expect(parse(record({ SmartHosts: hosts(1000) }))[0]!.smartHosts.length).toBe(1000);
    const message = 'invalid connectors file "connectors.json": connector "To on-premises" (#1): SmartHosts: 1001 smart hosts, more than the limit of 1000';
    expect(error(() => parse(record({ SmartHosts: hosts(1001) })))).toBe(message);
    expect(error(() => parse(record({ SmartHosts: hosts(1001).join(',') })))).toBe(message);
  });

  it('the last edges: a boolean identity, an enum that only ends in digits, a number as a timestamp, text after brackets, a bad domain object', () => {
    const prefix = 'invalid connectors file "connectors.json": connector "To on-premises" (#1): ';
    expect(parse(record({ Identity: true }))[0]!.identity).toBe('To on-premises');
    expect(error(() => parse(record({ TlsSettings: 'x2' })))).toBe(`${prefix}TlsSettings: "x2" is not EncryptionOnly, CertificateValidation, DomainValidation or null`);
    expect(error(() => parse(record({ LastValidationTimestamp: 5 })))).toBe(`${prefix}LastValidationTimestamp: LastValidationTimestamp is 5, not a timestamp`);
    expect(error(() => parse(record({ SmartHosts: ['[::1]x'] })))).toMatch(/SmartHosts: invalid target "\[::1\]x"/);
    expect(error(() => parse(record({ RecipientDomains: [{ Domain: null }] })))).toBe(`${prefix}RecipientDomains: RecipientDomains holds {"Domain":null}, not a host or domain`);
    expect(parseFormatList('Name : a\nTlsDomain :')).toEqual([{ Name: 'a', TlsDomain: null }]);
    expect(planConnector(parse(record({ Enabled: false }))[0]!).unresolved).toEqual([]);
  });

  it('decodes UTF-16 big-endian with its BOM; two bytes that are no BOM stay UTF-8', () => {
    const be = Buffer.from('[1]', 'utf16le').swap16();
    expect(decodeExport(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe('[1]');
    expect(decodeExport(Buffer.from([0xff, 0x41]))).toBe('\ufffdA');
    expect(decodeExport(Buffer.from([0x41, 0xfe]))).toBe('A\ufffd');
    expect(decodeExport(Buffer.from([0xfe, 0x41]))).toBe('\ufffdA');
    expect(decodeExport(Buffer.from([0x41, 0xff]))).toBe('A\ufffd');
  });
});

describe('Format-List, exactly', () => {
  it('a line of blanks separates records; lines that are no "Key : value" and do not start with a blank are ignored', () => {
    const records = parseFormatList(['Name : a', 'SmartHosts : {x.contoso.test}', '    ', 'Name : b', '#note : x', '----- -----', 'TlsSettings :DomainValidation', 'Comment : first,', '   second'].join('\n'));
    expect(records).toEqual([
      { Name: 'a', SmartHosts: ['x.contoso.test'] },
      { Name: 'b', TlsSettings: 'DomainValidation', Comment: 'first, second' },
    ]);
  });

  it('values: trimmed, True/False exactly, braces exactly, empty list items dropped', () => {
    expect(parseFormatList(['Name : a   ', 'A : Trueish', 'B : xfalse', 'C : x{a}', 'D : {a}x', 'E : {a,, b }', 'F : FALSE'].join('\n'))).toEqual([
      { Name: 'a', A: 'Trueish', B: 'xfalse', C: 'x{a}', D: '{a}x', E: ['a', 'b'], F: false },
    ]);
  });

  it.each(['WhenChanged', 'WhenCreated', 'WhenCreatedUTC'])('%s in a local format is kept as text', (field) => {
    expect(parseFormatList(`Name : a\n${field} : 3/7/2026 6:46:06 PM`)).toEqual([{ Name: 'a', [field]: null, [`${field}Text`]: '3/7/2026 6:46:06 PM' }]);
  });

  it('a date field that is no local date: a boolean stays a boolean; only an ISO or /Date( start is read as a timestamp', () => {
    expect(parseFormatList('Name : a\nWhenChanged : True')).toEqual([{ Name: 'a', WhenChanged: true }]);
    expect(parseFormatList('Name : a\nWhenChangedUTC : x2026-07-24T18:59:12')).toEqual([{ Name: 'a', WhenChangedUTC: null, WhenChangedUTCText: 'x2026-07-24T18:59:12' }]);
    expect(parseFormatList('Name : a\nWhenChangedUTC : 2026-07-24T18:59:1')).toEqual([{ Name: 'a', WhenChangedUTC: null, WhenChangedUTCText: '2026-07-24T18:59:1' }]);
    expect(parseFormatList('Name : a\nWhenChangedUTC : x/Date(1)/')).toEqual([{ Name: 'a', WhenChangedUTC: null, WhenChangedUTCText: 'x/Date(1)/' }]);
  });
});

describe('plans, exactly', () => {
  const plan = (extra: Record<string, unknown>, samples: string[] = []) => planConnector(parse(record(extra))[0]!, samples);
  const mx = { UseMXRecord: true, SmartHosts: null, TlsSettings: 'CertificateValidation', TlsDomain: null };

  it('notes: none for a validating connector without TlsDomain; the ignored TlsDomain; empty RecipientDomains, scoped or not', () => {
    expect(plan({ TlsSettings: 'CertificateValidation', TlsDomain: null }).notes).toEqual([]);
    expect(plan({ TlsSettings: 'EncryptionOnly', TlsDomain: 'mail.contoso.test' }).notes).toEqual([
      'TlsDomain mail.contoso.test is ignored: Exchange Online checks it only with TlsSettings DomainValidation',
    ]);
    expect(plan({ ...mx, RecipientDomains: [] }, ['any.test']).notes).toEqual(['RecipientDomains is empty: samples from --recipient-domain stand in', '*: probed through the sample domain any.test']);
    expect(plan({ ...mx, RecipientDomains: [], IsTransportRuleScoped: true }, ['a.test', 'b.test']).notes).toEqual([
      'the connector is scoped by a transport rule (no RecipientDomains): samples from --recipient-domain stand in',
      '*: probed through the sample domains a.test, b.test',
    ]);
    expect(plan({ ...mx, RecipientDomains: ['contoso.test'] }).notes).toEqual([]);
  });

  it('the plan of a validating connector: no TlsDomain, nothing unresolved; a disabled or invalid one too', () => {
    expect(plan({ TlsSettings: 'CertificateValidation', TlsDomain: 'mail.contoso.test' })).toMatchObject({ tlsDomain: null, unresolved: [], action: 'probe' });
    expect(plan({ Enabled: false })).toMatchObject({ unresolved: [], notes: [] });
    expect(plan({ TlsDomain: null })).toMatchObject({ unresolved: [], targets: [] });
    expect(plan({ SmartHosts: [] })).toMatchObject({ unresolved: [], targets: [] });
  });

  it('several wildcards without samples: each asked for, joined', () => {
    expect(plan({ ...mx, RecipientDomains: ['*.contoso.test', '*.fabrikam.test'] }).reason).toBe(
      'UseMXRecord with *.contoso.test, *.fabrikam.test: a wildcard names no MX to look up; give a domain under contoso.test and a domain under fabrikam.test with --recipient-domain',
    );
  });

  it('domainCovers: a plain pattern covers itself only; a pattern without "*." is no wildcard', () => {
    expect([domainCovers('contoso.test', 'contoso.test'), domainCovers('contoso.test', 'x.contoso.test'), domainCovers('xcontoso.test', 'contoso.test')]).toEqual([true, false, false]);
  });

  it('plain targets are a connector with those smart hosts', () => {
    expect(plainConnector(['MX1.contoso.test', 'mx2.contoso.test'], 'encryption-only', null)).toEqual({
      index: 0,
      name: 'MX1.contoso.test, mx2.contoso.test',
      identity: 'MX1.contoso.test, mx2.contoso.test',
      enabled: true,
      connectorType: null,
      useMxRecord: false,
      smartHosts: ['mx1.contoso.test', 'mx2.contoso.test'],
      recipientDomains: [],
      tlsMode: 'encryption-only',
      tlsDomain: null,
      isTransportRuleScoped: false,
      isValidated: null,
      lastValidationTimestamp: null,
      whenChangedUtc: null,
      extra: {},
    });
  });
});

