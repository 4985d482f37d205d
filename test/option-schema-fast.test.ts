/**
 * The options schema on its own: the table's facts (how each door spells an option, its
 * type, bounds, default, choices) and the functions every door derives from it
 * (optionSpec, optionsOf, helpOf, flagAttribute, spellingIn, suggestKey,
 * optionJsonSchema), exactly. It imports nothing but the schema, so a mutant of
 * option-schema.ts costs a second here (stryker.config.mjs, module `option-schema`);
 * test/option-schema.test.ts checks the same table through the real CLI, config file
 * and targets file.
 */
import { describe, expect, it } from 'vitest';
import {
  flagAttribute,
  helpOf,
  OPTIONS,
  optionJsonSchema,
  optionSpec,
  optionsOf,
  spellingIn,
  suggestKey,
  type Door,
  type OptionKey,
  type OptionSpec,
} from '../src/core/option-schema.js';

const CLI = ['probe', 'explain', 'verify', 'serve'];
const EVERYWHERE = [...CLI, 'config', 'targets'];
const DOORS: readonly Door[] = ['probe', 'explain', 'verify', 'serve', 'scheduled', 'config', 'targets'];
const TLS_MODES = ['opportunistic', 'encryption-only', 'certificate-validation', 'domain-validation'];

/** What a spec says besides its help texts (those are checked below by what they must be, not word for word). */
function facts(spec: OptionSpec): Record<string, unknown> {
  const { help: _help, helpIn, flag, ...rest } = spec;
  const out: Record<string, unknown> = { ...rest, doors: [...spec.doors] };
  if (spec.choices) out.choices = [...spec.choices];
  if (helpIn) out.helpIn = Object.keys(helpIn);
  if (flag) {
    const { negatedHelp, ...flagRest } = flag;
    out.flag = { ...flagRest, ...(negatedHelp !== undefined ? { negatedHelp: 'yes' } : {}) };
  }
  return out;
}

describe('the table: every option, as each door spells it', () => {
  it('holds these options, in this order, with these facts', () => {
    expect(OPTIONS.map(facts)).toStrictEqual([
      {
        key: 'port', kind: 'integer', what: 'port', min: 1, max: 65535, default: 25, helpIn: ['explain'],
        flag: { long: '--port', short: '-p', value: '<port>' }, configKey: 'port', targetsKey: 'port', doors: EVERYWHERE,
      },
      {
        key: 'mx', kind: 'boolean', what: 'mx', default: true, helpIn: ['explain'],
        flag: { long: '--no-mx' }, configKey: 'mx', targetsKey: 'mx', doors: ['probe', 'explain', 'serve', 'config', 'targets'],
      },
      {
        key: 'resolvers', kind: 'strings', what: 'resolver',
        flag: { long: '--resolver', short: '-r', value: '<ip[:port]>', repeatable: true }, configKey: 'resolvers', targetsKey: 'resolver', doors: EVERYWHERE,
      },
      {
        key: 'tlsMode', kind: 'choice', what: 'TLS mode', choices: TLS_MODES, default: 'certificate-validation', helpIn: ['explain', 'verify'],
        flag: { long: '--tls-mode', short: '-t', value: '<mode>' }, configKey: 'tlsMode', targetsKey: 'tls-mode', doors: EVERYWHERE,
      },
      {
        key: 'tlsDomain', kind: 'string', what: 'TLS domain', nullable: true, helpIn: ['verify'],
        flag: { long: '--tls-domain', short: '-d', value: '<name>' }, configKey: 'tlsDomain', targetsKey: 'tls-domain', doors: EVERYWHERE,
      },
      {
        key: 'ca', kind: 'pem', what: 'CA file',
        flag: { long: '--ca-file', value: '<pem>', repeatable: true }, configKey: 'caFile', targetsKey: 'ca-file', doors: EVERYWHERE,
      },
      {
        key: 'ehloName', kind: 'string', what: 'EHLO name',
        flag: { long: '--ehlo-name', value: '<name>' }, configKey: 'ehloName', targetsKey: 'ehlo-name', doors: EVERYWHERE,
      },
      {
        key: 'sourceAddress', kind: 'string', what: 'source address', nullable: true,
        flag: { long: '--source-address', value: '<ip>' }, configKey: 'sourceAddress', targetsKey: 'source-address', doors: EVERYWHERE,
      },
      {
        key: 'restrictedToMicrosoft365', kind: 'boolean', what: 'restricted to Microsoft 365', default: false,
        flag: { long: '--restricted-to-m365' }, configKey: 'restrictedToMicrosoft365', targetsKey: 'restricted-to-m365', doors: EVERYWHERE,
      },
      {
        key: 'm365Ranges', kind: 'string', what: 'Microsoft 365 ranges file', nullable: true,
        flag: { long: '--m365-ranges', value: '<file>' }, configKey: 'm365Ranges', targetsKey: 'm365-ranges', doors: EVERYWHERE,
      },
      {
        key: 'timeoutMs', kind: 'integer', what: 'timeout (ms)', min: 1, max: 600_000, default: 10_000,
        flag: { long: '--timeout', value: '<ms>' }, configKey: 'timeoutMs', targetsKey: 'timeout', doors: EVERYWHERE,
      },
      {
        key: 'deadlineMs', kind: 'integer', what: 'deadline (ms)', min: 1, max: 3_600_000, default: 60_000, helpIn: ['explain', 'verify', 'serve'],
        flag: { long: '--deadline', value: '<ms>' }, configKey: 'deadlineMs', targetsKey: 'deadline', doors: EVERYWHERE,
      },
      {
        key: 'concurrency', kind: 'integer', what: 'concurrency', min: 1, max: 1024, default: 8, helpIn: ['probe'],
        flag: { long: '--concurrency', value: '<n>' }, configKey: 'concurrency', targetsKey: 'concurrency', doors: EVERYWHERE,
      },
      {
        key: 'warnDays', kind: 'integer', what: 'warn days', min: 0, max: 3650, default: 30,
        flag: { long: '--warn-days', value: '<n>' }, configKey: 'warnDays', targetsKey: 'warn-days', doors: EVERYWHERE,
      },
      {
        key: 'revocation', kind: 'choice', what: 'revocation mode', choices: ['off', 'soft', 'hard'], default: 'soft',
        flag: { long: '--revocation', value: '<mode>' }, configKey: 'revocation', targetsKey: 'revocation', doors: EVERYWHERE,
      },
      {
        key: 'policies', kind: 'boolean', what: 'policies', default: true,
        flag: { long: '--policies', negatedHelp: 'yes' }, configKey: 'policies', targetsKey: 'policies', doors: EVERYWHERE,
      },
      {
        key: 'mtaStsPort', kind: 'integer', what: 'MTA-STS port', min: 1, max: 65535,
        flag: { long: '--mta-sts-port', value: '<port>', hidden: true }, doors: CLI,
      },
      {
        key: 'language', kind: 'string', what: 'language', helpIn: ['explain', 'verify', 'serve', 'scheduled'],
        flag: { long: '--lang', value: '<lang>' }, doors: ['probe', 'explain', 'verify', 'serve', 'scheduled'],
      },
      { key: 'signal', kind: 'signal', what: 'signal', doors: [] },
      { key: 'revocationCache', kind: 'cache', what: 'revocationCache', doors: [] },
      { key: 'addressFilter', kind: 'function', what: 'addressFilter', doors: [] },
    ]);
  });

  it('every help text is a phrase of its own: not empty, not padded, no closing full stop, and a door’s own differs from the general one', () => {
    const texts = OPTIONS.flatMap((spec) => [
      [spec.key, spec.help],
      ...Object.entries(spec.helpIn ?? {}).map(([door, text]) => [`${spec.key} in ${door}`, text]),
      ...(spec.flag?.negatedHelp !== undefined ? [[`${spec.key} negated`, spec.flag.negatedHelp]] : []),
    ]);
    expect(texts).toHaveLength(OPTIONS.length + 13 + 1);
    for (const [where, text] of texts) expect(text, where).toMatch(/^\S.*[^.\s]$/);
    for (const spec of OPTIONS) for (const text of Object.values(spec.helpIn ?? {})) expect(text, spec.key).not.toBe(spec.help);
    expect(optionSpec('policies').flag?.negatedHelp).not.toBe(optionSpec('policies').help);
  });

  it('a help that states a default states the default the option has', () => {
    const stated: [string, string, string][] = [];
    for (const spec of OPTIONS) {
      for (const text of [spec.help, ...Object.values(spec.helpIn ?? {})]) {
        const found = /\(default ([^:;)\s]+)[;)]/.exec(text);
        if (found) stated.push([spec.key, found[1]!, String(spec.default)]);
      }
    }
    expect(stated.map(([key]) => key)).toEqual(['tlsMode', 'tlsMode', 'tlsMode', 'timeoutMs', 'deadlineMs', 'deadlineMs', 'deadlineMs', 'deadlineMs', 'concurrency', 'concurrency', 'warnDays']);
    for (const [key, said, actual] of stated) expect(said, key).toBe(actual);
  });
});

describe('optionSpec, optionsOf, helpOf', () => {
  it.each(OPTIONS.map((spec) => spec.key))('optionSpec(%s) is its row', (key) => {
    expect(optionSpec(key as OptionKey)).toBe(OPTIONS.find((o) => o.key === key));
    expect(optionSpec(key as OptionKey).key).toBe(key);
  });

  it.each([
    ['probe', ['port', 'mx', 'resolvers', 'tlsMode', 'tlsDomain', 'ca', 'ehloName', 'sourceAddress', 'restrictedToMicrosoft365', 'm365Ranges', 'timeoutMs', 'deadlineMs', 'concurrency', 'warnDays', 'revocation', 'policies', 'mtaStsPort', 'language']],
    ['verify', ['port', 'resolvers', 'tlsMode', 'tlsDomain', 'ca', 'ehloName', 'sourceAddress', 'restrictedToMicrosoft365', 'm365Ranges', 'timeoutMs', 'deadlineMs', 'concurrency', 'warnDays', 'revocation', 'policies', 'mtaStsPort', 'language']],
    ['scheduled', ['language']],
    ['config', ['port', 'mx', 'resolvers', 'tlsMode', 'tlsDomain', 'ca', 'ehloName', 'sourceAddress', 'restrictedToMicrosoft365', 'm365Ranges', 'timeoutMs', 'deadlineMs', 'concurrency', 'warnDays', 'revocation', 'policies']],
  ] as const)('optionsOf(%s)', (door, keys) => {
    expect(optionsOf(door).map((o) => o.key)).toEqual(keys);
  });

  it('helpOf: the door’s own wording where it has one, else the general help (also for an option with no door wordings)', () => {
    const deadline = optionSpec('deadlineMs');
    expect(helpOf(deadline, 'serve')).toBe('the most one probe may take, in ms (default 60000; never beyond the request timeout)');
    expect(helpOf(deadline, 'probe')).toBe('the most the whole probe may take, in ms (default 60000)');
    expect(helpOf(optionSpec('resolvers'), 'probe')).toBe("DNS server to ask (repeatable); default: the system's");
  });
});

describe('flagAttribute: the property commander stores a flag under', () => {
  it.each([
    ['--port', 'port'],
    ['--no-mx', 'mx'],
    ['--ca-file', 'caFile'],
    ['--restricted-to-m365', 'restrictedToM365'],
    ['--mta-sts-port', 'mtaStsPort'],
    ['--lang', 'lang'],
  ])('%s → %s', (long, attribute) => {
    expect(flagAttribute({ long })).toBe(attribute);
  });
});

describe('spellingIn: how each door spells an option, or undefined where it does not take it', () => {
  it.each([
    ['port', ['port', '--port', '--port', '--port', '--port', undefined, 'port', 'port']],
    ['mx', ['mx', '--no-mx', '--no-mx', undefined, '--no-mx', undefined, 'mx', 'mx']],
    ['ca', ['ca', '--ca-file', '--ca-file', '--ca-file', '--ca-file', undefined, 'caFile', 'ca-file']],
    ['timeoutMs', ['timeoutMs', '--timeout', '--timeout', '--timeout', '--timeout', undefined, 'timeoutMs', 'timeout']],
    ['mtaStsPort', ['mtaStsPort', '--mta-sts-port', '--mta-sts-port', '--mta-sts-port', '--mta-sts-port', undefined, undefined, undefined]],
    ['language', ['language', '--lang', '--lang', '--lang', '--lang', '--lang', undefined, undefined]],
    ['signal', ['signal', undefined, undefined, undefined, undefined, undefined, undefined, undefined]],
  ] as const)('%s in the library, probe, explain, verify, serve, scheduled, config, targets', (key, spellings) => {
    expect((['library', ...DOORS] as const).map((door) => spellingIn(optionSpec(key), door))).toEqual(spellings);
  });

  it('an option a command takes without a flag has no spelling there (the schema has none such; a caller may pass one)', () => {
    const spec: OptionSpec = { key: 'x', kind: 'boolean', what: 'x', help: 'x', configKey: 'xKey', doors: ['probe', 'config'] };
    expect([spellingIn(spec, 'probe'), spellingIn(spec, 'config')]).toEqual([undefined, 'xKey']);
  });
});

describe('suggestKey: another door’s spelling names the option in this door’s, anything else the nearest name', () => {
  const known = (door: Door | 'library'): string[] =>
    door === 'library' ? OPTIONS.map((o) => o.key) : optionsOf(door).map((o) => spellingIn(o, door)!);

  it.each([
    // the library's keys, from the config (caFile), the targets file (timeout, ca-file) and the flags (lang, tls-mode)
    ['caFile', 'library', 'ca'],
    ['ca-file', 'library', 'ca'],
    ['timeout', 'library', 'timeoutMs'],
    ['deadline', 'library', 'deadlineMs'],
    ['lang', 'library', 'language'],
    ['restricted-to-m365', 'library', 'restrictedToMicrosoft365'],
    ['restrictedToM365', 'library', 'restrictedToMicrosoft365'],
    ['tlsmode', 'library', 'tlsMode'],
    // the config's keys, from the library (ca) and the targets file
    ['ca', 'config', 'caFile'],
    ['timeout', 'config', 'timeoutMs'],
    ['resolver', 'config', 'resolvers'],
    // the targets file's keys, from the library and the config
    ['timeoutMs', 'targets', 'timeout'],
    ['caFile', 'targets', 'ca-file'],
    ['ca', 'targets', 'ca-file'],
    ['resolvers', 'targets', 'resolver'],
    // a negated flag's name is no alias: `noMx: true` means the opposite of `mx: true`
    ['no-mx', 'library', null],
    ['noMx', 'config', null],
    // nothing near
    ['frobnicate', 'library', null],
    ['undefined', 'library', null],
    ['undefined', 'config', null],
    ['true', 'library', null],
    ['false', 'library', null],
  ] as const)('%s given to the %s → %s', (input, door, want) => {
    expect(suggestKey(input, known(door), door)).toBe(want);
  });

  it('suggests only names it was given: an alias of an option the door was not told of is not offered', () => {
    expect(suggestKey('caFile', ['port', 'mx'], 'library')).toBe(null);
    expect(suggestKey('timeout', ['port', 'mx'], 'config')).toBe(null);
    expect(suggestKey('caFile', ['port', 'ca'], 'library')).toBe('ca');
  });
});

describe('optionJsonSchema: the config file JSON Schema of each option', () => {
  const integer = (key: OptionKey, minimum: number, maximum: number, extra: Record<string, unknown>) => ({
    description: optionSpec(key).help,
    ...extra,
    anyOf: [
      { type: 'integer', minimum, maximum },
      { type: 'string', pattern: '^\\s*[0-9]+\\s*$' },
    ],
  });
  const text = (key: OptionKey) => ({ description: optionSpec(key).help });

  it.each([
    ['port', () => integer('port', 1, 65535, { default: 25 })],
    ['mx', () => ({ ...text('mx'), default: true, type: 'boolean' })],
    ['resolvers', () => ({ ...text('resolvers'), type: 'array', items: { type: 'string' } })],
    ['tlsMode', () => ({ ...text('tlsMode'), default: 'certificate-validation', type: 'string', enum: TLS_MODES })],
    ['tlsDomain', () => ({ ...text('tlsDomain'), type: ['string', 'null'] })],
    [
      'ca',
      () => ({
        description: 'extra trusted CA certificates, PEM (repeatable): file names, relative to the config file',
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      }),
    ],
    ['ehloName', () => ({ ...text('ehloName'), type: 'string' })],
    ['restrictedToMicrosoft365', () => ({ ...text('restrictedToMicrosoft365'), default: false, type: 'boolean' })],
    ['warnDays', () => integer('warnDays', 0, 3650, { default: 30 })],
    ['revocation', () => ({ ...text('revocation'), default: 'soft', type: 'string', enum: ['off', 'soft', 'hard'] })],
    ['mtaStsPort', () => integer('mtaStsPort', 1, 65535, {})],
  ] as const)('%s', (key, schema) => {
    // (built in the test: optionSpec must not run while the file loads, or a mutant that breaks it fails the load, which Stryker counts as survived)
    expect(optionJsonSchema(optionSpec(key))).toStrictEqual(schema());
  });

  it('a choice option without choices offers none', () => {
    expect(optionJsonSchema({ key: 'x', kind: 'choice', what: 'x', help: 'x', doors: ['config'] })).toStrictEqual({ description: 'x', type: 'string', enum: [] });
  });

  it('the integer pattern takes the digits of a YAML string, blanks around them allowed, and nothing else', () => {
    const pattern = new RegExp((optionJsonSchema(optionSpec('port')).anyOf as { pattern?: string }[])[1]!.pattern!);
    expect(['25', ' 25 ', '0', '\t2525'].map((v) => pattern.test(v))).toEqual([true, true, true, true]);
    expect(['', ' ', '25a', 'a25', '2 5', '-1', '+1', '1.5'].map((v) => pattern.test(v))).toEqual([false, false, false, false, false, false, false, false]);
  });

  it.each(['signal', 'revocationCache', 'addressFilter'] as const)('%s has no JSON form, and says so', (key) => {
    expect(() => optionJsonSchema(optionSpec(key))).toThrow(new Error(`${key} has no JSON form`));
  });
});
