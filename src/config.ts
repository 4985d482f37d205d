/**
 * The scheduled-checks config file: YAML (JSON is YAML too), checked in two steps. A
 * schema (zod) checks the shape — unknown keys, wrong types, missing fields — and then
 * every value goes through the same parse* functions as the CLI's flags, so a bad port
 * in the file reads like a bad --port. Every error names the file, the path and the value:
 *
 *   probe: mailflow.yaml: targets[1].port: invalid port "2500x": must be a whole number from 1 to 65535
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './duration.js';
import {
  parseCaPem,
  parseEhloName,
  parseInteger,
  parsePort,
  parseResolver,
  parseTarget,
  parseTlsDomain,
  parseTlsMode,
  resolveSettings,
  UsageError,
  type ProbeOptions,
} from './options.js';

/** One connector's smart hosts, checked together, with their own schedule. */
export interface TargetConfig {
  /** How reports, alerts and the history name it (default: the hosts, joined). */
  name: string;
  hosts: string[];
  options: Omit<ProbeOptions, 'signal'>;
  /** Cron expression (5 fields, or 6 with seconds first). */
  schedule: string;
}

export interface EmailChannel {
  type: 'email';
  name: string;
  host: string;
  port: number;
  /** `starttls` (required, the default), `implicit` (TLS from the first byte, port 465) or `none`. */
  tls: 'starttls' | 'implicit' | 'none';
  from: string;
  to: string[];
  user: string | null;
  /** The environment variable that holds the password: never the file. */
  passwordEnv: string | null;
  /** Extra trusted CA certificates (PEM) for the relay. */
  ca: string[];
  timeoutMs: number;
}

export type WebhookFormat = 'generic' | 'teams' | 'slack';

export interface WebhookChannel {
  type: 'webhook';
  name: string;
  url: string;
  format: WebhookFormat;
  timeoutMs: number;
}

export type AlertChannel = EmailChannel | WebhookChannel;

/** The config after validation: durations in ms, paths absolute, every value parsed. */
export interface MonitorConfig {
  file: string;
  database: string;
  /** How long Exchange Online keeps retrying a queued message before the NDR (default 24 h). */
  queueLifetimeMs: number;
  /** Escalate when the first bounce is this close, largest first (default 20 h, 12 h, 1 h). */
  escalateBeforeMs: number[];
  /** Repeat the alert while a target stays failing (null: never). */
  reminderEveryMs: number | null;
  /** Before a failure counts: how many more attempts, and the backoff between them. */
  confirm: { retries: number; minDelayMs: number; maxDelayMs: number };
  /** This many state changes within the window is flapping. */
  flapping: { changes: number; windowMs: number };
  /** Alert delivery: attempts per pass, and the persisted backoff between passes. */
  delivery: { minDelayMs: number; maxDelayMs: number };
  targets: TargetConfig[];
  alerts: AlertChannel[];
}

export const CONFIG_DEFAULTS = {
  database: 'mailflow-probe.db',
  schedule: '*/5 * * * *',
  queueLifetime: '24h',
  escalateBefore: ['20h', '12h', '1h'],
  reminderEvery: '4h',
  confirm: { retries: 2, minDelay: '10s', maxDelay: '60s' },
  flapping: { changes: 4, window: '1h' },
  delivery: { minDelay: '30s', maxDelay: '30m' },
} as const;

const scalar = z.union([z.string(), z.number()]);
const duration = z.string();
const probeFields = {
  port: scalar.optional(),
  mx: z.boolean().optional(),
  resolvers: z.array(z.string()).optional(),
  tlsMode: z.string().optional(),
  tlsDomain: z.string().nullable().optional(),
  caFile: z.union([z.string(), z.array(z.string())]).optional(),
  ehloName: z.string().optional(),
  timeoutMs: scalar.optional(),
  deadlineMs: scalar.optional(),
  concurrency: scalar.optional(),
  warnDays: scalar.optional(),
  schedule: z.string().optional(),
};
const targetSchema = z
  .object({ name: z.string().min(1).optional(), host: z.string().optional(), hosts: z.array(z.string()).min(1).optional(), ...probeFields })
  .strict();
const emailSchema = z
  .object({
    type: z.literal('email'),
    name: z.string().min(1).optional(),
    host: z.string(),
    port: scalar.optional(),
    tls: z.enum(['starttls', 'implicit', 'none']).optional(),
    from: z.string(),
    to: z.union([z.string(), z.array(z.string()).min(1)]),
    user: z.string().optional(),
    passwordEnv: z.string().optional(),
    password: z.unknown().optional(),
    caFile: z.union([z.string(), z.array(z.string())]).optional(),
    timeout: duration.optional(),
  })
  .strict();
const webhookSchema = z
  .object({
    type: z.literal('webhook'),
    name: z.string().min(1).optional(),
    url: z.string(),
    format: z.enum(['generic', 'teams', 'slack']).optional(),
    timeout: duration.optional(),
  })
  .strict();
const configSchema = z
  .object({
    database: z.string().min(1).optional(),
    queueLifetime: duration.optional(),
    escalateBefore: z.array(duration).optional(),
    reminderEvery: z.union([duration, z.literal(false)]).optional(),
    confirm: z.object({ retries: scalar.optional(), minDelay: duration.optional(), maxDelay: duration.optional() }).strict().optional(),
    flapping: z.object({ changes: scalar.optional(), window: duration.optional() }).strict().optional(),
    delivery: z.object({ minDelay: duration.optional(), maxDelay: duration.optional() }).strict().optional(),
    defaults: z.object(probeFields).strict().optional(),
    targets: z.array(targetSchema).min(1),
    alerts: z.array(z.discriminatedUnion('type', [emailSchema, webhookSchema])).optional(),
  })
  .strict();

type Path = (string | number)[];

function pathText(p: readonly PropertyKey[]): string {
  return p.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '') || '(top level)';
}

function valueAt(root: unknown, p: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of p) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Runs one value through a parse* function; its UsageError gets the file and the path in front. */
function at<T>(file: string, p: Path, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${file}: ${pathText(p)}: ${err.message}`);
    throw err;
  }
}

function fail(file: string, p: Path, message: string): never {
  throw new UsageError(`${file}: ${pathText(p)}: ${message}`);
}

function readCa(file: string, p: Path, list: string | string[] | undefined): string[] {
  const base = path.dirname(file);
  return [list ?? []].flat().flatMap((name, i) => {
    const where = Array.isArray(list) ? [...p, i] : p;
    let text: string;
    try {
      text = readFileSync(path.resolve(base, name), 'utf8');
    } catch (err) {
      fail(file, where, `cannot read CA file "${name}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return at(file, where, () => parseCaPem(text, name));
  });
}

/** Whether croner accepts the expression; the message names it. */
export function parseSchedule(expr: string): string {
  try {
    new Cron(expr, { paused: true }).stop();
  } catch (err) {
    throw new UsageError(`invalid schedule "${expr}": ${(err as Error).message.replace(/^CronPattern: /, '')}`);
  }
  return expr;
}

type ProbeFields = z.infer<z.ZodObject<typeof probeFields>>;

function probeOptions(file: string, p: Path, raw: ProbeFields): Omit<ProbeOptions, 'signal'> {
  const o: Omit<ProbeOptions, 'signal'> = {};
  if (raw.port !== undefined) o.port = at(file, [...p, 'port'], () => parsePort(raw.port as string | number));
  if (raw.mx !== undefined) o.mx = raw.mx;
  if (raw.resolvers) o.resolvers = raw.resolvers.map((r, i) => (at(file, [...p, 'resolvers', i], () => parseResolver(r)), r));
  if (raw.tlsMode !== undefined) o.tlsMode = at(file, [...p, 'tlsMode'], () => parseTlsMode(raw.tlsMode as string));
  if (raw.tlsDomain) o.tlsDomain = at(file, [...p, 'tlsDomain'], () => parseTlsDomain(raw.tlsDomain as string));
  if (raw.caFile !== undefined) o.ca = readCa(file, [...p, 'caFile'], raw.caFile);
  if (raw.ehloName !== undefined) o.ehloName = at(file, [...p, 'ehloName'], () => parseEhloName(raw.ehloName as string));
  if (raw.timeoutMs !== undefined) o.timeoutMs = at(file, [...p, 'timeoutMs'], () => parseInteger(raw.timeoutMs as string, 'timeout (ms)', 1, 600_000));
  if (raw.deadlineMs !== undefined) {
    o.deadlineMs = at(file, [...p, 'deadlineMs'], () => parseInteger(raw.deadlineMs as string, 'deadline (ms)', 1, 3_600_000));
  }
  if (raw.concurrency !== undefined) o.concurrency = at(file, [...p, 'concurrency'], () => parseInteger(raw.concurrency as string, 'concurrency', 1, 1024));
  if (raw.warnDays !== undefined) o.warnDays = at(file, [...p, 'warnDays'], () => parseInteger(raw.warnDays as string, 'warn days', 0, 3650));
  return o;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

function parseAddress(input: string): string {
  if (!ADDRESS.test(input)) throw new UsageError(`invalid email address "${input}"`);
  return input;
}

function channel(
  file: string,
  p: Path,
  raw: z.infer<typeof emailSchema> | z.infer<typeof webhookSchema>,
  index: number,
  env: NodeJS.ProcessEnv | null,
): AlertChannel {
  const name = raw.name ?? `${raw.type}-${index + 1}`;
  const timeoutMs = raw.timeout === undefined ? 15_000 : at(file, [...p, 'timeout'], () => parseDuration(raw.timeout, 'timeout'));
  if (raw.type === 'webhook') {
    let url: URL;
    try {
      url = new URL(raw.url);
    } catch {
      fail(file, [...p, 'url'], `invalid URL ${show(raw.url)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(file, [...p, 'url'], `invalid URL ${show(raw.url)}: must be http: or https:`);
    return { type: 'webhook', name, url: url.href, format: raw.format ?? 'generic', timeoutMs };
  }
  if (raw.password !== undefined) {
    fail(file, [...p, 'password'], 'a password is never read from the config file: put it in an environment variable and name that in passwordEnv');
  }
  const host = raw.host.trim();
  if (!/^\[?[0-9a-f:.]+\]?$/i.test(host)) at(file, [...p, 'host'], () => parseTarget(host));
  const to = [raw.to].flat().map((address, i) => at(file, Array.isArray(raw.to) ? [...p, 'to', i] : [...p, 'to'], () => parseAddress(address)));
  const from = at(file, [...p, 'from'], () => parseAddress(raw.from));
  if (raw.passwordEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.passwordEnv)) fail(file, [...p, 'passwordEnv'], `invalid environment variable name ${show(raw.passwordEnv)}`);
    if (!raw.user) fail(file, [...p, 'passwordEnv'], `"${raw.passwordEnv}" is set but no user is: name the user too`);
    if (env && env[raw.passwordEnv] === undefined) fail(file, [...p, 'passwordEnv'], `environment variable "${raw.passwordEnv}" is not set`);
  }
  const tls = raw.tls ?? 'starttls';
  return {
    type: 'email',
    name,
    host,
    port: raw.port === undefined ? (tls === 'implicit' ? 465 : 587) : at(file, [...p, 'port'], () => parsePort(raw.port as string | number)),
    tls,
    from,
    to,
    user: raw.user ?? null,
    passwordEnv: raw.passwordEnv ?? null,
    ca: readCa(file, [...p, 'caFile'], raw.caFile),
    timeoutMs,
  };
}

/**
 * Validates a parsed document (from YAML or JSON). `file` is only for the messages and
 * relative paths. `env` is where passwordEnv must be set; null skips that check (for
 * commands that send nothing, such as probe history).
 */
export function validateConfig(doc: unknown, file: string, env: NodeJS.ProcessEnv | null = process.env): MonitorConfig {
  const parsed = configSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const p = issue.path as Path;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      fail(file, [...p, key], `unknown setting ${show(key)}`);
    }
    const value = valueAt(doc, p);
    fail(file, p, value === undefined ? `missing (${issue.message})` : `${issue.message}, got ${show(value)}`);
  }
  const raw = parsed.data;
  const d = CONFIG_DEFAULTS;
  const defaults = raw.defaults ?? {};
  const defaultOptions = probeOptions(file, ['defaults'], defaults);
  const defaultSchedule = defaults.schedule === undefined ? d.schedule : at(file, ['defaults', 'schedule'], () => parseSchedule(defaults.schedule!));

  const names = new Set<string>();
  const targets = raw.targets.map((t, i): TargetConfig => {
    const p: Path = ['targets', i];
    if (t.host !== undefined && t.hosts !== undefined) fail(file, p, 'give either host or hosts, not both');
    const list = t.hosts ?? (t.host !== undefined ? [t.host] : fail(file, [...p, 'host'], 'missing: name the smart host, domain or IP address'));
    const hosts = list.map((h, j) => at(file, t.hosts ? [...p, 'hosts', j] : [...p, 'host'], () => parseTarget(h)));
    const options = { ...defaultOptions, ...probeOptions(file, p, t) };
    // The cross-field rules (domain-validation needs a TLS domain …) are the CLI's own.
    at(file, p, () => resolveSettings(hosts, options));
    const name = t.name ?? hosts.join(',');
    if (names.has(name)) fail(file, [...p, 'name'], `duplicate target name ${show(name)}: each target needs its own history`);
    names.add(name);
    const schedule = t.schedule === undefined ? defaultSchedule : at(file, [...p, 'schedule'], () => parseSchedule(t.schedule!));
    return { name, hosts, options, schedule };
  });

  const alerts = (raw.alerts ?? []).map((a, i) => channel(file, ['alerts', i], a, i, env));
  const channelNames = new Set<string>();
  alerts.forEach((a, i) => {
    if (channelNames.has(a.name)) fail(file, ['alerts', i, 'name'], `duplicate alert channel name ${show(a.name)}`);
    channelNames.add(a.name);
  });

  const dur = (p: Path, value: string, what: string): number => at(file, p, () => parseDuration(value, what));
  const queueLifetimeMs = dur(['queueLifetime'], raw.queueLifetime ?? d.queueLifetime, 'queue lifetime');
  if (queueLifetimeMs <= 0) fail(file, ['queueLifetime'], `must be longer than zero, got ${show(raw.queueLifetime)}`);
  const escalateBeforeMs = (raw.escalateBefore ?? [...d.escalateBefore]).map((v, i) => {
    const ms = dur(['escalateBefore', i], v, 'escalation threshold');
    if (ms <= 0 || ms >= queueLifetimeMs) {
      fail(file, ['escalateBefore', i], `${show(v)} must be between zero and the queue lifetime (${raw.queueLifetime ?? d.queueLifetime})`);
    }
    return ms;
  });
  const reminder = raw.reminderEvery ?? d.reminderEvery;
  const confirm = raw.confirm ?? {};
  const flapping = raw.flapping ?? {};
  const delivery = raw.delivery ?? {};
  return {
    file,
    database: path.resolve(path.dirname(file), raw.database ?? d.database),
    queueLifetimeMs,
    escalateBeforeMs: [...new Set(escalateBeforeMs)].sort((a, b) => b - a),
    reminderEveryMs: reminder === false ? null : dur(['reminderEvery'], reminder, 'reminder interval'),
    confirm: {
      retries: confirm.retries === undefined ? d.confirm.retries : at(file, ['confirm', 'retries'], () => parseInteger(confirm.retries!, 'retries', 0, 10)),
      minDelayMs: dur(['confirm', 'minDelay'], confirm.minDelay ?? d.confirm.minDelay, 'delay'),
      maxDelayMs: dur(['confirm', 'maxDelay'], confirm.maxDelay ?? d.confirm.maxDelay, 'delay'),
    },
    flapping: {
      changes: flapping.changes === undefined ? d.flapping.changes : at(file, ['flapping', 'changes'], () => parseInteger(flapping.changes!, 'changes', 2, 1000)),
      windowMs: dur(['flapping', 'window'], flapping.window ?? d.flapping.window, 'window'),
    },
    delivery: {
      minDelayMs: dur(['delivery', 'minDelay'], delivery.minDelay ?? d.delivery.minDelay, 'delay'),
      maxDelayMs: dur(['delivery', 'maxDelay'], delivery.maxDelay ?? d.delivery.maxDelay, 'delay'),
    },
    targets,
    alerts,
  };
}

/** Reads and validates FILE (YAML or JSON). Every error is a UsageError naming the file. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv | null = process.env): MonitorConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // JSON is a subset of YAML 1.2, so one parser takes both.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0];
    throw new UsageError(`${file}${line ? `:${line.line}:${line.col}` : ''}: not valid YAML or JSON: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return validateConfig(doc.toJS(), file, env);
}
