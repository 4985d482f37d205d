/**
 * `probe verify`: reads and checks every input first (connectors file, addresses, sizes,
 * report path) so that bad input probes nothing, then verifies and prints one report.
 * Exit codes: 0 every connector passes, 1 a warning (or a connector could not be
 * verified), 2 a connector fails, 3 usage error, 130 cancelled.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../scheduled/config.js';
import { planConnector, plainConnector, readConnectors, type ConnectorPlan } from './connectors.js';
import { EXIT } from '../cli/exit.js';
import { probeOptionsFromFlags, type ProbeFlags } from '../cli/flags.js';
import { resolveSettings, tlsPolicyOf, UsageError } from '../core/options.js';
import { renderVerifyHtml } from '../report/verify-html.js';
import { renderVerifyJson, renderVerifyMarkdown, renderVerifyText } from '../report/verify-text.js';
import { commandWords } from '../catalog/commands.js';
import { chooseLanguage } from '../catalog/index.js';
import { fill } from '../report/text.js';
import { parseEnvelope } from './envelope.js';
import { localizeReport } from './localize.js';
import { progressDisplay } from './progress.js';
import { parseSize, verify, type VerifyOptions, type VerifyReport } from './run.js';

export interface VerifyCliOptions extends ProbeFlags {
  tlsMode?: string;
  tlsDomain?: string;
  connectors?: string;
  config?: string;
  recipientDomain?: string[];
  rcptTest?: string;
  sendTest?: string;
  maxMessageSize?: string;
  report?: string;
  json?: boolean;
  markdown?: boolean;
  lang?: string;
  color: boolean;
}

export const VERIFY_EXIT = { pass: EXIT.healthy, warn: EXIT.degraded, fail: EXIT.failing } as const;

/** Every plan, from the connectors file or from plain targets; throws UsageError before anything is sent. */
export function plansFrom(targets: string[], opts: VerifyCliOptions): { plans: ConnectorPlan[]; source: string } {
  const samples = opts.recipientDomain ?? [];
  if (opts.config) {
    if (opts.connectors || targets.length) throw new UsageError('give one of --config, --connectors or targets');
    if (opts.tlsMode || opts.tlsDomain) throw new UsageError('--tls-mode and --tls-domain apply to plain targets; with --config each target brings its own');
    // Alert channels are not used here, so their password variables need not be set.
    const config = loadConfig(opts.config, null);
    const plans = config.targets.map((t) => {
      const { tlsMode, tlsDomain } = tlsPolicyOf(t.options.tlsMode, t.options.tlsDomain);
      const connector = { ...plainConnector(t.hosts, tlsMode, tlsDomain), name: t.name, identity: t.name };
      return { ...planConnector(connector, samples), options: t.options };
    });
    return { plans, source: opts.config };
  }
  if (opts.connectors) {
    if (targets.length) throw new UsageError(`give either --connectors or targets, not both (got ${targets.join(', ')})`);
    if (opts.tlsMode || opts.tlsDomain) throw new UsageError('--tls-mode and --tls-domain apply to plain targets; with --connectors each connector brings its own TlsSettings');
    const connectors = readConnectors(opts.connectors);
    return { plans: connectors.map((c) => planConnector(c, samples)), source: opts.connectors };
  }
  if (!targets.length) throw new UsageError('nothing to verify: give --connectors FILE (Get-OutboundConnector | ConvertTo-Json) or smart hosts');
  const { tlsMode, tlsDomain } = tlsPolicyOf(opts.tlsMode, opts.tlsDomain);
  return { plans: [planConnector(plainConnector(targets, tlsMode, tlsDomain), samples)], source: 'command line' };
}

function checkReportPath(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`cannot write report "${file}": the directory ${dir} does not exist`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`cannot write report "${file}": it is a directory`);
}

/** Runs `probe verify`; returns the exit code. */
export async function runVerify(targets: string[], opts: VerifyCliOptions, signal: AbortSignal, color: boolean): Promise<number> {
  if (opts.json && opts.markdown) throw new UsageError('--json and --markdown cannot be combined: choose one output on stdout');
  const { plans, source } = plansFrom(targets, opts);
  const rcptTest = opts.rcptTest === undefined ? null : parseEnvelope(opts.rcptTest, '--rcpt-test');
  const sendTest = opts.sendTest === undefined ? null : parseEnvelope(opts.sendTest, '--send-test');
  if (opts.report) checkReportPath(opts.report);
  const language = chooseLanguage(opts.lang);
  // TLS mode and domain come per connector (plansFrom); the rest are the shared flags. The
  // report is made in English (its JSON is read by programs) and worded for the reader after.
  const { tlsMode: _mode, tlsDomain: _domain, language: _language, ...probeOptions } = probeOptionsFromFlags(opts, 'verify');
  const options: VerifyOptions = {
    ...probeOptions,
    source,
    rcptTest,
    sendTest,
    validationCommand: Boolean(opts.connectors),
    signal,
    ...(opts.maxMessageSize !== undefined ? { maxMessageSize: parseSize(opts.maxMessageSize) } : {}),
  };
  // Validate the shared probe options once, before the first connector is probed: a bad
  // --port must not surface only after half the connectors ran.
  resolveSettings('probe.invalid', { ...probeOptions, tlsMode: 'opportunistic' });
  const progress = progressDisplay(process.stderr, language);
  let report: VerifyReport;
  try {
    report = await verify(plans, { ...options, onProgress: progress.onProgress });
  } finally {
    progress.end();
  }
  const samples = opts.recipientDomain ?? [];
  const worded = localizeReport(report, plans.map((p) => planConnector(p.connector, samples, language)), language);
  if (opts.report) writeFileSync(opts.report, renderVerifyHtml(worded, { language }));
  process.stdout.write(opts.json ? renderVerifyJson(report) : opts.markdown ? renderVerifyMarkdown(worded, { language }) : renderVerifyText(worded, { color, language }));
  if (opts.report && !opts.json && !opts.markdown) process.stdout.write(`\n${fill(commandWords(language).verify.reportWritten, { file: opts.report })}\n`);
  if (report.connectors.some((c) => c.result?.cancelled)) return EXIT.cancelled;
  return VERIFY_EXIT[report.verdict];
}
