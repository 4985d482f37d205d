/**
 * One list of named targets, whichever file it comes from: the `--targets` line format,
 * or the scheduled checks' config (YAML or JSON). Fleet mode and `probe serve` take both.
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../scheduled/config.js';
import { historyPointFromRow, type HistoryPoint, type HistorySource } from '../exporter/history.js';
import { History } from '../scheduled/history.js';
import { resolveSettings, UsageError, type ProbeOptions } from '../core/options.js';
import { loadTargetsFile, type NamedTarget } from './targets.js';
import { commandWords } from '../catalog/commands.js';
import { catalogFor, type Language } from '../catalog/index.js';
import { fill } from '../report/text.js';

/** A config file is YAML or JSON, told by its extension; anything else is a targets file. */
export function isConfigFile(file: string): boolean {
  return /\.(ya?ml|json)$/i.test(file);
}

/** The targets of FILE, each with `defaults` under its own options. */
export function loadNamedTargets(file: string, defaults: ProbeOptions): NamedTarget[] {
  if (!isConfigFile(file)) return loadTargetsFile(file, defaults);
  // Alert channels are not used here, so their password variables need not be set.
  const config = loadConfig(file, null);
  return config.targets.map((t) => {
    const options = { ...defaults, ...t.options };
    // The command line's options under the file's: checked together, before anything is sent.
    try {
      resolveSettings(t.hosts, options);
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${file}: ${t.name}: ${err.message}`);
      throw err;
    }
    return { name: t.name, targets: t.hosts, options, source: `${file}: ${t.name}` };
  });
}

/**
 * The scheduled checks' SQLite history as the status page's source, when the config
 * names a database that exists (read-only: `probe watch` is the writer). Null otherwise.
 */
export function configHistory(file: string, language: Language = 'en'): { source: HistorySource; label: string; close(): void } | null {
  if (!isConfigFile(file)) return null;
  const config = loadConfig(file, null);
  if (!existsSync(config.database)) return null;
  const history = History.open(config.database, { readonly: true });
  const WEEK_MS = 7 * 86_400_000;
  return {
    label: fill(commandWords(language).status.scheduled, { database: config.database }),
    source: {
      recent(name: string, limit: number): HistoryPoint[] {
        return history
          .results(name, new Date(Date.now() - WEEK_MS))
          .slice(-limit)
          .map((row) => historyPointFromRow(row, catalogFor(language)));
      },
    },
    close: () => history.close(),
  };
}
