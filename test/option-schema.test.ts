/**
 * One options schema, every door: each probe option is taken by every command and file
 * the schema says it applies to (and refused by the others), reaches the resolved
 * settings with the right value, and a misspelt option is named with the nearest valid
 * one. The config's JSON Schema is checked with a real validator (ajv, draft 2020-12).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildProgram } from '../src/cli/program.js';
import { probeOptionsFromFlags } from '../src/cli/flags.js';
import { OPTION_HELP_PT_BR } from '../src/catalog/option-help.js';
import { configJsonSchema, validateConfig } from '../src/scheduled/config.js';
import { didYouMean, editDistance } from '../src/core/did-you-mean.js';
import { probe } from '../src/core/engine.js';
import { EXAMPLE_CONFIG } from '../src/scheduled/init.js';
import { OPTIONS, optionsOf, type Door, type OptionKey, type OptionSpec } from '../src/core/option-schema.js';
import { resolveSettings, UsageError, type ProbeOptions, type Settings } from '../src/core/options.js';
import { loadNamedTargets } from '../src/fleet/target-sources.js';
import { parseTargetsFile } from '../src/fleet/targets.js';
import { certSet } from './fixtures/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mailflow-options-'));
const caPath = path.join(dir, 'root.pem');
const rootPem = certSet().root.cert;
writeFileSync(caPath, rootPem);
const rangesPath = path.join(dir, 'm365.txt');
writeFileSync(rangesPath, '# test ranges\n127.0.0.0/8\n');

const HOST = 'mx1.demo.test';

/**
 * One value per option, as each door spells it, and where it lands. Every option the
 * schema gives a door must have a sample here (checked below), so a new option cannot
 * join the schema untested.
 */
interface Sample {
  /** Command-line arguments that give it. */
  argv: string[];
  /** Its value in the config file. */
  config?: unknown;
  /** Its `key=value` value in a targets file. */
  targets?: string;
  /** Where it lands: in the resolved settings, or (language) in the options. */
  landed(settings: Settings, options: ProbeOptions): unknown;
  want: unknown;
}

const SAMPLES: Record<Exclude<OptionKey, 'signal' | 'addressFilter' | 'revocationCache'>, Sample> = {
  port: { argv: ['--port', '2525'], config: 2525, targets: '2525', landed: (s) => s.port, want: 2525 },
  mx: { argv: ['--no-mx'], config: false, targets: 'no', landed: (s) => s.mx, want: false },
  resolvers: {
    argv: ['--resolver', '127.0.0.1:5353', '-r', '[::1]:5300'],
    config: ['127.0.0.1:5353', '[::1]:5300'],
    landed: (s) => s.resolvers,
    want: [
      { host: '127.0.0.1', port: 5353 },
      { host: '::1', port: 5300 },
    ],
  },
  tlsMode: { argv: ['--tls-mode', 'encryption-only'], config: 'encryption-only', targets: 'encryption-only', landed: (s) => s.tlsMode, want: 'encryption-only' },
  tlsDomain: {
    argv: ['-d', '*.Demo.test'],
    config: '*.Demo.test',
    targets: '*.Demo.test',
    // The rule: a TLS domain implies domain-validation.
    landed: (s) => [s.tlsMode, s.tlsDomain],
    want: ['domain-validation', '*.demo.test'],
  },
  ca: { argv: ['--ca-file', caPath], config: 'root.pem', targets: 'root.pem', landed: (s) => s.ca, want: [rootPem.trim()] },
  ehloName: { argv: ['--ehlo-name', 'Probe.Demo.Test'], config: 'Probe.Demo.Test', targets: 'Probe.Demo.Test', landed: (s) => s.ehloName, want: 'probe.demo.test' },
  sourceAddress: { argv: ['--source-address', '127.0.0.2'], config: '127.0.0.2', targets: '127.0.0.2', landed: (s) => s.sourceAddress, want: '127.0.0.2' },
  restrictedToMicrosoft365: { argv: ['--restricted-to-m365'], config: true, targets: 'yes', landed: (s) => s.restrictedToMicrosoft365, want: true },
  m365Ranges: { argv: ['--m365-ranges', rangesPath], config: rangesPath, targets: rangesPath, landed: (s) => s.m365Ranges, want: ['127.0.0.0/8'] },
  timeoutMs: { argv: ['--timeout', '1500'], config: 1500, targets: '1500', landed: (s) => s.timeoutMs, want: 1500 },
  deadlineMs: { argv: ['--deadline', '30000'], config: '30000', targets: '30000', landed: (s) => s.deadlineMs, want: 30000 },
  concurrency: { argv: ['--concurrency', '3'], config: 3, targets: '3', landed: (s) => s.concurrency, want: 3 },
  warnDays: { argv: ['--warn-days', '0'], config: 0, targets: '0', landed: (s) => s.warnDays, want: 0 },
  revocation: { argv: ['--revocation', 'hard'], config: 'hard', targets: 'hard', landed: (s) => s.revocation, want: 'hard' },
  policies: { argv: ['--policies'], config: true, targets: 'yes', landed: (s) => s.policies, want: true },
  mtaStsPort: { argv: ['--mta-sts-port', '8443'], landed: (s) => s.mtaStsPort, want: 8443 },
  language: { argv: ['--lang', 'pt-BR'], landed: (_s, o) => o.language, want: 'pt-BR' },
};

const CLI_DOORS = ['probe', 'explain', 'verify', 'serve'] as const;

/** What the real program's command for `door` hands its action, for `argv`. */
async function commanderOptions(door: (typeof CLI_DOORS)[number], argv: string[]): Promise<Record<string, unknown>> {
  const program = buildProgram();
  program.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  const command = door === 'probe' ? program : (program.commands.find((c) => c.name() === door) as Command);
  let seen: Record<string, unknown> | undefined;
  command.action((...args: unknown[]) => {
    seen = (args.at(-1) as Command).opts();
  });
  const positional = door === 'serve' ? [] : [HOST];
  await program.parseAsync(['node', 'probe', ...(door === 'probe' ? [] : [door]), ...argv, ...positional]);
  if (!seen) throw new Error(`the ${door} action did not run`);
  return seen;
}

function settingsOf(options: ProbeOptions): Settings {
  return resolveSettings(HOST, options);
}

const withDoor = (door: Door): [string, OptionSpec][] => optionsOf(door).map((spec) => [spec.key, spec]);

describe('the schema describes every option, and every option has a sample', () => {
  it('each option with a door has a sample value for it', () => {
    for (const spec of OPTIONS) {
      if (!spec.doors.length) continue;
      const sample = SAMPLES[spec.key as keyof typeof SAMPLES];
      expect(sample, spec.key).toBeDefined();
      if (spec.configKey) expect(sample.config, `${spec.key} config`).toBeDefined();
      if (spec.targetsKey && spec.kind !== 'strings') expect(sample.targets, `${spec.key} targets`).toBeDefined();
    }
  });

  it('an option has one flag, one config key and one targets key across the schema', () => {
    for (const field of ['configKey', 'targetsKey'] as const) {
      const keys = OPTIONS.map((o) => o[field]).filter(Boolean);
      expect(new Set(keys).size, field).toBe(keys.length);
    }
    const flags = OPTIONS.flatMap((o) => (o.flag ? [o.flag.long, ...(o.flag.short ? [o.flag.short] : [])] : []));
    expect(new Set(flags).size).toBe(flags.length);
  });
});

describe.each(CLI_DOORS)('probe %s: every probe flag of the schema', (door) => {
  it.each(withDoor(door).filter(([, spec]) => spec.flag))('--%s reaches the settings', async (key) => {
    const sample = SAMPLES[key as keyof typeof SAMPLES];
    const options = probeOptionsFromFlags(await commanderOptions(door, sample.argv), door);
    expect(sample.landed(settingsOf(options), options)).toEqual(sample.want);
  });

  it('--tls-mode offers the TLS modes as choices and refuses another', async () => {
    const error = await commanderOptions(door, ['--tls-mode', 'strict']).then(
      () => null,
      (err: unknown) => err,
    );
    expect((error as CommanderError).code).toBe('commander.invalidArgument');
  });
});

// Pairs (command, option) the schema keeps apart: verify takes MX from each connector.
// (verify and serve take --lang since issue 19: their reports and status page in pt-BR.)
const NOT_TAKEN = CLI_DOORS.flatMap((door) => OPTIONS.filter((o) => o.flag && !o.doors.includes(door)).map((o) => [door, o.key] as const));

it('the schema keeps some options from some commands', () => {
  expect(NOT_TAKEN).toEqual([['verify', 'mx']]);
});

it.each(NOT_TAKEN)('probe %s refuses the flag of %s', async (door, key) => {
  const error = await commanderOptions(door, SAMPLES[key as keyof typeof SAMPLES].argv).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(CommanderError);
  expect((error as CommanderError).code).toBe('commander.unknownOption');
});

describe('probe check, watch and history: the flags of the scheduled door come from the schema', () => {
  it.each(['check', 'watch', 'history'])('%s takes --lang as the schema declares it, with its help for the door, in English and pt-BR', async (name) => {
    const spec = OPTIONS.find((o) => o.key === 'language') as OptionSpec;
    expect(optionsOf('scheduled').map((o) => o.key)).toEqual(['language']);
    for (const language of ['en', 'pt-BR'] as const) {
      const command = buildProgram(language).commands.find((c) => c.name() === name) as Command;
      const lang = command.options.filter((o) => o.long === '--lang');
      expect(lang.map((o) => [o.flags, o.description])).toEqual([
        ['--lang <lang>', language === 'en' ? spec.helpIn?.scheduled : OPTION_HELP_PT_BR.language.helpIn.scheduled],
      ]);
    }
    // the value reaches the command as the other doors' flags do
    const program = buildProgram();
    program.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    const command = program.commands.find((c) => c.name() === name) as Command;
    command.exitOverride();
    let seen: Record<string, unknown> | undefined;
    command.action((...args: unknown[]) => {
      seen = (args.at(-1) as Command).opts();
    });
    await program.parseAsync(['node', 'probe', name, '--config', 'x.yaml', '--lang', 'pt-BR']);
    expect(probeOptionsFromFlags(seen ?? {}, 'scheduled')).toEqual({ language: 'pt-BR' });
  });
});

describe('config file: every probe option, in a target and in defaults', () => {
  const file = path.join(dir, 'c.yaml');
  it.each(withDoor('config'))('%s', (key, spec) => {
    const sample = SAMPLES[key as keyof typeof SAMPLES];
    const inTarget = validateConfig({ targets: [{ host: HOST, [spec.configKey!]: sample.config }] }, file, {});
    const inDefaults = validateConfig({ defaults: { [spec.configKey!]: sample.config }, targets: [{ host: HOST }] }, file, {});
    for (const config of [inTarget, inDefaults]) {
      const options = config.targets[0]!.options;
      expect(sample.landed(settingsOf(options), options)).toEqual(sample.want);
    }
  });
});

describe('targets file: every probe option', () => {
  const file = path.join(dir, 't.txt');
  it.each(withDoor('targets'))('%s', (key, spec) => {
    const sample = SAMPLES[key as keyof typeof SAMPLES];
    // A list option repeats its key.
    const values = sample.targets !== undefined ? [sample.targets] : (sample.config as string[]);
    const line = `${HOST} ${values.map((v) => `${spec.targetsKey}=${v}`).join(' ')}`;
    const options = parseTargetsFile(line, file)[0]!.options;
    expect(sample.landed(settingsOf(options), options)).toEqual(sample.want);
  });
});

describe('a misspelt option names the nearest valid one', () => {
  it.each([
    [{ caFile: [caPath] }, 'unknown option "caFile": did you mean "ca"?'],
    [{ timeout: 5000 }, 'unknown option "timeout": did you mean "timeoutMs"?'],
    [{ tlsmode: 'opportunistic' }, 'unknown option "tlsmode": did you mean "tlsMode"?'],
    [{ 'warn-days': 3 }, 'unknown option "warn-days": did you mean "warnDays"?'],
    [{ frobnicate: true }, /^unknown option "frobnicate" \(known: port, mx, resolvers, /],
  ])('probe(targets, %j) is refused before anything is sent', async (options, message) => {
    const error = await probe(HOST, options as ProbeOptions).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(UsageError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
  });

  it.each([
    [{ targets: [{ host: HOST, tlsmode: 'opportunistic' }] }, 'c.yaml: targets[0].tlsmode: unknown setting "tlsmode": did you mean "tlsMode"?'],
    [{ targets: [{ host: HOST, ca: 'root.pem' }] }, 'c.yaml: targets[0].ca: unknown setting "ca": did you mean "caFile"?'],
    [{ defaults: { timeout: 5000 }, targets: [{ host: HOST }] }, 'c.yaml: defaults.timeout: unknown setting "timeout": did you mean "timeoutMs"?'],
    [{ targets: [{ host: HOST }], queueLifetme: '24h' }, 'c.yaml: queueLifetme: unknown setting "queueLifetme": did you mean "queueLifetime"?'],
    [
      { targets: [{ host: HOST }], alerts: [{ type: 'webhook', url: 'http://127.0.0.1/', fromat: 'teams' }] },
      'c.yaml: alerts[0].fromat: unknown setting "fromat": did you mean "format"?',
    ],
    [{ targets: [{ host: HOST, zzzzzz: 1 }] }, 'c.yaml: targets[0].zzzzzz: unknown setting "zzzzzz"'],
  ])('config %j', (doc, message) => {
    let error: unknown = null;
    try {
      validateConfig(doc, 'c.yaml', {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
  });

  it.each([
    ['mx1.demo.test tls_mode=opportunistic', 'f.txt:1: unknown option "tls_mode": did you mean "tls-mode"? (known: name, port, mx, resolver, '],
    ['mx1.demo.test timeoutMs=5', 'f.txt:1: unknown option "timeoutMs": did you mean "timeout"? (known: '],
  ])('targets file %j', (text, message) => {
    expect(() => parseTargetsFile(text, 'f.txt')).toThrow(UsageError);
    expect(() => parseTargetsFile(text, 'f.txt')).toThrow(message);
  });

  it.each([
    ['tlsmode', ['tlsMode', 'tlsDomain'], {}, 'tlsMode'],
    ['TLS_DOMAIN', ['tlsMode', 'tlsDomain'], {}, 'tlsDomain'],
    ['prot', ['port', 'mx'], {}, 'port'],
    ['caFile', ['ca', 'port'], { caFile: 'ca' }, 'ca'],
    ['colour', ['port', 'mx', 'name'], {}, null],
    ['x', ['mx'], {}, 'mx'],
  ])('didYouMean(%j) → %j', (input, known, aliases, want) => {
    expect(didYouMean(input, known, aliases)).toBe(want);
  });

  it('edit distance', () => {
    expect([editDistance('kitten', 'sitting'), editDistance('', 'abc'), editDistance('same', 'same'), editDistance('prot', 'port')]).toEqual([3, 3, 0, 1]);
  });
});

describe('the bounds and the TLS rule hold in every door alike', () => {
  it.each([
    ['timeoutMs', 600_001, 'invalid timeout (ms) "600001": must be a whole number from 1 to 600000'],
    ['deadlineMs', 3_600_001, 'invalid deadline (ms) "3600001": must be a whole number from 1 to 3600000'],
    ['concurrency', 1025, 'invalid concurrency "1025": must be a whole number from 1 to 1024'],
    ['warnDays', 3651, 'invalid warn days "3651": must be a whole number from 0 to 3650'],
    ['port', 65536, 'invalid port "65536": must be a whole number from 1 to 65535'],
  ] as const)('%s %d', (key, value, message) => {
    const spec = OPTIONS.find((o) => o.key === key)!;
    expect(() => resolveSettings(HOST, { [key]: value })).toThrow(message);
    expect(() => validateConfig({ targets: [{ host: HOST, [spec.configKey!]: value }] }, 'c.yaml', {})).toThrow(`c.yaml: targets[0].${spec.configKey}: ${message}`);
    expect(() => parseTargetsFile(`${HOST} ${spec.targetsKey}=${value}`, 'f.txt')).toThrow(`f.txt:1: ${message}`);
  });

  it("the command line's options under a config's targets (fleet mode, serve) are checked with them", () => {
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(file, `targets: [{ name: t, host: ${HOST} }]\n`);
    expect(loadNamedTargets(file, { timeoutMs: 2000 })[0]!.options).toMatchObject({ timeoutMs: 2000 });
    expect(() => loadNamedTargets(file, { timeoutMs: 0 })).toThrow(`${file}: t: invalid timeout (ms) "0": must be a whole number from 1 to 600000`);
  });

  it('domain-validation needs a TLS domain, in the library, the config and the targets file', () => {
    const message = 'TLS mode "domain-validation" needs a TLS domain';
    expect(() => resolveSettings(HOST, { tlsMode: 'domain-validation' })).toThrow(message);
    expect(() => validateConfig({ targets: [{ host: HOST, tlsMode: 'domain-validation' }] }, 'c.yaml', {})).toThrow(`c.yaml: targets[0]: ${message}`);
    expect(() => parseTargetsFile(`${HOST} tls-mode=domain-validation`, 'f.txt')).toThrow(`f.txt:1: ${message}`);
  });
});

describe('the config file JSON Schema (draft 2020-12)', () => {
  const schema = configJsonSchema();
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  it('is draft 2020-12 and accepts the example config probe init writes', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const example = parseYaml(EXAMPLE_CONFIG) as unknown;
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    // The example is a valid config for the tool itself too.
    expect(validateConfig(example, 'mailflow-probe.yaml', null).targets).toHaveLength(2);
  });

  it('carries each option with its bounds, choices and help', () => {
    const target = (schema.properties as Record<string, { items: { properties: Record<string, Record<string, unknown>> } }>).targets!.items.properties;
    expect(target.tlsMode).toMatchObject({ type: 'string', enum: ['opportunistic', 'encryption-only', 'certificate-validation', 'domain-validation'], default: 'certificate-validation' });
    expect(target.timeoutMs?.anyOf).toContainEqual({ type: 'integer', minimum: 1, maximum: 600_000 });
    expect(Object.keys(target).sort()).toEqual(
      [...optionsOf('config').map((o) => o.configKey!), 'name', 'host', 'hosts', 'schedule'].sort(),
    );
  });

  it.each([
    ['a port of the wrong type', { targets: [{ host: HOST, port: true }] }, '/targets/0/port'],
    ['mx as a string', { targets: [{ host: HOST, mx: 'yes' }] }, '/targets/0/mx'],
    ['an unknown TLS mode', { targets: [{ host: HOST, tlsMode: 'strict' }] }, '/targets/0/tlsMode'],
    ['a timeout beyond its bound', { defaults: { timeoutMs: 600_001 }, targets: [{ host: HOST }] }, '/defaults/timeoutMs'],
    ['a misspelt key', { targets: [{ host: HOST, tlsmode: 'opportunistic' }] }, '/targets/0'],
  ])('rejects %s', (_what, doc, where) => {
    expect(validate(doc)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain(where);
  });

  it('probe config-schema prints it', async () => {
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (chunks.push(chunk), true)) as typeof process.stdout.write;
    try {
      await buildProgram().parseAsync(['node', 'probe', 'config-schema']);
    } finally {
      process.stdout.write = write;
    }
    expect(JSON.parse(chunks.join(''))).toEqual(schema);
  });
});
