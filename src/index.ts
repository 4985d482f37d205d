/**
 * mailflow-probe as a library: `probe()` runs the same engine as the `probe` command and
 * returns the same `mailflow-probe/result@1` object that `--json` prints.
 */
export { probe } from './core/engine.js';
export { classify } from './core/classify.js';
export { diagnose, exchangeMessage } from './core/diagnose.js';
export { en as catalog } from './catalog/en.js';
export { UsageError, DEFAULTS, type ProbeOptions } from './core/options.js';
export { OPTIONS, type OptionSpec, type Door } from './core/option-schema.js';
export { renderText } from './report/text.js';
export { renderJson } from './report/json.js';
export { nameMatchesTlsDomain } from '../probes/certificate.js';
export { RevocationCache, defaultRevocationCache, REVOCATION_CACHE_LIMITS, type RevocationCacheOptions, type RevocationCacheStats } from '../probes/revocation-cache.js';
export type * from './core/result.js';
export type { StageName, FailureKind, FailureRecord, CertificateReason, TlsMode, SmtpReply } from '../probes/stage.js';
export type { Capabilities } from '../probes/smtp.js';
export type { TlsInfo } from '../probes/tls.js';
export type { CertificateCheck, CertificateSummary } from '../probes/certificate.js';
export { detectFindings, type Finding, type FindingKind } from './core/findings.js';
export { parseConnectors, readConnectors, planConnector, type Connector, type ConnectorPlan } from './verify/connectors.js';
export { verify, parseSize, validationCommand, EXCHANGE_MAX_MESSAGE_SIZE, VERIFY_SCHEMA, type VerifyReport, type ConnectorReport, type VerifyOptions } from './verify/run.js';
export { checklist, type Check, type CheckStatus } from './verify/checklist.js';
export { renderVerifyText, renderVerifyMarkdown, renderVerifyJson } from './report/verify-text.js';
export { renderVerifyHtml } from './report/verify-html.js';
// Scheduled checks (issue 5)
export { loadConfig, validateConfig, configJsonSchema, type MonitorConfig, type TargetConfig, type AlertChannel } from './scheduled/config.js';
export { Monitor, type PassOutcome } from './scheduled/monitor.js';
export { runCheck } from './scheduled/check.js';
export { startWatch } from './scheduled/scheduler.js';
export { History } from './scheduled/history.js';
export { buildHistory, type HistoryReport } from './scheduled/history-report.js';
export { advance, type AlertEvent, type AlertKind, type TargetState } from './scheduled/alert-state.js';
export { countdown, type Countdown } from './scheduled/countdown.js';
export { explain, parseReport, diagnoseReport, type ExplainOptions, type ExplainResult, type ExplainCheck, type ParsedReport } from './explain/explain.js';
export { renderExplain } from './report/explain-text.js';
export { ptBR as catalogPtBR } from './catalog/pt-br.js';
export { chooseLanguage, catalogFor, LANGUAGES, type Language } from './catalog/index.js';
export type { Catalog, Headings, CodeEntry } from './catalog/en.js';
export type * from './policies/types.js';
