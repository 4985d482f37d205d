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
import { parseLanguage, type Language } from '../catalog/index.js';
import { parseDuration } from '../core/duration.js';
import { optionJsonSchema, optionsOf, suggestKey, type OptionKey, type OptionSpec } from '../core/option-schema.js';
import { parseInteger, parseOptionValue, parsePort, parseTarget, readCaFiles, resolveSettings, UsageError, type ProbeOptions } from '../core/options.js';
import { checkCount, INPUT_LIMITS, readBounded } from '../core/input-limits.js';
import { redactUrls } from '../report/redact.js';

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
  /** `tls: none` with a user: the config said the password may go in clear text. */
  allowPlaintextAuth: boolean;
  /** Extra trusted CA certificates (PEM) for the relay. */
  ca: string[];
  timeoutMs: number;
}

export type WebhookFormat = 'generic' | 'teams' | 'slack';

export interface WebhookChannel {
  type: 'webhook';
  name: string;
  /** The URL, when the config holds it; null when urlEnv names the variable that does. */
  url: string | null;
  /** The environment variable that holds the URL (a secret URL, or one with credentials). */
  urlEnv: string | null;
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
  /** `lang`: the language of check, watch, history and the alerts; null: `--lang`, else the locale. */
  language: Language | null;
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

/** The probe options a target (or `defaults`) takes, from the options schema. */
const CONFIG_OPTIONS = optionsOf('config') as (OptionSpec & { configKey: string })[];

/**
 * The shape of one option's value; the value itself is checked afterwards by the same
 * parse as the library's, so a bad port in the file reads like a bad --port.
 */
function optionShape(spec: OptionSpec): z.ZodType {
  switch (spec.kind) {
    case 'integer':
      return scalar;
    case 'boolean':
      return z.boolean();
    case 'strings':
      return z.array(z.string());
    case 'pem':
      return z.union([z.string(), z.array(z.string())]);
    default:
      return spec.nullable ? z.string().nullable() : z.string();
  }
}

const probeFields = {
  ...Object.fromEntries(CONFIG_OPTIONS.map((spec) => [spec.configKey, optionShape(spec).optional()])),
  schedule: z.string().optional(),
} as Record<string, z.ZodOptional<z.ZodType>> & { schedule: z.ZodOptional<z.ZodString> };
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
    allowPlaintextAuth: z.boolean().optional(),
    caFile: z.union([z.string(), z.array(z.string())]).optional(),
    timeout: duration.optional(),
  })
  .strict();
const webhookSchema = z
  .object({
    type: z.literal('webhook'),
    name: z.string().min(1).optional(),
    url: z.string().optional(),
    urlEnv: z.string().optional(),
    format: z.enum(['generic', 'teams', 'slack']).optional(),
    timeout: duration.optional(),
  })
  .strict();
const configSchema = z
  .object({
    // Where an editor finds this file's JSON Schema (probe config-schema).
    $schema: z.string().optional(),
    database: z.string().min(1).optional(),
    lang: z.string().optional(),
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

/** The object shapes a schema may be for `value`: optional and union unwrapped, a union by its `type`. */
function unwrapShape(s: z.ZodType, value: unknown): z.ZodType[] {
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) return unwrapShape(s.unwrap() as z.ZodType, value);
  if (s instanceof z.ZodUnion) {
    const options = (s.options as z.ZodType[]).flatMap((o) => unwrapShape(o, value));
    const type = (value as { type?: unknown } | null)?.type;
    const chosen = options.filter((o) => o instanceof z.ZodObject && o.shape.type instanceof z.ZodLiteral && o.shape.type.value === type);
    return chosen.length ? chosen : options;
  }
  return [s];
}

/**
 * The keys the schema knows for the object at path `p` of the document (the keys to
 * suggest from when one is misspelt). An alert channel's keys are its type's.
 */
function knownKeys(schema: z.ZodType, doc: unknown, p: Path): string[] {
  let value: unknown = doc;
  let shapes: z.ZodType[] = [schema];
  for (const key of [...p, null]) {
    shapes = shapes.flatMap((s) => unwrapShape(s, value));
    if (key === null) break;
    shapes = shapes.flatMap((s) => {
      if (s instanceof z.ZodObject && typeof key === 'string' && key in s.shape) return [s.shape[key] as z.ZodType];
      if (s instanceof z.ZodArray && typeof key === 'number') return [s.element as z.ZodType];
      return [];
    });
    value = (value as Record<PropertyKey, unknown> | null)?.[key];
  }
  return [...new Set(shapes.flatMap((s) => (s instanceof z.ZodObject ? Object.keys(s.shape) : [])))];
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

/** CA files named in the config, relative to it; an error names the entry. */
function readCa(file: string, p: Path, list: string | string[] | undefined): string[] {
  const base = path.dirname(file);
  return [list ?? []].flat().flatMap((name, i) => at(file, Array.isArray(list) ? [...p, i] : p, () => readCaFiles([name], base)));
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

/** A target's (or the defaults') probe options, each value checked where it stands. */
function probeOptions(file: string, p: Path, raw: Record<string, unknown>): Omit<ProbeOptions, 'signal'> {
  const o: Record<string, unknown> = {};
  for (const spec of CONFIG_OPTIONS) {
    const value = raw[spec.configKey];
    const where: Path = [...p, spec.configKey];
    // An empty or null TLS domain is no TLS domain.
    if (value === undefined || (spec.nullable && !value)) continue;
    if (spec.kind === 'pem') o[spec.key] = readCa(file, where, value as string | string[]);
    // A list keeps its text (resolvers as written); each entry is checked.
    else if (spec.kind === 'strings') o[spec.key] = (value as string[]).map((v, i) => (at(file, [...where, i], () => parseOptionValue(spec.key as OptionKey, v)), v));
    else o[spec.key] = at(file, where, () => parseOptionValue(spec.key as OptionKey, value));
  }
  return o as Omit<ProbeOptions, 'signal'>;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

function parseAddress(input: string): string {
  if (!ADDRESS.test(input)) throw new UsageError(`invalid email address "${input}"`);
  return input;
}

/** An environment variable a channel reads a secret from: a valid name, set (unless env is null). */
function envVariable(file: string, p: Path, name: string, env: NodeJS.ProcessEnv | null): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(file, p, `invalid environment variable name ${show(name)}`);
  if (env && env[name] === undefined) fail(file, p, `environment variable "${name}" is not set`);
  return env?.[name];
}

/** An alert's whole delivery (connect, TLS, every command or the HTTP exchange) within this. */
const ALERT_TIMEOUT = { defaultMs: 15_000, maxMs: 600_000 } as const;

/** A webhook URL: http(s), and no credentials in it (fetch refuses them, and they would be printed). */
function webhookUrl(text: string): URL | 'invalid' | 'scheme' | 'credentials' {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'scheme';
  return url.username || url.password ? 'credentials' : url;
}

function channel(
  file: string,
  p: Path,
  raw: z.infer<typeof emailSchema> | z.infer<typeof webhookSchema>,
  index: number,
  env: NodeJS.ProcessEnv | null,
): AlertChannel {
  const name = raw.name ?? `${raw.type}-${index + 1}`;
  let timeoutMs: number = ALERT_TIMEOUT.defaultMs;
  if (raw.timeout !== undefined) {
    timeoutMs = at(file, [...p, 'timeout'], () => parseDuration(raw.timeout, 'timeout', ALERT_TIMEOUT.maxMs));
    if (timeoutMs <= 0) fail(file, [...p, 'timeout'], `must be longer than zero, got ${show(raw.timeout)}`);
  }
  if (raw.type === 'webhook') {
    if (raw.url !== undefined && raw.urlEnv !== undefined) fail(file, p, 'give either url or urlEnv, not both');
    if (raw.urlEnv !== undefined) {
      const value = envVariable(file, [...p, 'urlEnv'], raw.urlEnv, env);
      // Credentials in the variable's URL are sent as HTTP Basic authentication (send.ts).
      if (value !== undefined && ['invalid', 'scheme'].includes(webhookUrl(value) as string)) {
        fail(file, [...p, 'urlEnv'], `environment variable "${raw.urlEnv}" does not hold an http: or https: URL`);
      }
      return { type: 'webhook', name, url: null, urlEnv: raw.urlEnv, format: raw.format ?? 'generic', timeoutMs };
    }
    if (raw.url === undefined) fail(file, [...p, 'url'], 'missing: give url, or urlEnv naming the environment variable that holds it');
    const url = webhookUrl(raw.url);
    const shown = redactUrls(show(raw.url));
    if (url === 'invalid') fail(file, [...p, 'url'], `invalid URL ${shown}`);
    if (url === 'scheme') fail(file, [...p, 'url'], `invalid URL ${shown}: must be http: or https:`);
    if (url === 'credentials') fail(file, [...p, 'url'], `${shown} holds credentials: put the whole URL in an environment variable and name it in urlEnv`);
    return { type: 'webhook', name, url: url.href, urlEnv: null, format: raw.format ?? 'generic', timeoutMs };
  }
  if (raw.password !== undefined) {
    fail(file, [...p, 'password'], 'a password is never read from the config file: put it in an environment variable and name that in passwordEnv');
  }
  const host = raw.host.trim();
  if (!/^\[?[0-9a-f:.]+\]?$/i.test(host)) at(file, [...p, 'host'], () => parseTarget(host));
  const to = [raw.to].flat().map((address, i) => at(file, Array.isArray(raw.to) ? [...p, 'to', i] : [...p, 'to'], () => parseAddress(address)));
  const from = at(file, [...p, 'from'], () => parseAddress(raw.from));
  if (raw.passwordEnv !== undefined) {
    if (!raw.user) fail(file, [...p, 'passwordEnv'], `"${raw.passwordEnv}" is set but no user is: name the user too`);
    envVariable(file, [...p, 'passwordEnv'], raw.passwordEnv, env);
  }
  const tls = raw.tls ?? 'starttls';
  // RFC 4954 §4: AUTH PLAIN/LOGIN over an unencrypted connection gives the password away.
  if (tls === 'none' && raw.user && raw.allowPlaintextAuth !== true) {
    fail(file, [...p, 'tls'], '"none" with a user would send the password in clear text: use starttls or implicit, or set allowPlaintextAuth: true');
  }
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
    allowPlaintextAuth: raw.allowPlaintextAuth === true,
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
      const near = suggestKey(key, knownKeys(configSchema, doc, p), 'config');
      fail(file, [...p, key], `unknown setting ${show(key)}${near ? `: did you mean ${show(near)}?` : ''}`);
    }
    const value = valueAt(doc, p);
    fail(file, p, value === undefined ? `missing (${issue.message})` : `${issue.message}, got ${show(value)}`);
  }
  const raw = parsed.data;
  const d = CONFIG_DEFAULTS;
  const defaults: { schedule?: string } = raw.defaults ?? {};
  const defaultOptions = probeOptions(file, ['defaults'], defaults);
  const defaultSchedule = defaults.schedule === undefined ? d.schedule : at(file, ['defaults', 'schedule'], () => parseSchedule(defaults.schedule!));

  at(file, ['targets'], () => checkCount(raw.targets.length, INPUT_LIMITS.targets, 'targets'));
  const names = new Set<string>();
  const targets = raw.targets.map((t, i): TargetConfig => {
    const p: Path = ['targets', i];
    if (t.host !== undefined && t.hosts !== undefined) fail(file, p, 'give either host or hosts, not both');
    if (t.hosts) at(file, [...p, 'hosts'], () => checkCount(t.hosts!.length, INPUT_LIMITS.hostsPerTarget, 'hosts'));
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

  // Every duration within its real range: the dates it produces stay valid, and a delay
  // stays within what a timer can wait (Node's timers hold at most 2^31 - 1 ms, ~24.8 days).
  const dur = (p: Path, value: string, what: string, maxMs: number, positive = false): number => {
    const ms = at(file, p, () => parseDuration(value, what, maxMs));
    if (positive && ms <= 0) fail(file, p, `must be longer than zero, got ${show(value)}`);
    return ms;
  };
  const ordered = (p: Path, minMs: number, maxMs: number, value: string, minName: string, minValue: string): number => {
    if (maxMs < minMs) fail(file, p, `${show(value)} is shorter than ${minName} (${minValue})`);
    return maxMs;
  };
  const queueLifetimeMs = dur(['queueLifetime'], raw.queueLifetime ?? d.queueLifetime, 'queue lifetime', DURATION_LIMITS.queueLifetimeMs, true);
  const escalateBeforeMs = (raw.escalateBefore ?? [...d.escalateBefore]).map((v, i) => {
    const ms = dur(['escalateBefore', i], v, 'escalation threshold', DURATION_LIMITS.queueLifetimeMs);
    if (ms <= 0 || ms >= queueLifetimeMs) {
      fail(file, ['escalateBefore', i], `${show(v)} must be between zero and the queue lifetime (${raw.queueLifetime ?? d.queueLifetime})`);
    }
    return ms;
  });
  const reminder = raw.reminderEvery ?? d.reminderEvery;
  const confirm = raw.confirm ?? {};
  const flapping = raw.flapping ?? {};
  const delivery = raw.delivery ?? {};
  const confirmMin = confirm.minDelay ?? d.confirm.minDelay;
  const confirmMax = confirm.maxDelay ?? d.confirm.maxDelay;
  const confirmMinMs = dur(['confirm', 'minDelay'], confirmMin, 'delay', DURATION_LIMITS.confirmDelayMs);
  const confirmMaxMs = dur(['confirm', 'maxDelay'], confirmMax, 'delay', DURATION_LIMITS.confirmDelayMs);
  const deliveryMin = delivery.minDelay ?? d.delivery.minDelay;
  const deliveryMax = delivery.maxDelay ?? d.delivery.maxDelay;
  const deliveryMinMs = dur(['delivery', 'minDelay'], deliveryMin, 'delay', DURATION_LIMITS.deliveryDelayMs, true);
  const deliveryMaxMs = dur(['delivery', 'maxDelay'], deliveryMax, 'delay', DURATION_LIMITS.deliveryDelayMs, true);
  return {
    file,
    database: path.resolve(path.dirname(file), raw.database ?? d.database),
    queueLifetimeMs,
    escalateBeforeMs: [...new Set(escalateBeforeMs)].sort((a, b) => b - a),
    reminderEveryMs: reminder === false ? null : dur(['reminderEvery'], reminder, 'reminder interval', DURATION_LIMITS.reminderMs, true),
    confirm: {
      retries: confirm.retries === undefined ? d.confirm.retries : at(file, ['confirm', 'retries'], () => parseInteger(confirm.retries!, 'retries', 0, 10)),
      minDelayMs: confirmMinMs,
      // A maxDelay given alone below the default minDelay was silently raised before; only an explicit pair is checked.
      maxDelayMs: confirm.maxDelay !== undefined && confirm.minDelay !== undefined ? ordered(['confirm', 'maxDelay'], confirmMinMs, confirmMaxMs, confirmMax, 'confirm.minDelay', confirmMin) : confirmMaxMs,
    },
    flapping: {
      changes: flapping.changes === undefined ? d.flapping.changes : at(file, ['flapping', 'changes'], () => parseInteger(flapping.changes!, 'changes', 2, 1000)),
      windowMs: dur(['flapping', 'window'], flapping.window ?? d.flapping.window, 'window', DURATION_LIMITS.flappingWindowMs, true),
    },
    delivery: {
      minDelayMs: deliveryMinMs,
      maxDelayMs: delivery.maxDelay !== undefined && delivery.minDelay !== undefined ? ordered(['delivery', 'maxDelay'], deliveryMinMs, deliveryMaxMs, deliveryMax, 'delivery.minDelay', deliveryMin) : deliveryMaxMs,
    },
    targets,
    alerts,
    language: raw.lang === undefined ? null : at(file, ['lang'], () => parseLanguage(raw.lang!)),
  };
}

/**
 * The range of each duration in the file. The queue lifetime: Microsoft documents 24 h
 * (48 h before 2017); 30 days leaves room for any other MTA's queue. A confirmation delay
 * holds up a pass, so an hour at most; a delivery retry a day.
 */
export const DURATION_LIMITS = {
  queueLifetimeMs: 30 * 86_400_000,
  reminderMs: 30 * 86_400_000,
  flappingWindowMs: 30 * 86_400_000,
  confirmDelayMs: 3_600_000,
  deliveryDelayMs: 86_400_000,
} as const;

/** Reads and validates FILE (YAML or JSON). Every error is a UsageError naming the file. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv | null = process.env): MonitorConfig {
  // Measured before it is read: a 50 MB file must not cost a minute and gigabytes to refuse.
  const text = readBounded(file, INPUT_LIMITS.configBytes, 'config file').toString('utf8');
  // JSON is a subset of YAML 1.2, so one parser takes both.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0];
    throw new UsageError(`${file}${line ? `:${line.line}:${line.col}` : ''}: not valid YAML or JSON: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  let data: unknown;
  try {
    // yaml counts alias expansions and throws past maxAliasCount (a "billion laughs" document).
    data = doc.toJS({ maxAliasCount: INPUT_LIMITS.yamlAliases });
  } catch (err) {
    // The only ReferenceError toJS throws once doc.errors is empty: too many aliases.
    const message = err instanceof ReferenceError
      ? `aliases expand too much (more than ${INPUT_LIMITS.yamlAliases} times): refused as a resource exhaustion attack`
      : (err as Error).message.split('\n')[0];
    throw new UsageError(`${file}: not valid YAML or JSON: ${message}`);
  }
  return validateConfig(data, file, env);
}

/**
 * The JSON Schema (draft 2020-12) of the config file, for editors and CI: its shape from
 * the zod schema above, and each probe option's type, bounds, choices, default and help
 * from the options schema. `probe config-schema` prints it.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  const properties = schema.properties as Record<string, { properties?: Record<string, unknown>; items?: { properties?: Record<string, unknown> } }>;
  for (const fields of [properties.defaults?.properties, properties.targets?.items?.properties]) {
    if (!fields) throw new Error('config schema: no defaults or targets properties');
    for (const spec of CONFIG_OPTIONS) fields[spec.configKey] = optionJsonSchema(spec);
    fields.schedule = { type: 'string', description: 'cron: minute hour day month weekday (6 fields: seconds first)', default: CONFIG_DEFAULTS.schedule };
  }
  return {
    $schema: schema.$schema,
    title: 'mailflow-probe scheduled checks',
    ...schema,
  };
}
