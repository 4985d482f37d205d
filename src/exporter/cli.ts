/**
 * `probe serve`: reads the targets and the secrets, starts the exporter, and runs until
 * SIGINT/SIGTERM. The target list is a `NamedTarget[]` whatever file it came from: the
 * `--targets` format today; the scheduled checks' `--config` loader feeds the same list.
 */
import net from 'node:net';
import { EXIT, onSignals, untilSignal } from '../cli/exit.js';
import { EXPORTER_DEFAULTS, startExporter } from './server.js';
import { INPUT_LIMITS, readBounded } from '../core/input-limits.js';
import { parseInteger, parsePort, resolveSettings, UsageError, type ProbeOptions } from '../core/options.js';
import { configHistory, loadNamedTargets } from '../fleet/target-sources.js';
import { chooseLanguage } from '../catalog/index.js';
import type { NamedTarget } from '../fleet/targets.js';

/** After SIGTERM, `serve` has stopped within this. */
export const SERVE_STOP_MS = 5000;

/** The environment variable that may hold the bearer token (never argv: `ps` shows argv). */
export const TOKEN_ENV = 'PROBE_EXPORTER_TOKEN';

export interface ServeCliOptions {
  targets?: string;
  config?: string;
  listen?: string;
  allowAnyTarget?: boolean;
  allowPrivate?: boolean;
  tokenFile?: string;
  maxConcurrent?: string;
  requestTimeout?: string;
}

/** `HOST:PORT`, `[V6]:PORT`, `:PORT` or `HOST`; the host must be an IP address. */
export function parseListen(input: string): { host: string; port: number } {
  const text = input.trim();
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  let host: string;
  let port: string | undefined;
  if (bracketed) [, host = '', port] = bracketed;
  else if (net.isIPv6(text)) host = text;
  else if (text.includes(':')) [host, port] = [text.slice(0, text.lastIndexOf(':')), text.slice(text.lastIndexOf(':') + 1)];
  else host = text;
  if (!host) host = EXPORTER_DEFAULTS.host;
  if (!net.isIP(host)) throw new UsageError(`invalid listen address "${input}": must be IP:PORT, e.g. 127.0.0.1:9125`);
  // Port 0: an ephemeral port, which the exporter prints once it listens.
  return { host, port: port === undefined ? EXPORTER_DEFAULTS.port : port === '0' ? 0 : parsePort(port, `listen port in "${input}"`) };
}

/** The token from the environment or a file; both → the file wins, with a warning. */
export function readToken(file: string | undefined, env: NodeJS.ProcessEnv, warn: (line: string) => void): string | null {
  const fromEnv = env[TOKEN_ENV]?.trim() || null;
  let fromFile: string | null = null;
  if (file !== undefined) {
    fromFile = readBounded(file, INPUT_LIMITS.tokenFileBytes, 'token file').toString('utf8').trim();
    if (!fromFile) throw new UsageError(`token file "${file}" is empty`);
  }
  if (fromFile && fromEnv) warn(`probe: both ${TOKEN_ENV} and --token-file are set; using the token file`);
  return fromFile ?? fromEnv;
}

export async function runServe(given: ProbeOptions, opts: ServeCliOptions): Promise<number> {
  // One language for the status page and the probes' diagnoses: --lang, else the locale.
  const language = chooseLanguage(given.language);
  const defaults: ProbeOptions = { ...given, language };
  // The list of named targets: a targets file, or the scheduled checks' config.
  if (opts.targets !== undefined && opts.config !== undefined) throw new UsageError('give --config or --targets, not both');
  const file = opts.config ?? opts.targets;
  let targets: NamedTarget[] = [];
  if (file !== undefined) targets = loadNamedTargets(file, defaults);
  if (!targets.length && !opts.allowAnyTarget) throw new UsageError('nothing to serve: give --config FILE or --targets FILE (or --allow-any-target)');
  // ?target= probes take the command line's options as they are: checked now, not per request.
  if (opts.allowAnyTarget) resolveSettings('probe.invalid', defaults);
  if (opts.allowPrivate && !opts.allowAnyTarget) throw new UsageError('--allow-private only applies with --allow-any-target');
  const { host, port } = parseListen(opts.listen ?? `${EXPORTER_DEFAULTS.host}:${EXPORTER_DEFAULTS.port}`);
  const warn = (line: string): void => void process.stderr.write(`${line}\n`);
  const token = readToken(opts.tokenFile, process.env, warn);
  // The status page draws the scheduled checks' history when the config has one.
  const history = file !== undefined ? configHistory(file, language) : null;
  const exporter = await startExporter({
    targets,
    language,
    ...(history ? { history: history.source, historyLabel: history.label } : {}),
    defaults,
    host,
    port,
    allowAnyTarget: Boolean(opts.allowAnyTarget),
    allowPrivate: Boolean(opts.allowPrivate),
    token,
    maxConcurrent: opts.maxConcurrent === undefined ? EXPORTER_DEFAULTS.maxConcurrent : parseInteger(opts.maxConcurrent, 'max concurrent', 1, 4096),
    requestTimeoutMs: opts.requestTimeout === undefined ? EXPORTER_DEFAULTS.requestTimeoutMs : parseInteger(opts.requestTimeout, 'request timeout (ms)', 1000, 600_000),
  });
  const loopback = host === '::1' || host.startsWith('127.');
  if (!loopback && !token) warn(`probe: listening on ${host} without a token: anyone who can reach it can run probes (set ${TOKEN_ENV} or --token-file)`);
  // First signal: close — probes in flight are cancelled, connections closed — within
  // SERVE_STOP_MS. A second signal exits at once. Listened for before the line below: whoever
  // waits for that line (a supervisor, a test) may signal at once, and a signal that finds no
  // handler kills the process instead of closing it (exit by SIGTERM, not 0).
  const signalled = untilSignal(['SIGINT', 'SIGTERM']);
  warn(`probe: serving ${targets.length} targets on ${exporter.url} (/probe?target=NAME, /metrics, /)`);
  await signalled;
  const disposeSecond = onSignals(['SIGINT', 'SIGTERM'], () => process.exit(EXIT.cancelled));
  const closed = exporter.close();
  const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), SERVE_STOP_MS).unref());
  const outcome = await Promise.race([closed, late]);
  disposeSecond();
  history?.close();
  if (outcome === 'late') {
    warn(`probe: still closing after ${SERVE_STOP_MS / 1000} s; exiting`);
    process.exit(0);
  }
  return 0;
}
