/**
 * A verify report worded for its reader. The report itself (and its `--json`) is English;
 * for another language the texts are worded again from the facts the report keeps — the
 * checklist from each probe result, the plan's notes from the connector — by the same
 * functions that wrote them in English. Pure.
 */
import { commandWords } from '../catalog/commands.js';
import type { Language } from '../catalog/index.js';
import { checklist, envelopeCheck } from './checklist.js';
import type { ConnectorPlan } from './connectors.js';
import { asPathCheck, connectorTexts, wordOutcome, type ConnectorReport, type VerifyReport } from './run.js';

/**
 * `report` in `language`; `plans` are the report's plans worded in that language
 * (planConnector(…, language)), in the report's order.
 *
 * @example
 * ```ts
 * const report = await verify(plans, options);
 * const pt = localizeReport(report, plans.map((p) => planConnector(p.connector, samples, 'pt-BR')), 'pt-BR');
 * ```
 */
export function localizeReport(report: VerifyReport, plans: readonly Pick<ConnectorPlan, 'reason' | 'notes'>[], language: Language): VerifyReport {
  if (language === 'en') return report;
  const settings = { maxMessageSize: report.maxMessageSize, warnDays: report.warnDays, language };
  const english = commandWords('en').verify;
  const connector = (c: ConnectorReport, i: number): ConnectorReport => {
    const plan = plans[i];
    const worded: ConnectorReport = plan ? { ...c, plan: { ...c.plan, reason: plan.reason, notes: plan.notes } } : c;
    if (!c.result) return c.plan.action === 'probe' || c.plan.action === 'skip' ? worded : { ...worded, fixes: [worded.plan.reason ?? ''] };
    const checks = checklist(c.result, settings);
    const rcptTest = c.rcptTest?.map((o) => wordOutcome(o, language)) ?? null;
    const sendTest = c.sendTest ? wordOutcome(c.sendTest, language) : null;
    if (rcptTest?.length) checks.push(envelopeCheck('recipient', rcptTest.map((o) => asPathCheck(o, language)), c.result, settings));
    if (sendTest) checks.push(envelopeCheck('test-message', [asPathCheck(sendTest, language)], c.result, settings));
    return { ...worded, checks, rcptTest, sendTest, ...connectorTexts(c.result, checks, c.plan.unresolved, language) };
  };
  return {
    ...report,
    source: report.source === english.commandLine ? commandWords(language).verify.commandLine : report.source,
    connectors: report.connectors.map(connector),
  };
}
