/**
 * The fleet's input: a list of named targets, each one connector's smart hosts with the
 * options to probe them under. Fleet mode (`probe --targets FILE`) and the exporter
 * (`probe serve`) both take this list, whichever file it came from: the `--targets`
 * format below, or (later) the scheduled checks' config file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { optionsOf, suggestKey, type OptionSpec } from '../core/option-schema.js';
import { readCaFiles, resolveSettings, UsageError, type ProbeOptions } from '../core/options.js';
import { checkCount, INPUT_LIMITS, readBounded } from '../core/input-limits.js';

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

/** The per-line option keys of a targets file (from the options schema), besides `name`. */
const OPTION_KEYS = new Map((optionsOf('targets') as (OptionSpec & { targetsKey: string })[]).map((spec) => [spec.targetsKey, spec]));
const KEYS = ['name', ...OPTION_KEYS.keys()];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;

function parseBool(value: string, key: string): boolean {
  if (/^(yes|true|on|1)$/i.test(value)) return true;
  if (/^(no|false|off|0)$/i.test(value)) return false;
  throw new UsageError(`invalid ${key} "${value}": must be yes or no`);
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
    const options: Record<string, unknown> = { ...defaults };
    // List options (resolver, ca-file) repeat; the line's list replaces the defaults' (a CA adds to them).
    const lists = new Map<string, string[]>();
    let name: string | undefined;
    try {
      for (const token of line.split(/\s+/)) {
        const eq = token.indexOf('=');
        if (eq < 0) {
          hosts.push(token);
          continue;
        }
        const key = token.slice(0, eq).toLowerCase();
        const value = token.slice(eq + 1);
        const spec = OPTION_KEYS.get(key);
        if (!spec && key !== 'name') {
          const near = suggestKey(key, KEYS, 'targets');
          throw new UsageError(`unknown option "${token.slice(0, eq)}"${near ? `: did you mean "${near}"?` : ''} (known: ${KEYS.join(', ')})`);
        }
        if (!value) throw new UsageError(`option "${key}" has no value`);
        if (!spec) {
          if (!NAME.test(value)) throw new UsageError(`invalid name "${value}": letters, digits and . _ : @ / + - only, at most 128`);
          name = value;
        } else if (spec.kind === 'boolean') options[spec.key] = parseBool(value, key);
        else if (spec.kind === 'pem') lists.set(spec.key, [...(lists.get(spec.key) ?? []), ...readCaFiles([value], base)]);
        else if (spec.kind === 'strings') lists.set(spec.key, [...(lists.get(spec.key) ?? []), value]);
        // The rest is text, checked (and numbers made numbers) by resolveSettings below.
        else options[spec.key] = value;
      }
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${where}: ${err.message}`);
      throw err;
    }
    if (!hosts.length) throw new UsageError(`${where}: no smart host on the line "${line}"`);
    for (const [key, list] of lists) options[key] = key === 'ca' ? [...(defaults.ca ?? []), ...list] : list;
    try {
      // Validate now (and normalise numbers and modes), exactly as probe() will.
      const settings = resolveSettings(hosts, options as ProbeOptions);
      for (const spec of OPTION_KEYS.values()) {
        if (spec.kind === 'integer' || spec.kind === 'choice') options[spec.key] = settings[spec.key as keyof typeof settings];
      }
      options.tlsDomain = settings.tlsDomain;
      const target: NamedTarget = { name: name ?? settings.targets.join(','), targets: settings.targets, options: options as ProbeOptions, source: where };
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
