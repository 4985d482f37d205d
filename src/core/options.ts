import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { domainToASCII, domainToUnicode } from 'node:url';
import type { RevocationMode } from '../../probes/revocation-modes.js';
import type { ResolverAddress, TlsMode } from '../../probes/stage.js';
import { M365_RANGES, readRanges } from './m365-ranges.js';
import { OPTIONS, optionSpec, suggestKey, type OptionKey, type OptionSpec } from './option-schema.js';
import type { RevocationCache } from '../../probes/revocation-cache.js';
import { BoundedCache, CACHE_BOUNDS } from '../../probes/caches.js';

/** Bad input from a user or a library caller: the message names the value. Exit 3. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The library's options; every one optional. The CLI's flags map onto these. */
export interface ProbeOptions {
  /** TCP port; connectors always use 25. */
  port?: number;
  /** Look up MX first, as Exchange Online does for a smart host (default true). */
  mx?: boolean;
  /** DNS servers to ask, `HOST` or `HOST:PORT` (`[v6]:PORT`); default: the system's. */
  resolvers?: readonly string[];
  tlsMode?: TlsMode;
  /** For domain-validation: the name the certificate must carry (`*.contoso.com` allowed). */
  tlsDomain?: string | null;
  /** Extra trust anchors (PEM certificates), added to Node's bundled roots. */
  ca?: readonly string[];
  ehloName?: string;
  /** The local IP address to connect from; a path of the other address family fails (code other). */
  sourceAddress?: string | null;
  /** The smart host accepts only Microsoft 365's addresses: a refusal seen from elsewhere is `unverifiable`, not failing. */
  restrictedToMicrosoft365?: boolean;
  /** A file of the ranges Exchange Online delivers from (one CIDR a line), instead of src/m365-ranges.ts's list. */
  m365Ranges?: string | null;
  /** The most any one stage may wait, in ms (default 10 000). */
  timeoutMs?: number;
  /** The most the whole probe may take, in ms (default 60 000). */
  deadlineMs?: number;
  /** How many paths are probed at once (default 8). */
  concurrency?: number;
  /** Warn when a certificate expires within this many days (default 30). */
  warnDays?: number;
  /** Revocation checking (OCSP staple, CRL): off, soft (default: no answer is a warning) or hard (no answer fails). */
  revocation?: RevocationMode;
  /** Cancels the probe (a user's Ctrl-C): the result says `cancelled`. */
  signal?: AbortSignal;
  /** The language of the diagnosis: `en` (default) or `pt-BR`. */
  language?: string;
  /** Check the recipient domain's DANE, MTA-STS and TLS-RPT policies on MX routes (default true; false turns them off). */
  policies?: boolean;
  /** HTTPS port of the MTA-STS policy host (443 in the world; for tests). */
  mtaStsPort?: number;
  /**
   * Called with every resolved address before any connection; a string returned is the
   * reason to refuse it, and then no path is probed at all (each fails, code other). The
   * exporter uses it so a name that resolves to a private address cannot be probed.
   */
  addressFilter?: (ip: string) => string | null;
  /** The CRL cache this probe shares (fleet, exporter); the process-wide one when absent. */
  revocationCache?: RevocationCache;
}

export interface Settings {
  targets: string[];
  port: number;
  mx: boolean;
  resolvers: ResolverAddress[];
  tlsMode: TlsMode;
  tlsDomain: string | null;
  ca: string[];
  /** null: the address literal of each connection's source address (the session sets it). */
  ehloName: string | null;
  sourceAddress: string | null;
  restrictedToMicrosoft365: boolean;
  /** The ranges Exchange Online delivers from. */
  m365Ranges: readonly string[];
  timeoutMs: number;
  deadlineMs: number;
  concurrency: number;
  warnDays: number;
  revocation: RevocationMode;
  policies: boolean;
  /** null: 443, as in the world. */
  mtaStsPort: number | null;
}

// Every ProbeOptions key is described in the schema, and nothing else is.
type Undescribed = Exclude<keyof ProbeOptions, OptionKey> | Exclude<OptionKey, keyof ProbeOptions>;
const everyOptionDescribed: [Undescribed] extends [never] ? true : Undescribed = true;
void everyOptionDescribed;

function defaultOf<T>(key: OptionKey): T {
  return optionSpec(key).default as T;
}

/** The defaults, from the options schema. */
export const DEFAULTS = {
  port: defaultOf<number>('port'),
  tlsMode: defaultOf<TlsMode>('tlsMode'),
  timeoutMs: defaultOf<number>('timeoutMs'),
  deadlineMs: defaultOf<number>('deadlineMs'),
  concurrency: defaultOf<number>('concurrency'),
  warnDays: defaultOf<number>('warnDays'),
  revocation: defaultOf<RevocationMode>('revocation'),
};

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A value as an error message shows it: quoted, control characters escaped (a CR/LF in
 * the input must not break the one-line message), at most 80 characters.
 */
export function quote(value: unknown): string {
  const text = String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * An "xn--" label must decode to Unicode that encodes back to the same label (RFC 5891
 * §5.4). Node 20's domainToASCII checks this itself; Node 24's (ada) passes an undecodable
 * label such as "xn--zz" through unchanged, so we check it here, the same on every Node.
 */
function isValidALabel(label: string): boolean {
  if (!label.startsWith('xn--')) return true;
  const unicode = domainToUnicode(label);
  return unicode !== '' && !unicode.startsWith('xn--') && domainToASCII(unicode) === label;
}

/**
 * Host names already read, by their input text: every probe() of a fleet or an exporter
 * checks the same EHLO name (and targets), and the IDNA conversion is a call into ICU or ada.
 */
const hostnames = new BoundedCache<string, Readonly<{ name: string } | { error: string }>>(CACHE_BOUNDS.hostnames);

/** A DNS host name in ASCII (IDN converted), lower-case, without a trailing dot; or a reason it is not one. */
export function asciiHostname(input: string): Readonly<{ name: string } | { error: string }> {
  let host = hostnames.get(input);
  if (!host) hostnames.set(input, (host = Object.freeze(readHostname(input))));
  return host;
}

function readHostname(input: string): { name: string } | { error: string } {
  const raw = input.trim().replace(/\.$/, '');
  if (!raw) return { error: 'is empty' };
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f/\\@:?#]/.test(raw)) return { error: 'contains a character a host name cannot have' };
  // A last label of digits is an IP address gone wrong, never a host name.
  if (/(^|\.)[0-9]+$/.test(raw)) return { error: 'is neither an IP address nor a host name' };
  const name = domainToASCII(raw.toLowerCase());
  if (!name) return { error: 'is not a valid host name (international names must be valid IDNA)' };
  if (name.length > 253) return { error: 'is longer than 253 characters' };
  const labels = name.split('.');
  if (!labels.every(isValidALabel)) return { error: 'is not a valid host name (international names must be valid IDNA)' };
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return { error: bad.length > 63 ? 'has a label longer than 63 characters' : `has an invalid label "${bad}" (letters, digits and inner hyphens only)` };
  }
  return { name };
}

/** A target: an IP literal (v4, v6, or bracketed v6) or a host name. */
export function parseTarget(input: string): string {
  const trimmed = input.trim();
  const unbracketed = /^\[(.*)\]$/.exec(trimmed)?.[1] ?? trimmed;
  if (unbracketed.includes('%') && net.isIPv6(unbracketed)) {
    throw new UsageError(`invalid target ${quote(input)}: an IPv6 zone index (%…) names a local link, which Exchange Online cannot reach`);
  }
  if (net.isIP(unbracketed)) return unbracketed.toLowerCase();
  const withPort = /^\[([^\]]*)\]:\d+$/.exec(trimmed)?.[1] ?? /^([^:]*):\d+$/.exec(trimmed)?.[1];
  if (withPort !== undefined) {
    throw new UsageError(`invalid target ${quote(input)}: give the address or name alone and the port with --port`);
  }
  if (unbracketed !== trimmed) throw new UsageError(`invalid target ${quote(input)}: not an IPv6 address inside the brackets`);
  const host = asciiHostname(trimmed);
  if ('error' in host) throw new UsageError(`invalid target ${quote(input)}: ${host.error}`);
  return host.name;
}

export function parsePort(input: string | number, what = 'port'): number {
  const { min, max } = optionSpec('port');
  return parseInteger(input, what, min!, max!);
}

/** `HOST`, `HOST:PORT`, `[V6]:PORT` or a bare IPv6; the host must be an IP address. */
export function parseResolver(input: string): ResolverAddress {
  const text = input.trim();
  let host = text;
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], `resolver port in ${quote(input)}`);
  } else if (!net.isIPv6(text) && text.includes(':')) {
    const i = text.lastIndexOf(':');
    host = text.slice(0, i);
    port = parsePort(text.slice(i + 1), `resolver port in ${quote(input)}`);
  }
  if (!net.isIP(host)) throw new UsageError(`invalid resolver ${quote(input)}: must be an IP address, optionally with :PORT`);
  return { host, port };
}

/** A TlsDomain: a host name, or `*.` and a host name (a wildcard only as the whole first label). */
export function parseTlsDomain(input: string): string {
  const text = input.trim().toLowerCase();
  const wildcard = text.startsWith('*.');
  const rest = wildcard ? text.slice(2) : text;
  if (rest.includes('*')) {
    throw new UsageError(`invalid TLS domain ${quote(input)}: a wildcard must be the whole first label, as in *.contoso.com`);
  }
  const host = asciiHostname(rest);
  if ('error' in host) throw new UsageError(`invalid TLS domain ${quote(input)}: ${host.error}`);
  if (wildcard && !host.name.includes('.')) {
    throw new UsageError(`invalid TLS domain ${quote(input)}: a wildcard needs at least two labels after it, as in *.contoso.com`);
  }
  return wildcard ? `*.${host.name}` : host.name;
}

export function parseEhloName(input: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(input) || !input) {
    throw new UsageError(`invalid EHLO name ${JSON.stringify(input)}: must be one word with no spaces, CR or LF`);
  }
  if (/^\[.*\]$/.test(input)) {
    const inner = input.slice(1, -1).replace(/^IPv6:/i, '');
    if (net.isIP(inner)) return input; // RFC 5321 §4.1.3 address literal
  }
  const host = asciiHostname(input);
  if ('error' in host) throw new UsageError(`invalid EHLO name ${quote(input)}: ${host.error}`);
  return host.name;
}

/** One of a choice option's values, or a UsageError naming the value and the choices. */
function parseChoice<T extends string>(spec: OptionSpec, input: string): T {
  const choices = spec.choices ?? [];
  if (choices.includes(input)) return input as T;
  throw new UsageError(`invalid ${spec.what} ${quote(input)}: must be one of ${choices.join(', ')}`);
}

export function parseTlsMode(input: string): TlsMode {
  return parseChoice(optionSpec('tlsMode'), input);
}

export function parseRevocationMode(input: string): RevocationMode {
  return parseChoice(optionSpec('revocation'), input);
}

export function parseInteger(input: string | number, what: string, min: number, max: number): number {
  // A whole number already (a fleet's targets are normalised so): no text to read. Only
  // those whose text is digits alone (not negative, no exponent); `|| 0` makes -0 the 0 its text "0" reads as.
  if (typeof input === 'number' && Number.isSafeInteger(input) && input >= 0 && input >= min && input <= max) return input || 0;
  const text = String(input).trim();
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`invalid ${what} ${quote(input)}: must be a whole number from ${min} to ${max}`);
  }
  return value;
}

const parsedPem = new Set<string>();
/** The blocks of PEM texts already checked, by text: a fleet passes the same CA to every probe() call. */
const pemBlocks = new BoundedCache<string, readonly string[]>(CACHE_BOUNDS.caTexts);

/** PEM text with one or more certificates; each must parse. */
export function parseCaPem(pem: string, source: string): string[] {
  return [...caBlocks(pem, source)];
}

/** parseCaPem's blocks as the cache holds them (read-only: resolveSettings copies them into its own list). */
function caBlocks(pem: string, source: string): readonly string[] {
  let blocks = pemBlocks.get(pem);
  if (!blocks) pemBlocks.set(pem, (blocks = readCaPem(pem, source)));
  return blocks;
}

function readCaPem(pem: string, source: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new UsageError(`invalid CA file "${source}": no PEM certificate in it`);
  for (const block of blocks) {
    if (parsedPem.has(block)) continue;
    try {
      new X509Certificate(block);
    } catch {
      throw new UsageError(`invalid CA file "${source}": a certificate in it does not parse`);
    }
    // Remembered: a fleet or an exporter validates the same CA on every probe() call.
    if (parsedPem.size >= 256) parsedPem.clear();
    parsedPem.add(block);
  }
  return blocks;
}

/** How long a read of the machine's host name is used before it is read again. */
export const HOST_NAME_TTL_MS = 60_000;
let hostNameRead = { at: -Infinity, name: '' };

/**
 * The machine's host name (os.hostname()), read again at most once a minute: every probe
 * names it (its vantage, and the EHLO name when none is given), and each read is a system
 * call (~9 µs on Node 20). A renamed machine shows its new name within the minute.
 */
export function hostName(now: number = performance.now(), read: () => string = os.hostname): string {
  if (!(now - hostNameRead.at < HOST_NAME_TTL_MS)) hostNameRead = { at: now, name: read() };
  return hostNameRead.name;
}

/**
 * The name we greet with by default: this machine's name when it is fully qualified (has a
 * dot). Otherwise null, and the session greets with the address literal of the
 * connection's source address (RFC 5321 §4.1.4, §4.1.3): a single label such as `vm` is
 * refused by receivers that require a fully qualified name, which Exchange Online never is.
 *
 * @example
 * ```ts
 * defaultEhloName('probe.contoso.com'); // 'probe.contoso.com'
 * defaultEhloName('vm'); // null
 * ```
 */
export function defaultEhloName(hostname: string = hostName()): string | null {
  const host = asciiHostname(hostname);
  return 'name' in host && host.name.includes('.') ? host.name : null;
}

/** A source address to bind to: an IP address (no zone index). */
export function parseSourceAddress(input: string): string {
  const text = input.trim().replace(/^\[(.*)\]$/, '$1');
  if (!net.isIP(text)) throw new UsageError(`invalid source address ${quote(input)}: must be an IP address of this machine`);
  return text.toLowerCase();
}

/** The ranges of a `--m365-ranges` file; a UsageError names the file. */
export function readM365Ranges(file: string): string[] {
  try {
    return readRanges(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`invalid Microsoft 365 ranges file ${quote(file)}: ${e.code ?? e.message}`);
  }
}

/**
 * Reads CA certificate files (PEM), relative to `base` (default: the working
 * directory): the one reader of the CLI's --ca-file, the config's caFile and the
 * targets file's ca-file. A file that cannot be read is a UsageError naming it.
 */
export function readCaFiles(files: readonly string[], base?: string): string[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(base === undefined ? file : path.resolve(base, file), 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read CA file "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return parseCaPem(text, file);
  });
}

/**
 * The rule of a connector's TLS settings, as Exchange Online's TlsSettings and TlsDomain
 * have it: a TLS domain implies domain-validation, and domain-validation needs a TLS
 * domain. Both values are parsed; the result is the mode and domain to probe under.
 */
export function tlsPolicyOf(mode: string | undefined, domain: string | null | undefined): { tlsMode: TlsMode; tlsDomain: string | null } {
  const tlsDomain = domain ? parseTlsDomain(domain) : null;
  const tlsMode = mode ? parseTlsMode(mode) : tlsDomain ? 'domain-validation' : DEFAULTS.tlsMode;
  if (tlsMode === 'domain-validation' && !tlsDomain) {
    throw new UsageError('TLS mode "domain-validation" needs a TLS domain (--tls-domain), as the connector\'s TlsDomain does');
  }
  if (tlsDomain && tlsMode !== 'domain-validation') {
    throw new UsageError(`TLS domain "${tlsDomain}" applies only to TLS mode domain-validation, not "${tlsMode}"`);
  }
  return { tlsMode, tlsDomain };
}

/** The checks of a string option's value beyond its type (a list's: of each element). */
const TEXT_PARSERS: Partial<Record<OptionKey, (text: string) => unknown>> = {
  resolvers: parseResolver,
  tlsDomain: parseTlsDomain,
  ehloName: parseEhloName,
  sourceAddress: parseSourceAddress,
};

/**
 * One option's value (one element of a list option) checked and normalised as the
 * schema describes it: integers within their bounds, a choice among its choices, a
 * host name in ASCII. Throws a UsageError naming the value. The config file and the
 * library share it.
 */
export function parseOptionValue(key: OptionKey, value: unknown): unknown {
  const spec = optionSpec(key);
  switch (spec.kind) {
    case 'integer':
      return parseInteger(value as string | number, spec.what, spec.min!, spec.max!);
    case 'choice':
      return parseChoice(spec, value as string);
    case 'pem':
      return parseCaPem(value as string, spec.what);
    case 'string':
    case 'strings':
      return TEXT_PARSERS[key] ? TEXT_PARSERS[key](value as string) : value;
    case 'boolean':
    case 'signal':
    case 'function':
    case 'cache':
      return value;
  }
}

/** Validates everything before anything is sent; throws UsageError naming the bad value. */
export function resolveSettings(targets: string | readonly string[], options: ProbeOptions = {}): Settings {
  checkShapes(targets, options);
  const list = typeof targets === 'string' ? [targets] : targets;
  if (!list.length) throw new UsageError('no target given: name at least one smart host, domain or IP address');
  // One target (a fleet's every probe) needs no Set to drop repeats.
  const parsedTargets = list.length === 1 ? [parseTarget(String(list[0]))] : [...new Set([...list].map((t) => parseTarget(String(t))))];
  const { tlsMode, tlsDomain } = tlsPolicyOf(options.tlsMode, options.tlsDomain);
  return {
    targets: parsedTargets,
    port: valueOf(options, 'port', DEFAULTS.port),
    mx: options.mx ?? defaultOf<boolean>('mx'),
    resolvers: (options.resolvers ?? []).map(parseResolver),
    tlsMode,
    tlsDomain,
    ca: options.ca ? caList(options.ca) : [],
    ehloName: options.ehloName === undefined ? defaultEhloName() : valueOf<string | null>(options, 'ehloName', null),
    sourceAddress: options.sourceAddress ? parseSourceAddress(options.sourceAddress) : null,
    restrictedToMicrosoft365: options.restrictedToMicrosoft365 ?? false,
    m365Ranges: options.m365Ranges ? readM365Ranges(options.m365Ranges) : M365_RANGES,
    timeoutMs: valueOf(options, 'timeoutMs', DEFAULTS.timeoutMs),
    deadlineMs: valueOf(options, 'deadlineMs', DEFAULTS.deadlineMs),
    concurrency: valueOf(options, 'concurrency', DEFAULTS.concurrency),
    warnDays: valueOf(options, 'warnDays', DEFAULTS.warnDays),
    revocation: valueOf(options, 'revocation', DEFAULTS.revocation),
    policies: options.policies ?? defaultOf<boolean>('policies'),
    mtaStsPort: valueOf<number | null>(options, 'mtaStsPort', null),
  };
}

/** The certificates of the `ca` option's PEM texts, in order, in a list of their own. */
function caList(pems: readonly string[]): string[] {
  const ca: string[] = [];
  pems.forEach((pem, i) => ca.push(...caBlocks(pem, `ca[${i}]`)));
  return ca;
}

/** An option's value as parseOptionValue reads it, or `fallback` when it is not given. */
function valueOf<T>(options: ProbeOptions, key: OptionKey, fallback: T): T {
  const given = options[key];
  return given === undefined ? fallback : (parseOptionValue(key, given) as T);
}

const KINDS: Record<OptionSpec['kind'], { ok: (v: unknown) => boolean; want: string }> = {
  // Numbers may come as strings (CLI flags, environment); their text is checked later.
  integer: { ok: (v) => typeof v === 'number' || typeof v === 'string', want: 'a number' },
  boolean: { ok: (v) => typeof v === 'boolean', want: 'a boolean' },
  string: { ok: (v) => typeof v === 'string', want: 'a string' },
  choice: { ok: (v) => typeof v === 'string', want: 'a string' },
  strings: { ok: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), want: 'a list of strings' },
  pem: { ok: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), want: 'a list of strings' },
  signal: { ok: (v) => v instanceof AbortSignal, want: 'an AbortSignal' },
  function: { ok: (v) => typeof v === 'function', want: 'a function' },
  // By shape, not instanceof: the CLI's start-up must not load the cache module.
  cache: { ok: (v) => typeof (v as { crl?: unknown } | null)?.crl === 'function', want: 'a RevocationCache' },
};

const LIBRARY_KEYS = OPTIONS.map((o) => o.key);
const LIBRARY_KEY_SET = new Set<string>(LIBRARY_KEYS);

/**
 * The library API is called from JavaScript too: a value of the wrong type, or an
 * option that does not exist (`caFile`, `timeout`), is bad input like any other, a
 * UsageError naming it, never a TypeError from deep inside nor a silently ignored key.
 */
function checkShapes(targets: unknown, options: unknown): void {
  const isStrings = KINDS.strings.ok;
  if (typeof targets !== 'string' && !isStrings(targets)) {
    throw new UsageError(`invalid targets ${quote(Array.isArray(targets) ? targets.find((t) => typeof t !== 'string') : targets)}: give a host name or IP address, or a list of them, as strings`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new UsageError(`invalid options ${quote(options)}: must be an object`);
  }
  const o = options as Record<string, unknown>;
  // The keys given (a handful) are checked, not the schema's every option; only a wrong
  // value, or options that inherit keys, go through the schema in its order, which names
  // the first wrong one.
  let wrong = Object.getPrototypeOf(o) !== Object.prototype && Object.getPrototypeOf(o) !== null;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (!LIBRARY_KEY_SET.has(key)) {
      const near = suggestKey(key, LIBRARY_KEYS, 'library');
      throw new UsageError(`unknown option ${quote(key)}${near ? `: did you mean "${near}"?` : ` (known: ${LIBRARY_KEYS.join(', ')})`}`);
    }
    const spec = optionSpec(key as OptionKey);
    const value = o[key];
    if (!wrong && value !== undefined && !(spec.nullable && value === null)) wrong = !KINDS[spec.kind].ok(value);
  }
  if (!wrong) return;
  for (const spec of OPTIONS) {
    const value = o[spec.key];
    if (value === undefined || (spec.nullable && value === null)) continue;
    const { ok, want } = KINDS[spec.kind];
    if (!ok(value)) {
      throw new UsageError(`invalid ${spec.key} ${quote(Array.isArray(value) ? value.find((x) => typeof x !== 'string') : value)}: must be ${want}`);
    }
  }
}
