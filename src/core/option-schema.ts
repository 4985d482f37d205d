/**
 * Every probe option, described once: its library name (a `ProbeOptions` key), type,
 * bounds, default, help, and how each door spells it — the CLI flag of `probe`,
 * `probe explain`, `probe verify` and `probe serve`, the scheduled-checks config key,
 * the `--targets` file key. The commander options (cli-flags.ts), the config's schema
 * and its JSON Schema (config.ts), the targets-file keys (targets.ts) and the library's
 * validation (options.ts) all derive from this table; none lists the options again.
 *
 * Pure data: the CLI loads it at start-up, so it imports nothing heavy.
 */
import { REVOCATION_MODES } from '../../probes/revocation-modes.js';
import { TLS_MODES } from '../../probes/stage.js';
import { didYouMean } from './did-you-mean.js';

/**
 * Where an option can be given, besides the library's `probe(targets, options)`.
 * `scheduled` is the flags of `probe check`, `probe watch` and `probe history`.
 */
export type Door = 'probe' | 'explain' | 'verify' | 'serve' | 'scheduled' | 'config' | 'targets';

/**
 * How a value is read. `pem` is PEM text in the library, file names everywhere else
 * (read by readCaFiles); `signal` and `function` exist in the library only.
 */
export type OptionKind = 'integer' | 'boolean' | 'string' | 'strings' | 'choice' | 'pem' | 'signal' | 'function' | 'cache';

export interface OptionFlag {
  /** `--port`; a boolean option on by default is turned off by `--no-NAME`. */
  long: string;
  short?: string;
  /** `<port>`; none for a boolean. */
  value?: string;
  repeatable?: boolean;
  /** Left out of --help (options that exist for tests). */
  hidden?: boolean;
  /** A boolean on by default that `long` also turns on: the help of its `--no-NAME` form, which turns it off. */
  negatedHelp?: string;
}

export interface OptionSpec {
  /** The ProbeOptions key. */
  key: string;
  kind: OptionKind;
  /** How error messages name it: `invalid ${what} "…"`. */
  what: string;
  /** Bounds of an integer, inclusive. */
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** The default when not given; absent when computed (the EHLO name) or none. */
  default?: number | string | boolean;
  /** A string option that may also be null (null: not given). */
  nullable?: boolean;
  help: string;
  /** A door's own wording of the help, where the option means something narrower there. */
  helpIn?: Partial<Record<Door, string>>;
  flag?: OptionFlag;
  configKey?: string;
  targetsKey?: string;
  /** The doors besides the library. */
  doors: readonly Door[];
}

const CLI: readonly Door[] = ['probe', 'explain', 'verify', 'serve'];
const EVERYWHERE: readonly Door[] = [...CLI, 'config', 'targets'];

export const OPTION_SPECS = [
  {
    key: 'port',
    kind: 'integer',
    what: 'port',
    min: 1,
    max: 65535,
    default: 25,
    help: 'TCP port (connectors always use 25)',
    helpIn: { explain: 'TCP port to re-check (Exchange always uses 25)' },
    flag: { long: '--port', short: '-p', value: '<port>' },
    configKey: 'port',
    targetsKey: 'port',
    doors: EVERYWHERE,
  },
  {
    key: 'mx',
    kind: 'boolean',
    what: 'mx',
    default: true,
    help: "skip the MX lookup: use the names' own A/AAAA records",
    helpIn: { explain: 'skip the MX lookup of the server name' },
    flag: { long: '--no-mx' },
    configKey: 'mx',
    targetsKey: 'mx',
    // verify takes MX or not from each connector (UseMXRecord).
    doors: ['probe', 'explain', 'serve', 'config', 'targets'],
  },
  {
    key: 'resolvers',
    kind: 'strings',
    what: 'resolver',
    help: "DNS server to ask (repeatable); default: the system's",
    flag: { long: '--resolver', short: '-r', value: '<ip[:port]>', repeatable: true },
    configKey: 'resolvers',
    targetsKey: 'resolver',
    doors: EVERYWHERE,
  },
  {
    key: 'tlsMode',
    kind: 'choice',
    what: 'TLS mode',
    choices: TLS_MODES,
    default: 'certificate-validation',
    help: "the connector's TlsSettings (default certificate-validation)",
    helpIn: {
      explain: "the connector's TlsSettings for the re-check (default certificate-validation)",
      verify: 'TlsSettings for plain targets (default certificate-validation)',
    },
    flag: { long: '--tls-mode', short: '-t', value: '<mode>' },
    configKey: 'tlsMode',
    targetsKey: 'tls-mode',
    doors: EVERYWHERE,
  },
  {
    key: 'tlsDomain',
    kind: 'string',
    what: 'TLS domain',
    nullable: true,
    help: "the connector's TlsDomain, e.g. *.contoso.com (implies domain-validation)",
    helpIn: { verify: 'TlsDomain for plain targets (implies domain-validation)' },
    flag: { long: '--tls-domain', short: '-d', value: '<name>' },
    configKey: 'tlsDomain',
    targetsKey: 'tls-domain',
    doors: EVERYWHERE,
  },
  {
    key: 'ca',
    kind: 'pem',
    what: 'CA file',
    help: 'extra trusted CA certificates, PEM (repeatable)',
    flag: { long: '--ca-file', value: '<pem>', repeatable: true },
    configKey: 'caFile',
    targetsKey: 'ca-file',
    doors: EVERYWHERE,
  },
  {
    key: 'ehloName',
    kind: 'string',
    what: 'EHLO name',
    help: "the name to send in EHLO (default: this host's name if fully qualified, else the address literal of the connection's source address)",
    flag: { long: '--ehlo-name', value: '<name>' },
    configKey: 'ehloName',
    targetsKey: 'ehlo-name',
    doors: EVERYWHERE,
  },
  {
    key: 'sourceAddress',
    kind: 'string',
    what: 'source address',
    nullable: true,
    help: 'the local IP address to connect from (paths of the other address family fail)',
    flag: { long: '--source-address', value: '<ip>' },
    configKey: 'sourceAddress',
    targetsKey: 'source-address',
    doors: EVERYWHERE,
  },
  {
    key: 'restrictedToMicrosoft365',
    kind: 'boolean',
    what: 'restricted to Microsoft 365',
    default: false,
    help: "the smart host accepts only Microsoft 365's addresses: a refusal seen from elsewhere is unverifiable, not failing",
    flag: { long: '--restricted-to-m365' },
    configKey: 'restrictedToMicrosoft365',
    targetsKey: 'restricted-to-m365',
    doors: EVERYWHERE,
  },
  {
    key: 'm365Ranges',
    kind: 'string',
    what: 'Microsoft 365 ranges file',
    nullable: true,
    help: "a file of the address ranges Exchange Online delivers from (one CIDR a line), instead of the bundled list",
    flag: { long: '--m365-ranges', value: '<file>' },
    configKey: 'm365Ranges',
    targetsKey: 'm365-ranges',
    doors: EVERYWHERE,
  },
  {
    key: 'timeoutMs',
    kind: 'integer',
    what: 'timeout (ms)',
    min: 1,
    max: 600_000,
    default: 10_000,
    help: 'the most one stage may wait, in ms (default 10000)',
    flag: { long: '--timeout', value: '<ms>' },
    configKey: 'timeoutMs',
    targetsKey: 'timeout',
    doors: EVERYWHERE,
  },
  {
    key: 'deadlineMs',
    kind: 'integer',
    what: 'deadline (ms)',
    min: 1,
    max: 3_600_000,
    default: 60_000,
    help: 'the most the whole probe may take, in ms (default 60000)',
    helpIn: {
      explain: 'the most each re-check may take, in ms (default 60000)',
      verify: "the most one connector's probe may take, in ms (default 60000)",
      serve: 'the most one probe may take, in ms (default 60000; never beyond the request timeout)',
    },
    flag: { long: '--deadline', value: '<ms>' },
    configKey: 'deadlineMs',
    targetsKey: 'deadline',
    doors: EVERYWHERE,
  },
  {
    key: 'concurrency',
    kind: 'integer',
    what: 'concurrency',
    min: 1,
    max: 1024,
    default: 8,
    help: 'paths probed at once (default 8)',
    helpIn: { probe: 'paths probed at once (default 8); with --targets, targets probed at once (default 64)' },
    flag: { long: '--concurrency', value: '<n>' },
    configKey: 'concurrency',
    targetsKey: 'concurrency',
    doors: EVERYWHERE,
  },
  {
    key: 'warnDays',
    kind: 'integer',
    what: 'warn days',
    min: 0,
    max: 3650,
    default: 30,
    help: 'warn when a certificate expires within this many days (default 30)',
    flag: { long: '--warn-days', value: '<n>' },
    configKey: 'warnDays',
    targetsKey: 'warn-days',
    doors: EVERYWHERE,
  },
  {
    key: 'revocation',
    kind: 'choice',
    what: 'revocation mode',
    choices: REVOCATION_MODES,
    default: 'soft',
    help: 'revocation check (stapled OCSP, CRL): off, soft = unreachable is a warning (default), hard = unreachable fails',
    flag: { long: '--revocation', value: '<mode>' },
    configKey: 'revocation',
    targetsKey: 'revocation',
    doors: EVERYWHERE,
  },
  {
    key: 'policies',
    kind: 'boolean',
    what: 'policies',
    // On: every target that resolves by MX has its recipient domain's DANE, MTA-STS and
    // TLS-RPT checked, as Exchange Online applies them when it delivers by MX. Smart-host
    // routes (a name without MX, --no-mx) and IP addresses are never checked.
    default: true,
    help: "check the recipient domain's DANE, MTA-STS and TLS-RPT on MX routes (the default; sends DNS queries and one HTTPS request)",
    flag: { long: '--policies', negatedHelp: "do not check the recipient domain's DANE, MTA-STS and TLS-RPT (MX routes)" },
    configKey: 'policies',
    targetsKey: 'policies',
    doors: EVERYWHERE,
  },
  {
    key: 'mtaStsPort',
    kind: 'integer',
    what: 'MTA-STS port',
    min: 1,
    max: 65535,
    help: 'HTTPS port of the MTA-STS policy host (443 in the world; for tests)',
    flag: { long: '--mta-sts-port', value: '<port>', hidden: true },
    doors: CLI,
  },
  {
    key: 'language',
    kind: 'string',
    what: 'language',
    help: 'language of the diagnosis: en or pt-BR (default: from LC_ALL/LC_MESSAGES/LANG, else en)',
    helpIn: {
      explain: 'language: en or pt-BR (default: from the locale, else en)',
      verify: 'language of the report: en or pt-BR; --json stays English (default: from the locale, else en)',
      serve: 'language of the status page and the diagnoses: en or pt-BR (default: from the locale, else en)',
      scheduled: "language of the reports, the log and the alerts: en or pt-BR; JSON stays English (default: the config's lang, else from the locale, else en)",
    },
    flag: { long: '--lang', value: '<lang>' },
    // verify words its reports in it, serve its status page, check/watch/history their
    // reports and alerts; their JSON stays English. (The config's own `lang` key is read by
    // src/scheduled/config.ts, a setting of the whole file, not of a target.)
    doors: ['probe', 'explain', 'verify', 'serve', 'scheduled'],
  },
  { key: 'signal', kind: 'signal', what: 'signal', help: "cancels the probe (a user's Ctrl-C): the result says cancelled", doors: [] },
  {
    key: 'revocationCache',
    kind: 'cache',
    what: 'revocationCache',
    help: 'the CRL cache the probe shares (default: the process-wide one)',
    doors: [],
  },
  {
    key: 'addressFilter',
    kind: 'function',
    what: 'addressFilter',
    help: 'called with every resolved address before any connection; a string returned refuses it',
    doors: [],
  },
] as const satisfies readonly OptionSpec[];

/** A ProbeOptions key. */
export type OptionKey = (typeof OPTION_SPECS)[number]['key'];

export const OPTIONS: readonly OptionSpec[] = OPTION_SPECS;

const SPECS_BY_KEY = new Map<string, OptionSpec>(OPTIONS.map((o) => [o.key, o]));

/** The spec of a ProbeOptions key. (A map: every probe() looks up a dozen options.) */
export function optionSpec(key: OptionKey): OptionSpec {
  return SPECS_BY_KEY.get(key) as OptionSpec;
}

/** The options a door takes. */
export function optionsOf(door: Door): OptionSpec[] {
  return OPTIONS.filter((o) => o.doors.includes(door));
}

/** The help of an option in a door. */
export function helpOf(spec: OptionSpec, door: Door): string {
  return spec.helpIn?.[door] ?? spec.help;
}

/** The property commander stores a flag's value under: `--ca-file` → caFile, `--no-mx` → mx. */
export function flagAttribute(flag: OptionFlag): string {
  return flag.long
    .replace(/^--(no-)?/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** How a door spells an option, if it takes it: `--tls-mode`, `tlsMode`, `tls-mode`. */
export function spellingIn(spec: OptionSpec, door: Door | 'library'): string | undefined {
  if (door === 'library') return spec.key;
  if (!spec.doors.includes(door)) return undefined;
  if (door === 'config') return spec.configKey;
  if (door === 'targets') return spec.targetsKey;
  return spec.flag?.long;
}

/**
 * "did you mean" for a key one door does not know: another door's spelling of an
 * option (`caFile` given to the library, `timeout` in the config) names that option
 * in this door's spelling; anything else, the nearest of `known` by edit distance.
 */
export function suggestKey(input: string, known: readonly string[], door: Door | 'library'): string | null {
  const aliases: Record<string, string> = {};
  for (const spec of OPTIONS) {
    const own = spellingIn(spec, door);
    if (own === undefined || !known.includes(own)) continue;
    const others = [spec.key, spec.configKey, spec.targetsKey, spec.flag?.long.replace(/^--(no-)?/, ''), spec.flag && flagAttribute(spec.flag)];
    for (const other of others) if (other !== undefined && other !== own) aliases[other] = own;
  }
  return didYouMean(input, known, aliases);
}

/** The part of a JSON Schema that describes one option's value in the config file. */
export function optionJsonSchema(spec: OptionSpec): Record<string, unknown> {
  const described = { description: spec.help, ...(spec.default !== undefined ? { default: spec.default } : {}) };
  switch (spec.kind) {
    case 'integer':
      // A number, or its digits as a string (YAML "25"): the text is checked the same way.
      return {
        ...described,
        anyOf: [
          { type: 'integer', minimum: spec.min, maximum: spec.max },
          { type: 'string', pattern: '^\\s*[0-9]+\\s*$' },
        ],
      };
    case 'boolean':
      return { ...described, type: 'boolean' };
    case 'choice':
      return { ...described, type: 'string', enum: [...(spec.choices ?? [])] };
    case 'string':
      return { ...described, type: spec.nullable ? ['string', 'null'] : 'string' };
    case 'strings':
      return { ...described, type: 'array', items: { type: 'string' } };
    case 'pem':
      return {
        ...described,
        description: `${spec.help}: file names, relative to the config file`,
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      };
    case 'signal':
    case 'function':
    case 'cache':
      throw new Error(`${spec.key} has no JSON form`);
  }
}
