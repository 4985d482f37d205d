/**
 * The fleet's input: a list of named targets, each one connector's smart hosts with the
 * options to probe them under. Fleet mode (`probe --targets FILE`) and the exporter
 * (`probe serve`) both take this list, whichever file it came from: the `--targets`
 * format below, or (later) the scheduled checks' config file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkCount, INPUT_LIMITS, readBounded } from './input-limits.js';
import { parseCaPem, resolveSettings, UsageError, type ProbeOptions } from './options.js';

/** One connector to probe: a name (unique in its list), its smart hosts, its options. */
export interface NamedTarget {
  /** What the exporter's `?target=` and the reports call it; defaults to the first host. */
  name: string;
  /** Smart host names, domains or IP addresses (one connector may have several). */
  targets: string[];
  options: ProbeOptions;
  /** Where it was defined (`file:line`), for error messages. */
  source?: string;
}

/** The per-line option keys of a targets file, and the ProbeOptions field each sets. */
const KEYS = [
  'name',
  'port',
  'mx',
  'resolver',
  'tls-mode',
  'tls-domain',
  'ca-file',
  'ehlo-name',
  'timeout',
  'deadline',
  'warn-days',
] as const;
type Key = (typeof KEYS)[number];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;

function parseBool(value: string, where: string): boolean {
  if (/^(yes|true|on|1)$/i.test(value)) return true;
  if (/^(no|false|off|0)$/i.test(value)) return false;
  throw new UsageError(`${where}: invalid mx "${value}": must be yes or no`);
}

function readCa(file: string, base: string, where: string): string[] {
  const path = resolve(base, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${where}: cannot read CA file "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseCaPem(text, file);
}

/**
 * Parses the `--targets` format: one connector a line, its smart hosts (space separated)
 * and `key=value` options; `#` starts a comment; blank lines are skipped.
 *
 * ```
 * # name=… is optional; the first host names the line otherwise
 * mail.contoso.com tls-mode=domain-validation tls-domain=*.contoso.com port=25
 * mx1.fabrikam.com mx2.fabrikam.com name=fabrikam tls-mode=encryption-only
 * ```
 *
 * Each line's options override `defaults` (the command line's flags). Every line is
 * validated as `probe()` would validate it, so a bad value fails here, naming
 * `file:line` and the value, before anything is sent.
 */
export function parseTargetsFile(text: string, file: string, defaults: ProbeOptions = {}): NamedTarget[] {
  const list: NamedTarget[] = [];
  const seen = new Map<string, string>();
  const base = dirname(resolve(file));
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const hosts: string[] = [];
    const options: ProbeOptions = { ...defaults };
    const resolvers: string[] = [];
    const ca: string[] = [];
    let name: string | undefined;
    for (const token of line.split(/\s+/)) {
      const eq = token.indexOf('=');
      if (eq < 0) {
        hosts.push(token);
        continue;
      }
      const key = token.slice(0, eq).toLowerCase();
      const value = token.slice(eq + 1);
      if (!(KEYS as readonly string[]).includes(key)) {
        throw new UsageError(`${where}: unknown option "${token.slice(0, eq)}" (known: ${KEYS.join(', ')})`);
      }
      if (!value) throw new UsageError(`${where}: option "${key}" has no value`);
      switch (key as Key) {
        case 'name':
          if (!NAME.test(value)) throw new UsageError(`${where}: invalid name "${value}": letters, digits and . _ : @ / + - only, at most 128`);
          name = value;
          break;
        case 'port':
          options.port = value as unknown as number;
          break;
        case 'mx':
          options.mx = parseBool(value, where);
          break;
        case 'resolver':
          resolvers.push(value);
          break;
        case 'tls-mode':
          options.tlsMode = value as ProbeOptions['tlsMode'];
          break;
        case 'tls-domain':
          options.tlsDomain = value;
          break;
        case 'ca-file':
          ca.push(...readCa(value, base, where));
          break;
        case 'ehlo-name':
          options.ehloName = value;
          break;
        case 'timeout':
          options.timeoutMs = value as unknown as number;
          break;
        case 'deadline':
          options.deadlineMs = value as unknown as number;
          break;
        case 'warn-days':
          options.warnDays = value as unknown as number;
          break;
      }
    }
    if (!hosts.length) throw new UsageError(`${where}: no smart host on the line "${line}"`);
    if (resolvers.length) options.resolvers = resolvers;
    if (ca.length) options.ca = [...(defaults.ca ?? []), ...ca];
    try {
      // Validate now (and normalise numbers), exactly as probe() will.
      const settings = resolveSettings(hosts, options);
      options.port = settings.port;
      options.timeoutMs = settings.timeoutMs;
      options.deadlineMs = settings.deadlineMs;
      options.warnDays = settings.warnDays;
      options.tlsMode = settings.tlsMode;
      options.tlsDomain = settings.tlsDomain;
      const target: NamedTarget = { name: name ?? settings.targets.join(','), targets: settings.targets, options, source: where };
      const previous = seen.get(target.name);
      if (previous) throw new UsageError(`duplicate name "${target.name}" (first defined at ${previous})`);
      seen.set(target.name, where);
      list.push(target);
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${where}: ${err.message}`);
      throw err;
    }
  });
  if (!list.length) throw new UsageError(`${file}: no target in the file`);
  return list;
}

/** Reads and parses a `--targets` file; an unreadable file is a UsageError naming it. */
export function loadTargetsFile(file: string, defaults: ProbeOptions = {}): NamedTarget[] {
  const text = readBounded(file, INPUT_LIMITS.targetsFileBytes, 'targets file').toString('utf8');
  // Counted before a line is parsed: targets (one a line, comments and blank lines aside)
  // and the hosts of each (the words without "=").
  const lines = text.split(/\r?\n/).map((raw) => raw.replace(/(^|\s)#.*$/, '').trim());
  const counted = (where: string, count: () => void): void => {
    try {
      count();
    } catch (err) {
      throw new UsageError(`${where}: ${(err as Error).message}`);
    }
  };
  counted(file, () => checkCount(lines.filter(Boolean).length, INPUT_LIMITS.targets, 'targets'));
  lines.forEach((line, i) => counted(`${file}:${i + 1}`, () => checkCount(line.split(/\s+/).filter((w) => w && !w.includes('=')).length, INPUT_LIMITS.hostsPerTarget, 'hosts')));
  return parseTargetsFile(text, file, defaults);
}
