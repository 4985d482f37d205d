/**
 * The `probe` command: argument parsing and exit codes only. Everything else is the
 * library (loaded lazily, so `probe --version` starts fast).
 *
 * Exit codes, as monitoring plugins use them: 0 healthy, 1 degraded, 2 failing,
 * 3 usage error or internal fault; 130 when cancelled with Ctrl-C.
 */
import { Command, CommanderError, Option } from 'commander';
import { addScheduledCommands } from '../scheduled/cli.js';
import { cancelOnSigint, EXIT } from './exit.js';
import { addProbeFlags, collect, probeOptionsFromFlags, type ProbeFlags } from './flags.js';
import { chooseOutput, colorWanted, nearMissCommand, quietOnClosedStdout, usageErrorJson, type OutputFlags } from './support.js';
import type { ProbeOptions } from '../core/options.js';
import { terminal } from '../report/sanitize.js';
import type { ProbeResult } from '../core/result.js';
import type { ServeCliOptions } from '../exporter/cli.js';
import { VERSION } from '../core/version.js';

export { EXIT } from './exit.js';

const pkg = { version: VERSION };

const EXAMPLES = `
Examples:
  probe smarthost.contoso.com
      MX first, then A/AAAA, every address; TLS certificate-validation (the default)
  probe mail1.contoso.com mail2.contoso.com --tls-domain '*.contoso.com'
      both smart hosts of a connector with TlsSettings DomainValidation
  probe 203.0.113.25 --tls-mode encryption-only --json
      one address, TLS required but any certificate; machine-readable result
  probe contoso.com --resolver 192.0.2.53 --transcript
      ask a specific DNS server; show the SMTP dialogue of every path
  probe demo
      every failure code against built-in loopback servers; no network needed
  probe contoso.com --no-policies
      an MX route without the recipient domain's DANE, MTA-STS and TLS-RPT (checked by default)
  probe explain 'Reason: [{LED=450 4.4.317 Cannot connect to remote server …'
      read a message-trace reason or a bounce, then re-check the server it names
  probe smarthost.contoso.com --lang pt-BR
      the diagnosis in Brazilian Portuguese (also chosen by LANG=pt_BR.UTF-8)

Exit codes: 0 healthy, 1 degraded, 2 failing, 3 usage error, 130 cancelled.
Codes: 4.4.312 DNS query failed, 4.4.315 connection timed out, 4.4.316 connection refused,
4.4.317 cannot connect to remote server, 4.4.318 connection closed abruptly,
4.7.320 certificate validation failed; on MX routes, the recipient's DANE/MTA-STS:
4.7.321 starttls-not-supported, 4.7.322 certificate-expired, 4.7.323 tlsa-invalid,
4.7.324 dnssec-invalid.`;

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

export function buildProgram(): Command {
  const program = new Command('probe');
  // `probe serve --targets F` is the subcommand's option, not fleet mode's.
  program.enablePositionalOptions();
  program
    .description(
      'Probe the smart hosts behind an Exchange Online connector the way Exchange Online delivers to them ' +
        '(MX/A lookup, TCP 25, greeting, EHLO, STARTTLS, TLS, certificate) and name the 450 code it would report.',
    )
    .version(pkg.version, '-V, --version')
    .argument('[targets...]', 'smart host names, domains (looked up by MX) or IP addresses');
  addProbeFlags(program, 'probe')
    .option('--targets <file>', 'fleet mode: probe every connector in FILE (one a line: hosts and key=value options; or a scheduled-checks config, .yaml/.json)')
    .option('--json', 'print the result as JSON (schema mailflow-probe/result@1)')
    .addOption(new Option('--output <format>', 'text (default), json (as --json), or nagios: a Nagios/Icinga plugin line with perfdata, exit 0-3').choices(['text', 'json', 'nagios']))
    .option('-w, --warning <days>', 'with --output nagios: WARNING when a certificate has this many days left or fewer (default 30)')
    .option('-c, --critical <days>', 'with --output nagios: CRITICAL when a certificate has this many days left or fewer (default 7)')
    .option('--transcript', 'show the SMTP dialogue of every path')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES)
    // Subcommands (verify) share option names with the root: each parses its own.
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .action(async (targets: string[], opts: CliOptions) => {
      process.exitCode = await runProbe(targets, opts);
    });

  const explainCommand = program
    .command('explain')
    .description(
      'explain a pasted message-trace reason or bounce (an argument, or "-" / nothing to read standard input), ' +
        'then re-check the server and the exact address it names',
    )
    .argument('[text...]', 'the pasted text (quote it), or - for standard input')
    .option('--offline', 'only explain: send nothing')
    .option('--recheck', 're-check the server even for a status outside the connector codes (such as 550 5.7.1)')
    .option('--server <host>', 'the server to re-check when the paste names none (or instead of it)');
  addProbeFlags(explainCommand, 'explain')
    .option('--json', 'print the result as JSON (schema mailflow-probe/explain@1)')
    .option('--no-color', 'no colours')
    .action(async (text: string[], _opts: ExplainCliOptions, command: Command) => {
      // The main command has options of the same names and commander lets it take them
      // after the subcommand too: read both, the subcommand's own winning.
      process.exitCode = await runExplain(text, command.optsWithGlobals<ExplainCliOptions>());
    });

  program
    .command('demo')
    .description('start loopback smart hosts that fail in every way Exchange Online reports, probe each, and print a table')
    .option('--json', 'print every case\'s result as JSON')
    .option('--keep', 'keep the servers up after the table and print probe, verify and serve commands to try against them, until Ctrl-C')
    .option('--no-color', 'no colours')
    .action(async (opts: { json?: boolean; color: boolean; keep?: boolean }) => {
      const { runDemo } = await import('../loopback/demo.js');
      process.exitCode = await runDemo({ json: Boolean(opts.json), color: useColor(opts.color), keep: Boolean(opts.keep) });
    });

  const verifyCommand = program
    .command('verify')
    .description(
      'pre-migration verification: probe every connector of a Get-OutboundConnector | ConvertTo-Json export ' +
        '(or the smart hosts given) as Exchange Online would, run the checklist, and report',
    )
    .argument('[targets...]', 'smart hosts to verify as one connector (instead of --connectors)')
    .option('-c, --connectors <file>', 'the output of Get-OutboundConnector | ConvertTo-Json, or of Get-OutboundConnector | Format-List')
    .option('--config <file>', 'verify the targets of a scheduled-checks config instead (each with its own options)')
    .option('--recipient-domain <domain>', 'a sample domain for a wildcard RecipientDomains entry (repeatable)', collect)
    .option('--rcpt-test <from,to>', 'also send MAIL FROM / RCPT TO / RSET (no DATA) on every passing path')
    .option('--send-test <from,to>', 'also send one real test message with nodemailer and report its queue id')
    .option('--max-message-size <size>', "Exchange Online's maximum message size the smart host must accept (default 36MB)")
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--json', 'print the report as JSON (schema mailflow-probe/verify@1)')
    .option('--markdown', 'print the report as Markdown, for a ticket');
  addProbeFlags(verifyCommand, 'verify')
    .option('--no-color', 'no colours')
    .action(async (targets: string[], opts: import('../verify/cli.js').VerifyCliOptions) => {
      const { runVerify } = await import('../verify/cli.js');
      const cancel = cancelOnSigint();
      try {
        process.exitCode = await runVerify(targets, opts, cancel.signal, useColor(opts.color));
      } finally {
        cancel.dispose();
      }
    });

  addScheduledCommands(program);

  const serveCommand = program
    .command('serve')
    .description('run a Prometheus exporter: GET /probe?target=NAME probes a configured target; /metrics; / status page')
    .option('--config <file>', 'the scheduled checks\' config: its targets, and its history for the status page')
    .option('--targets <file>', 'the targets it may probe, one a line (as for probe --targets)')
    .option('--listen <ip:port>', 'where to listen (default 127.0.0.1:9125)')
    .option('--allow-any-target', 'also probe ?target=HOST not in the targets file (public addresses only)')
    .option('--allow-private', 'with --allow-any-target: also loopback, private and other special-purpose addresses')
    .option('--token-file <file>', 'require Authorization: Bearer <the token in FILE> (or set PROBE_EXPORTER_TOKEN)')
    .option('--max-concurrent <n>', 'probes at once; beyond, 503 (default 32)')
    .option('--request-timeout <ms>', 'the most one request may take (default 30000)');
  // The probe options here are the defaults of every target (each line or config
  // target overrides them) and the options of ?target= probes.
  addProbeFlags(serveCommand, 'serve').action(async (opts: ServeCliOptions & ProbeFlags) => {
    const { runServe } = await import('../exporter/cli.js');
    process.exitCode = await runServe(probeOptionsFromFlags(opts, 'serve'), opts);
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedStdout();
  const program = buildProgram();
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
