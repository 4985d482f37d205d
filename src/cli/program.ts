/**
 * The `probe` command: argument parsing and exit codes only. Everything else is the
 * library (loaded lazily, so `probe --version` starts fast).
 *
 * Exit codes, as monitoring plugins use them: 0 healthy, 1 degraded, 2 failing,
 * 3 usage error or internal fault; 130 when cancelled with Ctrl-C.
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { commandWords, type CommandName, type FlagKey } from '../catalog/commands.js';
import { catalogFor, chooseLanguage, parseLanguage, type Language } from '../catalog/index.js';
import { CONNECTOR_STATUS, POLICY_STATUS } from '../core/exchange-text.js';
import { optionSpec } from '../core/option-schema.js';
import { addScheduledCommands } from '../scheduled/cli.js';
import { cancelOnSigint, EXIT } from './exit.js';
import { addProbeFlags, collect, probeFlag, probeOptionsFromFlags, type ProbeFlags } from './flags.js';
import { chooseOutput, colorWanted, nearMissCommand, quietOnClosedStdout, usageErrorJson, type OutputFlags } from './support.js';
import type { ProbeOptions } from '../core/options.js';
import { terminal } from '../report/sanitize.js';
import type { ProbeResult } from '../core/result.js';
import type { ServeCliOptions } from '../exporter/cli.js';
import { VERSION } from '../core/version.js';

export { EXIT } from './exit.js';

const pkg = { version: VERSION };

/** The text after the options: examples, exit codes, and the codes with their titles (the catalog's). */
function examples(language: Language): string {
  const words = commandWords(language).help;
  const catalog = catalogFor(language);
  const connector = (Object.keys(CONNECTOR_STATUS) as (keyof typeof CONNECTOR_STATUS)[]).map((code) => `${code} ${catalog.codes[code].title}`);
  // The policy codes' titles are Exchange's own identifiers: their status lines, verbatim.
  const policy = Object.values(POLICY_STATUS);
  const [codesLead, codesTail] = words.codes.split('{codes}') as [string, string];
  const [policyLead, policyTail] = words.policyCodes.split('{codes}') as [string, string];
  const items = [
    ...connector.map((c, i) => `${i === 0 ? codesLead : ''}${c}${i === connector.length - 1 ? `${codesTail};` : ','}`),
    ...policy.map((c, i) => `${i === 0 ? policyLead : ''}${c}${i === policy.length - 1 ? `${policyTail}.` : ','}`),
  ];
  return `${words.examples.trimEnd()}\n\n${words.exitCodes}\n${wrapItems(items, 92)}`;
}

/** Lines of at most `width` characters (unless one item is longer), broken between items: a code and its title stay on one line. */
function wrapItems(items: readonly string[], width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + 1 + item.length > width) {
      lines.push(line);
      line = item;
    } else line = line ? `${line} ${item}` : item;
  }
  return [...lines, line].join('\n');
}

/**
 * The language of the help, known before commander builds the program: `--lang X` or
 * `--lang=X` anywhere before `--`, else the locale. A value it cannot read is left for the
 * parser to refuse (exit 3, naming it).
 */
export function helpLanguage(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Language {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    const value = arg === '--lang' ? argv[i + 1] : arg.startsWith('--lang=') ? arg.slice('--lang='.length) : undefined;
    if (value === undefined) continue;
    try {
      return parseLanguage(value);
    } catch {
      break;
    }
  }
  return chooseLanguage(undefined, env);
}

/**
 * Commander's own words in a language: the section titles, `[options]` and `[command]` in
 * usage lines, and `(default: …)` / `(choices: …)` after an option's help.
 */
function helpConfiguration(language: Language): Partial<Help> {
  if (language === 'en') return {};
  const words = commandWords(language).help;
  const titles: Record<string, string> = {
    'Usage:': words.usage,
    'Arguments:': words.arguments,
    'Options:': words.options,
    'Commands:': words.commands,
    'Global Options:': words.globalOptions,
  };
  // The words of placeholders (`[options]`, `<file>`, `[targets...]`); flags and command names stay.
  const placeholder = (word: string): string => words.placeholders[word as keyof typeof words.placeholders] ?? word;
  const usage = (text: string): string => text.replace(/([<[])([^>\]]*)([>\]])/g, (_, open: string, inner: string, close: string) => `${open}${inner.replace(/[a-z]+/g, placeholder)}${close}`);
  const annotations = (text: string): string => text.replace(/\((default|choices): /g, (_, which: string) => `(${which === 'default' ? words.default : words.choices}: `);
  return {
    styleTitle: (title) => titles[title] ?? title,
    styleUsage: usage,
    styleSubcommandTerm: usage,
    styleOptionTerm: usage,
    styleArgumentTerm: (term) => term.replace(/[a-z]+/g, placeholder),
    optionDescription: (option) => annotations(Help.prototype.optionDescription.call(new Help(), option)),
    argumentDescription: (argument) => annotations(Help.prototype.argumentDescription.call(new Help(), argument)),
    subcommandDescription: (cmd) => (cmd.name() === 'help' ? words.helpCommand : (words.commands_[cmd.name() as CommandName] ?? Help.prototype.subcommandDescription.call(new Help(), cmd))),
  };
}

interface CliOptions extends ProbeFlags, OutputFlags {
  json?: boolean;
  transcript?: boolean;
  color: boolean;
  lang?: string;
  concurrency?: string;
  targets?: string;
}

function useColor(flag: boolean): boolean {
  return colorWanted(flag, process.env, Boolean(process.stdout.isTTY));
}

function exitCodeOf(result: ProbeResult): number {
  return result.cancelled ? EXIT.cancelled : EXIT[result.verdict];
}

async function runProbe(targets: string[], opts: CliOptions): Promise<number> {
  const [{ probe }, { renderText }, { renderJson }, { UsageError }, { chooseLanguage, catalogFor }] = await Promise.all([
    import('../core/engine.js'),
    import('../report/text.js'),
    import('../report/json.js'),
    import('../core/options.js'),
    import('../catalog/index.js'),
  ]);
  const language = chooseLanguage(opts.lang);
  const output = chooseOutput(opts);
  if (opts.targets !== undefined && output.format === 'nagios') throw new UsageError('--output nagios checks one connector: give its smart hosts, not --targets');
  if (opts.targets !== undefined && targets.length) throw new UsageError(`give targets either on the command line or in --targets "${opts.targets}", not both`);
  if (!targets.length && opts.targets === undefined) throw new UsageError('no target given: name at least one smart host, domain or IP address (see probe --help)');
  // In fleet mode --concurrency is the number of connectors in flight, not of paths.
  const options: ProbeOptions = {
    ...probeOptionsFromFlags(opts.targets === undefined ? opts : { ...opts, concurrency: undefined }, 'probe'),
    language,
  };
  if (opts.targets !== undefined) {
    const { runFleetCommand } = await import('../fleet/cli.js');
    const cancelFleet = cancelOnSigint();
    try {
      return await runFleetCommand(opts.targets, options, { concurrency: opts.concurrency, json: Boolean(opts.json), signal: cancelFleet.signal });
    } finally {
      cancelFleet.dispose();
    }
  }
  const cancel = cancelOnSigint();
  try {
    const result = await probe(targets, { ...options, signal: cancel.signal });
    if (output.format === 'nagios') {
      const { renderNagios } = await import('../report/nagios.js');
      const nagios = renderNagios(result, output.thresholds, catalogFor(language));
      process.stdout.write(nagios.text);
      return nagios.exitCode;
    }
    process.stdout.write(
      output.format === 'json'
        ? renderJson(result)
        : renderText(result, { color: useColor(opts.color), transcript: Boolean(opts.transcript), catalog: catalogFor(language) }),
    );
    return exitCodeOf(result);
  } finally {
    cancel.dispose();
  }
}

interface ExplainCliOptions extends ProbeFlags {
  offline?: boolean;
  recheck?: boolean;
  server?: string;
  json?: boolean;
  lang?: string;
  color: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    // A paste is a few kilobytes; a megabyte is a wrong file, not a reason.
    if (size > 1_048_576) {
      const { UsageError } = await import('../core/options.js');
      throw new UsageError('standard input is more than 1 MiB: paste only the reason or the bounce line');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `probe explain`: exit 0 when the paste was explained offline or the failure no longer
 * holds, otherwise the re-checks' worst verdict (1 degraded, 2 failing); 3 for text it
 * cannot read.
 */
async function runExplain(words: string[], opts: ExplainCliOptions): Promise<number> {
  const [{ explain }, { renderExplain }, { chooseLanguage, catalogFor }, { UsageError }] = await Promise.all([
    import('../explain/explain.js'),
    import('../report/explain-text.js'),
    import('../catalog/index.js'),
    import('../core/options.js'),
  ]);
  const language = chooseLanguage(opts.lang);
  const catalog = catalogFor(language);
  let text = words.join(' ');
  if (!words.length || (words.length === 1 && words[0] === '-')) {
    if (!words.length && process.stdin.isTTY) {
      throw new UsageError('nothing to explain: give the pasted text as an argument, or pipe it in with "-"');
    }
    text = await readStdin();
  }
  const cancel = cancelOnSigint();
  try {
    const result = await explain(text, {
      offline: Boolean(opts.offline),
      recheck: Boolean(opts.recheck),
      catalog,
      ...probeOptionsFromFlags(opts, 'explain'),
      signal: cancel.signal,
      ...(opts.server !== undefined ? { server: opts.server } : {}),
      language,
    });
    process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : renderExplain(result, { color: useColor(opts.color), catalog }));
    if (!result.checks) return EXIT.healthy;
    if (result.checks.some((c) => c.result.cancelled)) return EXIT.cancelled;
    return Math.max(...result.checks.map((c) => EXIT[c.result.verdict]));
  } finally {
    cancel.dispose();
  }
}

/** The program, its help in `language` (default English; main() picks it with helpLanguage). */
export function buildProgram(language: Language = 'en'): Command {
  const words = commandWords(language).help;
  const flag = (key: FlagKey): string => words.flags[key];
  const program = new Command('probe');
  // Set before the subcommands are made: each inherits the help's words.
  program.configureHelp(helpConfiguration(language)).helpOption('-h, --help', words.helpOption).helpCommand('help [command]', words.helpCommand);
  // `probe serve --targets F` is the subcommand's option, not fleet mode's.
  program.enablePositionalOptions();
  program
    .description(words.commands_.probe)
    .version(pkg.version, '-V, --version', words.version)
    .argument('[targets...]', words.targetsArgument);
  addProbeFlags(program, 'probe', language)
    .option('--targets <file>', flag('probe --targets'))
    .option('--json', flag('probe --json'))
    .addOption(new Option('--output <format>', flag('probe --output')).choices(['text', 'json', 'nagios']))
    .option('-w, --warning <days>', flag('probe --warning'))
    .option('-c, --critical <days>', flag('probe --critical'))
    .option('--transcript', flag('probe --transcript'))
    .option('--no-color', flag('probe --no-color'))
    .addHelpText('after', examples(language))
    // Subcommands (verify) share option names with the root: each parses its own.
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .action(async (targets: string[], opts: CliOptions) => {
      process.exitCode = await runProbe(targets, opts);
    });

  const explainCommand = program
    .command('explain')
    .description(words.commands_.explain)
    .argument('[text...]', words.textArgument)
    .option('--offline', flag('explain --offline'))
    .option('--recheck', flag('explain --recheck'))
    .option('--server <host>', flag('explain --server'));
  addProbeFlags(explainCommand, 'explain', language)
    .option('--json', flag('explain --json'))
    .option('--no-color', flag('any --no-color'))
    .action(async (text: string[], _opts: ExplainCliOptions, command: Command) => {
      // The main command has options of the same names and commander lets it take them
      // after the subcommand too: read both, the subcommand's own winning.
      process.exitCode = await runExplain(text, command.optsWithGlobals<ExplainCliOptions>());
    });

  program
    .command('demo')
    .description(words.commands_.demo)
    .option('--json', flag('demo --json'))
    .option('--keep', flag('demo --keep'))
    .addOption(probeFlag(optionSpec('language'), 'probe', language))
    .option('--no-color', flag('any --no-color'))
    .action(async (opts: { json?: boolean; color: boolean; keep?: boolean; lang?: string }) => {
      const { runDemo } = await import('../loopback/demo.js');
      const demoLanguage = chooseLanguage(opts.lang);
      process.exitCode = await runDemo({ json: Boolean(opts.json), color: useColor(opts.color), keep: Boolean(opts.keep), language: demoLanguage });
    });

  const verifyCommand = program
    .command('verify')
    .description(words.commands_.verify)
    .argument('[targets...]', words.verifyTargetsArgument)
    .option('-c, --connectors <file>', flag('verify --connectors'))
    .option('--config <file>', flag('verify --config'))
    .option('--recipient-domain <domain>', flag('verify --recipient-domain'), collect)
    .option('--rcpt-test <from,to>', flag('verify --rcpt-test'))
    .option('--send-test <from,to>', flag('verify --send-test'))
    .option('--max-message-size <size>', flag('verify --max-message-size'))
    .option('--report <file.html>', flag('verify --report'))
    .option('--json', flag('verify --json'))
    .option('--markdown', flag('verify --markdown'));
  addProbeFlags(verifyCommand, 'verify', language)
    .option('--no-color', flag('any --no-color'))
    .action(async (targets: string[], opts: import('../verify/cli.js').VerifyCliOptions) => {
      const { runVerify } = await import('../verify/cli.js');
      const cancel = cancelOnSigint();
      try {
        process.exitCode = await runVerify(targets, opts, cancel.signal, useColor(opts.color));
      } finally {
        cancel.dispose();
      }
    });

  addScheduledCommands(program, language);

  const serveCommand = program
    .command('serve')
    .description(words.commands_.serve)
    .option('--config <file>', flag('serve --config'))
    .option('--targets <file>', flag('serve --targets'))
    .option('--listen <ip:port>', flag('serve --listen'))
    .option('--allow-any-target', flag('serve --allow-any-target'))
    .option('--allow-private', flag('serve --allow-private'))
    .option('--token-file <file>', flag('serve --token-file'))
    .option('--max-concurrent <n>', flag('serve --max-concurrent'))
    .option('--request-timeout <ms>', flag('serve --request-timeout'));
  // The probe options here are the defaults of every target (each line or config
  // target overrides them) and the options of ?target= probes.
  addProbeFlags(serveCommand, 'serve', language).action(async (opts: ServeCliOptions & ProbeFlags) => {
    const { runServe } = await import('../exporter/cli.js');
    process.exitCode = await runServe(probeOptionsFromFlags(opts, 'serve'), opts);
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedStdout();
  const program = buildProgram(helpLanguage(argv.slice(2)));
  program.exitOverride();
  // With --json a caller parses what we print: usage errors become JSON on stderr too.
  const json = argv.slice(2).includes('--json');
  let commanderMessage: string | null = null;
  const usage = (message: string): number => {
    process.stderr.write(json ? usageErrorJson(message) : `probe: ${terminal(message, { newlines: false })}\n`);
    return EXIT.usage;
  };
  // Commander's own messages become our one-line `probe: …` errors (its "Did you mean"
  // suggestion comes on a line of its own: joined).
  // An argument, a file's content or a server's reply in a message is escaped for the terminal.
  const writeErr = (text: string): boolean => {
    if (!text.startsWith('error:')) return process.stderr.write(terminal(text));
    commanderMessage = text.slice(7).trimEnd().replace(/\s*\n\s*/g, ' ');
    return true;
  };
  program.configureOutput({ writeErr });
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeErr });
  // A bare first word is a target only when it is no command's near miss: `probe histroy`
  // is a typo to point out, not a DNS lookup; `probe help` is the help.
  const first = argv[2];
  if (first === 'help') {
    const sub = program.commands.find((c) => c.name() === argv[3]);
    (sub ?? program).outputHelp();
    return 0;
  }
  const meant = first === undefined ? null : nearMissCommand(first, program.commands.map((c) => c.name()).concat('help'));
  if (meant) return usage(`unknown command "${first}": did you mean "probe ${meant}"? (to probe a host named ${first}, give its full name)`);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      if (err.exitCode === 0) return 0;
      return usage(commanderMessage ?? err.message.replace(/^error: /, ''));
    }
    if ((err as Error)?.name === 'UsageError') return usage((err as Error).message);
    process.stderr.write(`probe: internal error: ${terminal((err as Error)?.stack ?? String(err))}\n`);
    return EXIT.usage;
  }
}
