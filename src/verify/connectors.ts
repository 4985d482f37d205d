/**
 * Exchange Online outbound connectors, as `Get-OutboundConnector | ConvertTo-Json` or
 * `Get-OutboundConnector | Format-List` exports them, turned into probe plans.
 *
 * The import is forgiving about the shapes PowerShell produces (see EXCHANGE.md) and strict
 * about meaning: a file that cannot be read, is not JSON, or holds no connector is one
 * UsageError naming the file and what is wrong, and then nothing is probed.
 */
import { checkCount, INPUT_LIMITS, readBounded } from '../core/input-limits.js';
import type { TlsMode } from '../../probes/stage.js';
import { UsageError, parseTarget, parseTlsDomain } from '../core/options.js';
import { commandWords } from '../catalog/commands.js';
import type { Language } from '../catalog/index.js';
import { fill } from '../report/text.js';

/** Exchange Online's `ConnectorType`. */
export type ConnectorType = 'OnPremises' | 'Partner';

/** One outbound connector, normalized from whatever shape the export used. */
export interface Connector {
  /** Position in the file (0-based), for messages. */
  index: number;
  name: string;
  identity: string;
  enabled: boolean;
  connectorType: ConnectorType | null;
  useMxRecord: boolean;
  /** Host names (lower-case ASCII) or IP addresses. */
  smartHosts: string[];
  /** Domains, possibly `*` or `*.contoso.com`. */
  recipientDomains: string[];
  /** `TlsSettings`; null in the export means opportunistic. */
  tlsMode: TlsMode;
  tlsDomain: string | null;
  isTransportRuleScoped: boolean;
  isValidated: boolean | null;
  /** ISO 8601 in UTC; a timestamp without a zone is read as UTC (Exchange stores UTC). */
  lastValidationTimestamp: string | null;
  whenChangedUtc: string | null;
  /** Every field we did not interpret (MtaStsMode, SmtpDaneMode, ConnectorSource …), kept as exported. */
  extra: Record<string, unknown>;
}

/**
 * `TlsSettings` (Microsoft.Exchange.Data.TlsAuthLevel) and `ConnectorType`
 * (Microsoft.Exchange.Data.TenantConnectorType) as integers, as older PowerShell writes
 * enums. Microsoft's API reference lists the members (TlsAuthLevel: EncryptionOnly,
 * CertificateValidation, DomainValidation; TenantConnectorType: OnPremises, Partner) but
 * not their values; this table assumes the .NET default of numbering members from 0 in
 * the documented order. It is the only place to change if a real export says otherwise.
 */
export const ENUM_INTEGERS = {
  TlsSettings: { 0: 'EncryptionOnly', 1: 'CertificateValidation', 2: 'DomainValidation' } as Record<number, string>,
  ConnectorType: { 0: 'OnPremises', 1: 'Partner' } as Record<number, string>,
};

const TLS_SETTINGS: Record<string, TlsMode> = {
  encryptiononly: 'encryption-only',
  certificatevalidation: 'certificate-validation',
  domainvalidation: 'domain-validation',
};

/** The fields this import interprets; everything else goes to `extra`. */
const KNOWN = new Set(
  [
    'Name',
    'Identity',
    'Enabled',
    'ConnectorType',
    'UseMXRecord',
    'SmartHosts',
    'SmartHostsString',
    'RecipientDomains',
    'TlsSettings',
    'TlsDomain',
    'IsTransportRuleScoped',
    'IsValidated',
    'LastValidationTimestamp',
    'WhenChangedUTC',
  ].map((k) => k.toLowerCase()),
);

/** Fields only a connector has: an object with a Name and one of these is connector-shaped. */
const SHAPE = ['smarthosts', 'smarthostsstring', 'usemxrecord', 'recipientdomains', 'tlssettings', 'connectortype'];

class Invalid extends Error {}

/** Case-insensitive field access: PowerShell's property names are case-insensitive, hand edits are not careful. */
function fields(record: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number') return String(value);
  return null;
}

function bool(value: unknown, field: string): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string' && /^(true|false|\$true|\$false|0|1)$/i.test(value.trim())) {
    return /^(\$?true|1)$/i.test(value.trim());
  }
  throw new Invalid(`${field} is ${JSON.stringify(value)}, not true or false`);
}

/**
 * A multi-valued field: an array, a single value that lost its brackets, or one string
 * joined with `,` `;` or `|` by an export script. Objects (a SmartHost or
 * SmtpDomainWithSubdomains serialized with its properties) give their address.
 */
function list(value: unknown, field: string): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item): string[] => {
    if (item === null || item === undefined) return [];
    if (typeof item === 'string') return item.split(/[,;|]/).map((s) => s.trim()).filter(Boolean);
    if (typeof item === 'object') {
      const f = fields(item as Record<string, unknown>);
      const domain = f.get('domain');
      const inner = domain && typeof domain === 'object' ? fields(domain as Record<string, unknown>).get('domain') : domain;
      const name = text(f.get('address')) ?? text(inner);
      if (name) return [f.get('includesubdomains') === true && !name.startsWith('*') ? `*.${name}` : name];
    }
    throw new Invalid(`${field} holds ${JSON.stringify(item)}, not a host or domain`);
  });
}

/** An enum as a name (any case) or as an integer (a number or a string of digits). */
function enumName(value: unknown, field: keyof typeof ENUM_INTEGERS): string | null {
  if (value === null || value === undefined || value === '') return null;
  const asNumber = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : null;
  if (asNumber !== null) {
    const name = ENUM_INTEGERS[field][asNumber];
    if (!name) throw new Invalid(`${field} is ${asNumber}, which is not a known value`);
    return name;
  }
  if (typeof value === 'string') return value.trim();
  // ConvertTo-Json of a deserialized enum in some hosts: { "value": 2, "Value": "DomainValidation" }
  if (typeof value === 'object') {
    const f = fields(value as Record<string, unknown>);
    return enumName(f.get('value'), field);
  }
  throw new Invalid(`${field} is ${JSON.stringify(value)}`);
}

/**
 * A timestamp as PowerShell writes it: ISO 8601 with or without `Z` and with seven
 * fractional digits, or Windows PowerShell 5.1's `/Date(1690224000000)/`.
 */
function timestamp(value: unknown, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') {
    const legacy = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value.trim());
    if (legacy) return new Date(Number(legacy[1])).toISOString();
    const iso = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(value.trim());
    if (iso) {
      const millis = iso[2] ? iso[2].slice(0, 4).padEnd(4, '0') : '';
      const date = new Date(`${iso[1]}${millis}${iso[3] ?? 'Z'}`);
      if (!Number.isNaN(date.getTime())) return date.toISOString();
    }
  }
  throw new Invalid(`${field} is ${JSON.stringify(value)}, not a timestamp`);
}

function connectorShaped(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const f = fields(value as Record<string, unknown>);
  return typeof f.get('name') === 'string' && SHAPE.some((k) => f.has(k));
}

function normalize(record: Record<string, unknown>, index: number): Connector {
  const f = fields(record);
  const name = String(f.get('name')).trim();
  const where = (field: string, err: unknown): never => {
    const message = err instanceof Invalid || err instanceof UsageError ? err.message : String(err);
    throw new Invalid(`connector "${name}" (#${index + 1}): ${field}: ${message}`);
  };
  const at = <T>(field: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      return where(field, err);
    }
  };
  const smartHosts = at('SmartHosts', () => {
    const raw = f.has('smarthosts') && f.get('smarthosts') !== null ? f.get('smarthosts') : f.get('smarthostsstring');
    if (Array.isArray(raw)) checkCount(raw.length, INPUT_LIMITS.hostsPerTarget, 'smart hosts');
    const names = list(raw, 'SmartHosts');
    // Counted before each is parsed: 100 000 of them took seconds and a gigabyte and a half.
    checkCount(names.length, INPUT_LIMITS.hostsPerTarget, 'smart hosts');
    return [...new Set(names.map((h) => parseTarget(h.replace(/^\[(.*)\]$/, '$1'))))];
  });
  const recipientDomains = at('RecipientDomains', () =>
    [...new Set(list(f.get('recipientdomains'), 'RecipientDomains').map((d) => d.toLowerCase()))].map((d) => {
      if (d === '*') return d;
      return d.startsWith('*.') ? `*.${parseTarget(d.slice(2))}` : parseTarget(d);
    }),
  );
  const tlsName = at('TlsSettings', () => enumName(f.get('tlssettings'), 'TlsSettings'));
  const tlsMode = tlsName === null ? 'opportunistic' : TLS_SETTINGS[tlsName.toLowerCase()];
  if (!tlsMode) where('TlsSettings', `"${tlsName}" is not EncryptionOnly, CertificateValidation, DomainValidation or null`);
  const tlsDomainText = text(f.get('tlsdomain'));
  const tlsDomain = tlsDomainText === null ? null : at('TlsDomain', () => parseTlsDomain(tlsDomainText));
  const typeName = at('ConnectorType', () => enumName(f.get('connectortype'), 'ConnectorType'));
  const connectorType = typeName === null ? null : (['OnPremises', 'Partner'] as const).find((t) => t.toLowerCase() === typeName.toLowerCase());
  if (typeName !== null && !connectorType) where('ConnectorType', `"${typeName}" is not OnPremises or Partner`);
  const useMx = at('UseMXRecord', () => bool(f.get('usemxrecord'), 'UseMXRecord'));
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!KNOWN.has(key.toLowerCase())) extra[key] = value;
  return {
    index,
    name,
    identity: text(f.get('identity')) ?? name,
    // Get-OutboundConnector's defaults: Enabled true; UseMXRecord true unless smart hosts are set.
    enabled: at('Enabled', () => bool(f.get('enabled'), 'Enabled')) ?? true,
    connectorType: connectorType ?? null,
    useMxRecord: useMx ?? smartHosts.length === 0,
    smartHosts,
    recipientDomains,
    tlsMode: tlsMode as TlsMode,
    tlsDomain,
    isTransportRuleScoped: at('IsTransportRuleScoped', () => bool(f.get('istransportrulescoped'), 'IsTransportRuleScoped')) ?? false,
    isValidated: at('IsValidated', () => bool(f.get('isvalidated'), 'IsValidated')),
    lastValidationTimestamp: at('LastValidationTimestamp', () => timestamp(f.get('lastvalidationtimestamp'), 'LastValidationTimestamp')),
    whenChangedUtc: at('WhenChangedUTC', () => timestamp(f.get('whenchangedutc'), 'WhenChangedUTC')),
    extra,
  };
}

/** Bytes of a file as text: UTF-8 (with or without BOM) or UTF-16 with BOM, as Windows PowerShell's `>` writes. */
export function decodeExport(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The two exports this import reads, named in every message about a file it cannot. */
export const EXPORT_COMMANDS = 'Get-OutboundConnector | ConvertTo-Json -Depth 5 > connectors.json, or Get-OutboundConnector | Format-List > connectors.txt';

/** Fields whose Format-List text is a date in the exporting machine's locale (`3/7/2026 6:46:06 PM`). */
const DATE_FIELDS = new Set(['lastvalidationtimestamp', 'whenchangedutc', 'whenchanged', 'whencreated', 'whencreatedutc']);

/**
 * `Get-OutboundConnector | Format-List`: records separated by blank lines, each line
 * `Name<padding>: value`; a value the console wrapped continues on lines that start with
 * blanks; `{a, b}` is a list, `{}` an empty one, `True`/`False` booleans, an empty value
 * null. A date in the machine's locale cannot be read without knowing the locale: it is
 * kept as text in `<Field>Text` (so in `extra`) and the field itself is null. Returns
 * null when the text has no `Key : value` line at all.
 */
export function parseFormatList(content: string): Record<string, unknown>[] | null {
  const records: Array<Array<[string, string]>> = [];
  let current: Array<[string, string]> | null = null;
  let sawKey = false;
  for (const line of content.split(/\r?\n/)) {
    if (!line.trim()) {
      current = null;
      continue;
    }
    const entry = /^([A-Za-z][\w.-]{0,100}) *: ?(.*)$/.exec(line);
    if (entry && !/^\s/.test(line)) {
      sawKey = true;
      if (!current) records.push((current = []));
      current.push([entry[1] as string, (entry[2] ?? '').trim()]);
      continue;
    }
    const last = current?.at(-1);
    // A wrapped value: list items wrap after their comma (keep one space); words wrap anywhere.
    if (last && /^\s/.test(line)) last[1] = `${last[1]}${last[1].endsWith(',') ? ' ' : ''}${line.trim()}`;
  }
  if (!sawKey) return null;
  return records.map((pairs) => {
    const record: Record<string, unknown> = {};
    for (const [key, raw] of pairs) {
      const value = formatListValue(raw);
      if (DATE_FIELDS.has(key.toLowerCase()) && typeof value === 'string' && !isoLike(value)) {
        record[key] = null;
        record[`${key}Text`] = value;
      } else record[key] = value;
    }
    return record;
  });
}

function formatListValue(raw: string): unknown {
  if (raw === '') return null;
  if (/^(true|false)$/i.test(raw)) return /^true$/i.test(raw);
  const braces = /^\{(.*)\}$/.exec(raw);
  if (braces) return (braces[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}

function isoLike(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(value) || /^\/Date\(/.test(value);
}

/**
 * Parses the text of a connector export, JSON or Format-List. `source` names the file in errors.
 *
 * @example
 * ```ts
 * const connectors = parseConnectors(readFileSync('connectors.json', 'utf8'), 'connectors.json');
 * ```
 */
export function parseConnectors(content: string, source: string): Connector[] {
  const fail = (what: string): never => {
    throw new UsageError(`invalid connectors file "${source}": ${what}`);
  };
  if (!content.trim()) fail('it is empty');
  let data: unknown;
  const trimmed = content.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      data = JSON.parse(content);
    } catch (err) {
      fail(`not JSON (${(err as Error).message}); export with ${EXPORT_COMMANDS}`);
    }
  } else {
    const listed = parseFormatList(content);
    if (!listed) fail(`neither JSON nor Format-List output (no "Name : value" lines); export with ${EXPORT_COMMANDS}`);
    data = listed;
  }
  // Windows PowerShell 5.1 wraps a piped array as { "value": [...], "Count": n }.
  if (data && typeof data === 'object' && !Array.isArray(data) && !connectorShaped(data)) {
    const f = fields(data as Record<string, unknown>);
    if (Array.isArray(f.get('value'))) data = f.get('value');
  }
  const records = (Array.isArray(data) ? data : [data]).filter((r) => r !== null);
  if (!records.length) fail('no connector in it (an empty list)');
  if (records.length > INPUT_LIMITS.targets) fail(`${records.length} connectors, more than the limit of ${INPUT_LIMITS.targets}`);
  const notConnector = records.findIndex((r) => !connectorShaped(r));
  if (notConnector !== -1) {
    fail(
      records.length === 1 || notConnector === 0 && !records.some(connectorShaped)
        ? `no connector in it: expected the output of Get-OutboundConnector (objects with Name and SmartHosts, UseMXRecord or TlsSettings); export with ${EXPORT_COMMANDS}`
        : `item #${notConnector + 1} is not a connector (it has no Name with SmartHosts, UseMXRecord or TlsSettings)`,
    );
  }
  try {
    return (records as Record<string, unknown>[]).map(normalize);
  } catch (err) {
    if (err instanceof Invalid) return fail(err.message);
    throw err;
  }
}

/** Reads and parses a connector export; every problem is one UsageError naming the file. */
export function readConnectors(file: string): Connector[] {
  return parseConnectors(decodeExport(readBounded(file, INPUT_LIMITS.connectorsFileBytes, 'connectors file')), file);
}

/** What verify will do with one connector. */
export type PlanAction = 'probe' | 'skip' | 'needs-domain' | 'invalid';

/** A connector turned into something to probe: targets, route and TLS policy. */
export interface ConnectorPlan {
  connector: Connector;
  action: PlanAction;
  /** Why it is not probed (skip, needs-domain, invalid). */
  reason: string | null;
  /** `smart-host`: the SmartHosts, looked up MX first as Exchange Online does; `mx`: the recipient domains' MX hosts. */
  route: 'smart-host' | 'mx';
  /** What to probe: smart hosts, or recipient domains (each looked up by MX). */
  targets: string[];
  tlsMode: TlsMode;
  tlsDomain: string | null;
  /** Wildcard recipient domains no `--recipient-domain` sample stands in for: not verified. */
  unresolved: string[];
  notes: string[];
  /** Probe options of its own (a scheduled-checks config target: port, resolvers, timeouts …). */
  options?: Omit<import('../core/options.js').ProbeOptions, 'signal'>;
}

/** Does a sample domain fall under a RecipientDomains entry (`*`, `*.contoso.com`, `contoso.com`)? */
export function domainCovers(pattern: string, domain: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) {
    const base = pattern.slice(2);
    return domain === base || domain.endsWith(`.${base}`);
  }
  return pattern === domain;
}

/**
 * The probe plan of one connector. With smart hosts, each smart host (Exchange Online looks
 * it up MX first, then A); with UseMXRecord, the MX hosts of each recipient domain. A
 * wildcard domain (`*`, `*.contoso.com`) names no host: a `--recipient-domain` sample under
 * it stands in, and without one the plan says so.
 */
export function planConnector(connector: Connector, samples: readonly string[] = [], language: Language = 'en'): ConnectorPlan {
  const w = commandWords(language).plan;
  const notes: string[] = [];
  const base = {
    connector,
    tlsMode: connector.tlsMode,
    tlsDomain: connector.tlsMode === 'domain-validation' ? connector.tlsDomain : null,
    unresolved: [] as string[],
    notes,
  };
  if (connector.tlsDomain && connector.tlsMode !== 'domain-validation') {
    notes.push(fill(w.tlsDomainIgnored, { domain: connector.tlsDomain }));
  }
  if (connector.tlsMode === 'opportunistic') notes.push(w.opportunistic);
  const route = connector.useMxRecord ? 'mx' : 'smart-host';
  if (!connector.enabled) return { ...base, action: 'skip', reason: w.disabled, route, targets: [] };
  if (connector.tlsMode === 'domain-validation' && !connector.tlsDomain) {
    return { ...base, action: 'invalid', reason: w.noTlsDomain, route, targets: [] };
  }
  if (!connector.useMxRecord) {
    if (!connector.smartHosts.length) {
      return { ...base, action: 'invalid', reason: w.noSmartHosts, route, targets: [] };
    }
    return { ...base, action: 'probe', reason: null, route, targets: connector.smartHosts };
  }
  const sampleDomains = samples.map((s) => parseTarget(s));
  const targets: string[] = [];
  const unresolved: string[] = [];
  const patterns = connector.recipientDomains.length ? connector.recipientDomains : ['*'];
  if (!connector.recipientDomains.length) {
    notes.push(connector.isTransportRuleScoped ? w.ruleScoped : w.noRecipientDomains);
  }
  for (const pattern of patterns) {
    if (!pattern.startsWith('*')) {
      targets.push(pattern);
      continue;
    }
    const covered = sampleDomains.filter((d) => domainCovers(pattern, d));
    if (covered.length) {
      targets.push(...covered);
      notes.push(fill(covered.length > 1 ? w.sampleMany : w.sampleOne, { pattern, domains: covered.join(', ') }));
    } else {
      unresolved.push(pattern);
    }
  }
  const unique = [...new Set(targets)];
  const ask = (p: string): string => (p === '*' ? w.askAny : fill(w.askUnder, { base: p.slice(2) }));
  if (!unique.length) {
    return {
      ...base,
      unresolved,
      action: 'needs-domain',
      reason: fill(w.needsDomain, { patterns: unresolved.join(', '), ask: unresolved.map(ask).join(w.and) }),
      route,
      targets: [],
    };
  }
  for (const p of unresolved) notes.push(fill(w.notVerified, { pattern: p, ask: ask(p) }));
  return { ...base, unresolved, action: 'probe', reason: null, route, targets: unique };
}

/**
 * Plain targets from the command line, planned the same way as a connector with those
 * smart hosts and that TLS setting.
 */
export function plainConnector(targets: readonly string[], tlsMode: TlsMode, tlsDomain: string | null): Connector {
  return {
    index: 0,
    name: targets.join(', '),
    identity: targets.join(', '),
    enabled: true,
    connectorType: null,
    useMxRecord: false,
    smartHosts: targets.map((t) => parseTarget(t)),
    recipientDomains: [],
    tlsMode,
    tlsDomain,
    isTransportRuleScoped: false,
    isValidated: null,
    lastValidationTimestamp: null,
    whenChangedUtc: null,
    extra: {},
  };
}
