/**
 * `probe --output nagios`: the result as a Nagios / Icinga plugin answers, after the
 * Monitoring Plugins development guidelines: one status line
 * `SMTP-CONNECTOR <STATE> - <summary> | <perfdata>`, then one line per path (the plugin's
 * long output), and the state as the exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 * Pure: a function of the ProbeResult and the thresholds.
 */
import { STAGES } from '../../probes/stage.js';
import type { PathResult, ProbeResult } from '../core/result.js';
import { earliestExpiry, headlinePath, seconds } from '../core/result-facts.js';
import { en, type Catalog } from '../catalog/en.js';
import { failureText, noteText, renderProbeText, warningText } from '../catalog/probe-text.js';
import { reportText, type ReportText } from '../catalog/report-text.js';
import { fill, translatedTitle, vantageLine } from './text.js';

export const NAGIOS_STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type NagiosState = (typeof NAGIOS_STATES)[number];

export interface NagiosThresholds {
  /** WARNING when the earliest certificate has this many days left or fewer. */
  warningDays: number;
  /** CRITICAL when the earliest certificate has this many days left or fewer. */
  criticalDays: number;
}

export const NAGIOS_DEFAULTS: NagiosThresholds = { warningDays: 30, criticalDays: 7 };

export interface NagiosOutput {
  /** The plugin output, newline-terminated. */
  text: string;
  state: NagiosState;
  /** The plugin's exit code: the state's index (0 OK … 3 UNKNOWN). */
  exitCode: 0 | 1 | 2 | 3;
}

/**
 * Remote and free text made safe for the plugin line: the guidelines reserve `|` for the
 * start of the performance data, and a line break would start the long output.
 */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\|/g, '/').replace(/\s+/g, ' ').trim();
}

function address(p: PathResult, r: ReportText): string {
  const ip = p.ip ? `${p.ip.includes(':') ? `[${p.ip}]` : p.ip}:${p.port}` : r.nagiosNoAddress;
  return p.host === p.ip ? ip : `${p.host} ${ip}`;
}

function days(n: number, r: ReportText): string {
  return n < 0 ? fill(n === -1 ? r.expiredDayAgo : r.expiredDaysAgo, { days: -n }) : fill(n === 1 ? r.nagiosExpiresInOne : r.nagiosExpiresIn, { days: n });
}

/** `contoso.com's DANE policy: …`, in the catalog's language (the words of probes/messages.ts). */
function policyText(refusal: NonNullable<PathResult['policyRefusal']>, catalog: Catalog): string {
  return renderProbeText({ id: 'judge.policy-summary', args: { domain: refusal.domain, policy: refusal.policy, problem: refusal.problemRef ?? refusal.problem } }, catalog.language);
}

/** One performance datum: `label=value[UOM];[warn];[crit];[min];[max]`, trailing empty fields dropped. */
function perf(label: string, value: number, uom: '' | 's', warn = '', crit = '', min = '', max = ''): string {
  const quoted = /[\s='"]/.test(label) ? `'${label.replace(/'/g, "''")}'` : label;
  return `${quoted}=${value}${uom};${warn};${crit};${min};${max}`.replace(/;+$/, '');
}

/**
 * The plugin output of one probe.
 *
 * @example
 * ```ts
 * const { text, exitCode } = renderNagios(await probe(['smarthost.contoso.com']), { warningDays: 30, criticalDays: 7 });
 * process.stdout.write(text); // SMTP-CONNECTOR OK - 1 of 1 paths pass, certificate expires in 88 days | time=0.112s;;;0 …
 * process.exitCode = exitCode;
 * ```
 */
export function renderNagios(result: ProbeResult, thresholds: NagiosThresholds = NAGIOS_DEFAULTS, catalog: Catalog = en): NagiosOutput {
  const r = reportText(catalog);
  const at = (what: string, p: PathResult): string => fill(r.nagiosAt, { what, address: address(p, r) });
  const passed = result.paths.filter((p) => p.verdict !== 'failing').length;
  const headline = headlinePath(result);
  const first = earliestExpiry(result);
  const reasons: string[] = [];
  let level = 0;
  const raise = (to: 1 | 2, reason: string): void => {
    level = Math.max(level, to);
    reasons.push(reason);
  };

  if (result.verdict === 'failing') {
    const status = result.status ? `${result.status}${translatedTitle(result.code, catalog)}` : r.nagiosNoPath;
    raise(2, headline ? at(status, headline) : status);
  } else if (result.verdict === 'degraded') {
    // The certificate's own horizon is judged by -w/-c below, not by --warn-days.
    const failed = result.paths.find((p) => p.verdict === 'failing');
    const warning = [...result.warnings, ...result.paths.flatMap((p) => p.warnings)].find(
      (w) => w.kind !== 'certificate-expiring' && w.kind !== 'path-failed',
    );
    if (failed) raise(1, fill(r.nagiosFlowsBut, { what: at(failed.status ?? (failed.code === 'other' ? r.other : failed.code) ?? r.nagiosPathFailed, failed) }));
    else if (warning) raise(1, fill(r.nagiosFlowsBut, { what: warningText(warning, catalog) }));
  }
  if (first) {
    const text = fill(r.nagiosCertificate, { subject: first.subject, days: days(first.daysLeft, r) });
    if (first.daysLeft <= thresholds.criticalDays) raise(2, fill(r.nagiosCritical, { text, days: thresholds.criticalDays }));
    else if (first.daysLeft <= thresholds.warningDays) raise(1, fill(r.nagiosWarning, { text, days: thresholds.warningDays }));
  }
  if (result.cancelled) level = 3;

  const state = NAGIOS_STATES[level]!;
  const summary = [
    result.cancelled ? r.nagiosCancelled : '',
    ...reasons,
    fill(r.nagiosPathsPass, { passed, total: result.paths.length }),
    level === 0 && first ? fill(r.nagiosCertificateDays, { days: days(first.daysLeft, r) }) : '',
  ]
    .filter(Boolean)
    .join('; ');

  const data = [perf('time', seconds(result.durationMs), 's', '', '', '0')];
  // The reported path's stages, in order; a stage not reached has no datum.
  for (const name of STAGES) {
    const stage = headline?.stages.find((s) => s.name === name);
    if (stage) data.push(perf(name, seconds(stage.ms), 's', '', '', '0'));
  }
  data.push(perf('paths', result.paths.length, '', '', '', '0'), perf('paths_ok', passed, '', '', '', '0', String(result.paths.length)));
  // Days are unitless (the guidelines' UOMs are s, %, B, c and none); no minimum, because
  // an expired certificate has a negative count.
  if (first) data.push(perf('cert_days', first.daysLeft, '', String(thresholds.warningDays), String(thresholds.criticalDays)));

  const long = result.paths.map(
    (p) =>
      plain(
        `${p.verdict === 'failing' ? 'CRITICAL' : p.verdict === 'degraded' ? 'WARNING' : 'OK'}: ${address(p, r)}${p.code ? ` ${p.status ?? (p.code === 'other' ? r.other : p.code)}` : ''}${p.failure ? ` (${r.stageNames[p.failure.stage]}: ${failureText(p.failure, catalog)})` : p.policyRefusal ? ` (${policyText(p.policyRefusal, catalog)})` : ''}`,
      ),
  );
  // Where the probe ran from, and what that means for the answer (issue 14).
  if (result.unverifiable) long.push(`${r.nagiosNote}: ${r.unverifiable}`);
  if (result.mayDiffer) long.push(`${r.nagiosNote}: ${r.mayDiffer}`);
  for (const n of result.notes ?? []) long.push(plain(`${r.nagiosNote}: ${noteText(n, catalog, result.noteRefs)}`));
  const vantage = vantageLine(result, catalog);
  if (vantage) long.push(plain(vantage));
  const text = [`SMTP-CONNECTOR ${state} - ${plain(summary)} | ${data.join(' ')}`, ...long].join('\n');
  return { text: `${text}\n`, state, exitCode: level as NagiosOutput['exitCode'] };
}
