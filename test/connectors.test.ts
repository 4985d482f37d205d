/**
 * Connector import: realistic `Get-OutboundConnector | ConvertTo-Json` exports, written from
 * the documented shape with every serialization quirk, turned into probe plans.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { domainCovers, parseConnectors, parseFormatList, planConnector, readConnectors } from '../src/verify/connectors.js';
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
