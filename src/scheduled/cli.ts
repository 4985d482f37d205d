/**
 * The scheduled-check subcommands of `probe`: init, check, watch, history. Argument
 * parsing and exit codes only; the work is in config.ts, check.ts, scheduler.ts and
 * history-report.ts, loaded lazily.
 */
import type { Command } from 'commander';
import { cancelOnSigint, EXIT, onSignals } from '../cli/exit.js';
import { addProbeFlags, collect, probeOptionsFromFlags, type ProbeFlags } from '../cli/flags.js';
import type { Language } from '../catalog/index.js';

/**
 * The language: --lang (the options schema's `language`, door `scheduled`), else the
 * config's `lang`, else the locale (LC_ALL, LC_MESSAGES, LANG).
 */
async function languageOf(flags: ProbeFlags, config: { language: Language | null } | null): Promise<Language> {
  const { chooseLanguage } = await import('../catalog/index.js');
  const flag = probeOptionsFromFlags(flags, 'scheduled').language;
  return flag === undefined && config?.language ? config.language : chooseLanguage(flag);
}

/** Adds `init`, `check`, `watch` and `history` to the program; the schema's flags' help in `language`. */
export function addScheduledCommands(program: Command, language: Language = 'en'): void {
  // The root command has --json too: without this, `probe check --json` would set the root's.
  program.enablePositionalOptions();
  program
    .command('init')
    .description('write a commented example config for scheduled checks')
    .argument('[file]', 'where to write it', 'mailflow-probe.yaml')
    .action(async (file: string) => {
      const { writeExampleConfig } = await import('./init.js');
      writeExampleConfig(file);
      process.stdout.write(`Wrote ${file}: edit the targets and alerts, then run probe check --config ${file}\n`);
      process.exitCode = 0;
    });

  const checkCommand = program
    .command('check')
    .description('check every target in the config once, record the history, send alerts (for cron); exit code = worst verdict')
    .requiredOption('-c, --config <file>', 'the config file (YAML or JSON)')
    .option('--target <name>', 'check only this target (repeatable)', collect)
    .option('--json', 'print the passes as JSON');
  addProbeFlags(checkCommand, 'scheduled', language)
    .action(async (opts: { config: string; target?: string[]; json?: boolean; lang?: string }) => {
      const [{ loadConfig }, { runCheck, renderPass, renderDelivery }, { UsageError }, { terminal }] = await Promise.all([
        import('./config.js'),
        import('./check.js'),
        import('../core/options.js'),
        import('../report/sanitize.js'),
      ]);
      const loaded = loadConfig(opts.config);
      const config = { ...loaded, language: await languageOf(opts, loaded) };
      const targets = opts.target
        ? opts.target.map((name) => {
            const t = config.targets.find((x) => x.name === name);
            if (!t) throw new UsageError(`unknown target "${name}": the config names ${config.targets.map((x) => `"${x.name}"`).join(', ')}`);
            return t;
          })
        : config.targets;
      const cancel = cancelOnSigint();
      try {
        const outcome = await runCheck(config, { targets, signal: cancel.signal });
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify(
              {
                schema: 'mailflow-probe/check@1',
                verdict: outcome.verdict,
                targets: outcome.passes.map((p) => ({
                  name: p.target.name,
                  verdict: p.result.verdict,
                  attempts: p.attempts,
                  countdown: p.countdown,
                  alerts: p.alerts.map((a) => ({ id: a.id, kind: a.event.kind })),
                  result: p.result,
                })),
                delivery: outcome.delivery,
              },
              null,
              2,
            )}\n`,
          );
        } else {
          // target names, statuses and delivery errors are remote or file text
          process.stdout.write(terminal(outcome.passes.map((p) => renderPass(p, config.language)).join('') + renderDelivery(outcome.delivery, config.language)));
        }
        process.exitCode = outcome.cancelled ? EXIT.cancelled : EXIT[outcome.verdict];
      } finally {
        cancel.dispose();
      }
    });

  const watchCommand = program
    .command('watch')
    .description('keep running: check each target on its cron schedule, record the history, send alerts')
    .requiredOption('-c, --config <file>', 'the config file (YAML or JSON)')
    .option('--no-check-at-start', 'wait for each target\'s first scheduled time');
  addProbeFlags(watchCommand, 'scheduled', language)
    .action(async (opts: { config: string; checkAtStart: boolean; lang?: string }) => {
      const [{ loadConfig }, { startWatch }, { terminal }, { scheduledText }, { fill }] = await Promise.all([
        import('./config.js'),
        import('./scheduler.js'),
        import('../report/sanitize.js'),
        import('../catalog/scheduled.js'),
        import('../report/text.js'),
      ]);
      const loaded = loadConfig(opts.config);
      const config = { ...loaded, language: await languageOf(opts, loaded) };
      const text = scheduledText(config.language).watch;
      const watcher = startWatch(config, { checkAtStart: opts.checkAtStart });
      // First signal: in-flight checks and deliveries get a few seconds to commit, then are
      // cancelled (undelivered alerts stay in the outbox); stopped within 5 s. Second: exit now.
      // Listened for before the "watching" line: a signal sent as soon as it is read must find
      // the handler, not kill the process.
      let stopping = false;
      const dispose = onSignals(['SIGINT', 'SIGTERM'], (signal) => {
        if (stopping) {
          process.stdout.write(`${fill(text.exiting, { signal })}\n`);
          process.exit(EXIT.cancelled);
        }
        process.stdout.write(`${fill(text.finishing, { signal })}\n`);
        stopping = true;
        void watcher.stop();
      });
      process.stdout.write(`${fill(text.watching, { count: config.targets.length, file: terminal(config.database) })}\n`);
      await watcher.stopped;
      dispose();
      process.stdout.write(`${text.stopped}\n`);
      process.exitCode = 0;
    });

  program
    .command('config-schema')
    .description('print the JSON Schema (draft 2020-12) of the config file, for editors: # yaml-language-server: $schema=FILE')
    .action(async () => {
      const { configJsonSchema } = await import('./config.js');
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      process.exitCode = 0;
    });

  const historyCommand = program
    .command('history')
    .description('state, countdown, uptime, certificate expiry and the timeline of state changes')
    .argument('[target]', 'one target (default: all)')
    .option('-c, --config <file>', 'the config file (for the database and the queue lifetime)')
    .option('--db <file>', 'the history database, when there is no config file')
    .option('--since <duration>', 'the window: 24h, 7d, 30d …', '7d')
    .option('--json', 'print the report as JSON (schema mailflow-probe/history@1)');
  addProbeFlags(historyCommand, 'scheduled', language)
    .action(async (target: string | undefined, opts: { config?: string; db?: string; since: string; json?: boolean; lang?: string }) => {
      const [{ loadConfig, CONFIG_DEFAULTS }, { History }, { buildHistory, renderHistory }, { parseDuration }, { UsageError }] = await Promise.all([
        import('./config.js'),
        import('./history.js'),
        import('./history-report.js'),
        import('../core/duration.js'),
        import('../core/options.js'),
      ]);
      if (!opts.config && !opts.db) throw new UsageError('name the config file (--config) or the database (--db)');
      const sinceMs = parseDuration(opts.since, '--since');
      // history sends nothing: an unset password variable is no reason to refuse.
      const config = opts.config ? loadConfig(opts.config, null) : null;
      const language = await languageOf(opts, config);
      const queueLifetimeMs = config?.queueLifetimeMs ?? parseDuration(CONFIG_DEFAULTS.queueLifetime);
      const history = History.open(opts.db ?? config!.database, { readonly: true });
      try {
        if (target !== undefined) {
          const known = history.states().some((s) => s.target === target) || config?.targets.some((t) => t.name === target);
          if (!known) throw new UsageError(`unknown target "${target}": not in the config and never checked`);
        }
        const now = new Date();
        const report = buildHistory(history, { target: target ?? null, since: new Date(now.getTime() - sinceMs), now, queueLifetimeMs });
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderHistory(report, language));
        process.exitCode = 0;
      } finally {
        history.close();
      }
    });
}
