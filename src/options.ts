import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { domainToASCII } from 'node:url';
import { REVOCATION_MODES, type RevocationMode } from '../probes/revocation.js';
import type { RevocationCache } from '../probes/revocation-cache.js';
import { TLS_MODES, type ResolverAddress, type TlsMode } from '../probes/stage.js';

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
  /** Also check the recipient domain's DANE, MTA-STS and TLS-RPT policies (MX routes only). */
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
  ehloName: string;
  timeoutMs: number;
  deadlineMs: number;
  concurrency: number;
  warnDays: number;
  revocation: RevocationMode;
}

export const DEFAULTS = {
  port: 25,
  tlsMode: 'certificate-validation' as TlsMode,
  timeoutMs: 10_000,
  deadlineMs: 60_000,
  concurrency: 8,
  warnDays: 30,
  revocation: 'soft' as RevocationMode,
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

/** A DNS host name in ASCII (IDN converted), lower-case, without a trailing dot; or a reason it is not one. */
export function asciiHostname(input: string): { name: string } | { error: string } {
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
  const text = String(input).trim();
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`invalid ${what} ${quote(input)}: must be a whole number from 1 to 65535`);
  return port;
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

export function parseTlsMode(input: string): TlsMode {
  if ((TLS_MODES as readonly string[]).includes(input)) return input as TlsMode;
  throw new UsageError(`invalid TLS mode ${quote(input)}: must be one of ${TLS_MODES.join(', ')}`);
}

export function parseRevocationMode(input: string): RevocationMode {
  if ((REVOCATION_MODES as readonly string[]).includes(input)) return input as RevocationMode;
  throw new UsageError(`invalid revocation mode "${input}": must be one of ${REVOCATION_MODES.join(', ')}`);
}

export function parseInteger(input: string | number, what: string, min: number, max: number): number {
  const text = String(input).trim();
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`invalid ${what} ${quote(input)}: must be a whole number from ${min} to ${max}`);
  }
  return value;
}

const parsedPem = new Set<string>();

/** PEM text with one or more certificates; each must parse. */
export function parseCaPem(pem: string, source: string): string[] {
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

/** The host name we greet with by default: this machine's name, if it is a valid one. */
export function defaultEhloName(): string {
  const host = asciiHostname(os.hostname());
  return 'name' in host ? host.name : 'localhost';
}

/** Validates everything before anything is sent; throws UsageError naming the bad value. */
export function resolveSettings(targets: string | readonly string[], options: ProbeOptions = {}): Settings {
  checkShapes(targets, options);
  const list = typeof targets === 'string' ? [targets] : [...targets];
  if (!list.length) throw new UsageError('no target given: name at least one smart host, domain or IP address');
  const parsedTargets = [...new Set(list.map((t) => parseTarget(String(t))))];
  const tlsDomain = options.tlsDomain ? parseTlsDomain(options.tlsDomain) : null;
  const tlsMode = options.tlsMode ? parseTlsMode(options.tlsMode) : tlsDomain ? 'domain-validation' : DEFAULTS.tlsMode;
  if (tlsMode === 'domain-validation' && !tlsDomain) {
    throw new UsageError('TLS mode "domain-validation" needs a TLS domain (--tls-domain), as the connector\'s TlsDomain does');
  }
  if (tlsDomain && tlsMode !== 'domain-validation') {
    throw new UsageError(`TLS domain "${tlsDomain}" applies only to TLS mode domain-validation, not "${tlsMode}"`);
  }
  const ca = (options.ca ?? []).flatMap((pem, i) => parseCaPem(pem, `ca[${i}]`));
  return {
    targets: parsedTargets,
    port: options.port === undefined ? DEFAULTS.port : parsePort(options.port),
    mx: options.mx ?? true,
    resolvers: (options.resolvers ?? []).map(parseResolver),
    tlsMode,
    tlsDomain,
    ca,
    ehloName: options.ehloName === undefined ? defaultEhloName() : parseEhloName(options.ehloName),
    timeoutMs: options.timeoutMs === undefined ? DEFAULTS.timeoutMs : parseInteger(options.timeoutMs, 'timeout (ms)', 1, 600_000),
    deadlineMs: options.deadlineMs === undefined ? DEFAULTS.deadlineMs : parseInteger(options.deadlineMs, 'deadline (ms)', 1, 3_600_000),
    concurrency: options.concurrency === undefined ? DEFAULTS.concurrency : parseInteger(options.concurrency, 'concurrency', 1, 1024),
    warnDays: options.warnDays === undefined ? DEFAULTS.warnDays : parseInteger(options.warnDays, 'warn days', 0, 3650),
    revocation: options.revocation === undefined ? DEFAULTS.revocation : parseRevocationMode(options.revocation),
  };
}

/**
 * The library API is called from JavaScript too: a value of the wrong type is bad input
 * like any other, a UsageError naming it, never a TypeError from deep inside.
 */
function checkShapes(targets: unknown, options: unknown): void {
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof targets !== 'string' && !isStrings(targets)) {
    throw new UsageError(`invalid targets ${quote(Array.isArray(targets) ? targets.find((t) => typeof t !== 'string') : targets)}: give a host name or IP address, or a list of them, as strings`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new UsageError(`invalid options ${quote(options)}: must be an object`);
  }
  const o = options as Record<string, unknown>;
  const kinds: Record<string, 'number' | 'boolean' | 'string' | 'strings'> = {
    port: 'number',
    mx: 'boolean',
    resolvers: 'strings',
    tlsMode: 'string',
    tlsDomain: 'string',
    ca: 'strings',
    ehloName: 'string',
    timeoutMs: 'number',
    deadlineMs: 'number',
    concurrency: 'number',
    warnDays: 'number',
  };
  for (const [key, kind] of Object.entries(kinds)) {
    const value = o[key];
    if (value === undefined || (key === 'tlsDomain' && value === null)) continue;
    // Numbers may come as strings (CLI flags, environment); their text is checked later.
    const ok =
      kind === 'strings' ? isStrings(value) : kind === 'number' ? typeof value === 'number' || typeof value === 'string' : typeof value === kind;
    if (!ok) {
      const want = kind === 'strings' ? 'a list of strings' : kind === 'number' ? 'a number' : `a ${kind}`;
      throw new UsageError(`invalid ${key} ${quote(Array.isArray(value) ? value.find((x) => typeof x !== 'string') : value)}: must be ${want}`);
    }
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new UsageError(`invalid signal ${quote(o.signal)}: must be an AbortSignal`);
  }
}
