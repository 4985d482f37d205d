/**
 * The command line's manners, apart from its options: which output a probe prints
 * (text, JSON, Nagios), whether to colour it, what to do when the reader of standard
 * output goes away, a mistyped command name, and usage errors as JSON.
 */
import { UsageError, parseInteger } from '../core/options.js';
import { NAGIOS_DEFAULTS, type NagiosThresholds } from '../report/nagios.js';

export const OUTPUTS = ['text', 'json', 'nagios'] as const;
export type OutputFormat = (typeof OUTPUTS)[number];

export interface OutputFlags {
  json?: boolean;
  output?: string;
  warning?: string;
  critical?: string;
}

/**
 * The output format and the Nagios thresholds. `--json` is `--output json`; `-w`/`-c` are
 * days of certificate validity and belong to `--output nagios` only.
 */
export function chooseOutput(flags: OutputFlags): { format: OutputFormat; thresholds: NagiosThresholds } {
  const format = (flags.output ?? (flags.json ? 'json' : 'text')) as OutputFormat;
  if (!OUTPUTS.includes(format)) throw new UsageError(`invalid output "${flags.output}": must be one of ${OUTPUTS.join(', ')}`);
  if (flags.json && format !== 'json') throw new UsageError(`--json and --output ${format} disagree: give one of them`);
  if (format !== 'nagios' && (flags.warning !== undefined || flags.critical !== undefined)) {
    throw new UsageError(`--${flags.warning !== undefined ? 'warning' : 'critical'} applies to --output nagios only`);
  }
  const warningDays = flags.warning === undefined ? NAGIOS_DEFAULTS.warningDays : parseInteger(flags.warning, 'warning days', 0, 3650);
  const criticalDays = flags.critical === undefined ? Math.min(NAGIOS_DEFAULTS.criticalDays, warningDays) : parseInteger(flags.critical, 'critical days', 0, 3650);
  if (criticalDays > warningDays) {
    throw new UsageError(`invalid critical days "${flags.critical}": must not exceed the warning days (${warningDays}); both count days left`);
  }
  return { format, thresholds: { warningDays, criticalDays } };
}

/**
 * Whether to colour: never with `--no-color`; FORCE_COLOR forces it (`0` or `false`
 * forbids it), taking precedence over NO_COLOR as in Node itself; NO_COLOR (any non-empty
 * value, https://no-color.org) and TERM=dumb turn it off; otherwise only on a terminal.
 */
export function colorWanted(flag: boolean, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (!flag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/**
 * A closed standard output (`probe … | head -c5`, `probe --help | true`) ends the
 * command quietly: Node ignores SIGPIPE, so the write fails with EPIPE, which would
 * otherwise be an unhandled 'error' event and a stack trace. The exit code stays the
 * verdict's.
 */
const quieted = new WeakSet<NodeJS.WritableStream>();

export function quietOnClosedStdout(stream: NodeJS.WritableStream = process.stdout): void {
  if (quieted.has(stream)) return;
  quieted.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}

/** Damerau–Levenshtein (optimal string alignment) distance: a swap of two letters is one edit. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The command a first argument was probably meant to be (`histroy` → `history`), or null.
 * Only a bare word can be one: a smart host Exchange Online delivers to is a dotted name
 * or an address, so `mail.histroy.com` or `127.0.0.1` are never taken for a command.
 */
export function nearMissCommand(word: string, commands: readonly string[]): string | null {
  if (!/^[a-z][a-z-]*$/i.test(word) || commands.includes(word)) return null;
  const lower = word.toLowerCase();
  let best: { name: string; distance: number } | null = null;
  for (const name of commands) {
    const distance = editDistance(lower, name);
    // One edit for short names, two for longer ones: "serv" → serve, "explian" → explain.
    if (distance <= (name.length <= 4 ? 1 : 2) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

/** A usage error as JSON, for a caller that asked for `--json` and parses standard error too. */
export function usageErrorJson(message: string): string {
  return `${JSON.stringify({ error: { kind: 'usage', message } })}\n`;
}
