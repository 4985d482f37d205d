/**
 * mailflow-probe as a library: `probe()` runs the same engine as the `probe` command and
 * returns the same `mailflow-probe/result@1` object that `--json` prints.
 */
export { probe } from './engine.js';
export { classify } from './classify.js';
export { diagnose, exchangeMessage } from './diagnose.js';
export { en as catalog } from './catalog/en.js';
export { UsageError, DEFAULTS, type ProbeOptions } from './options.js';
export { renderText } from './report/text.js';
export { renderJson } from './report/json.js';
export { nameMatchesTlsDomain } from '../probes/certificate.js';
export type * from './result.js';
export type { StageName, FailureKind, FailureRecord, CertificateReason, TlsMode, SmtpReply } from '../probes/stage.js';
export type { Capabilities } from '../probes/smtp.js';
export type { TlsInfo } from '../probes/tls.js';
export type { CertificateCheck, CertificateSummary } from '../probes/certificate.js';
export { detectFindings, type Finding, type FindingKind } from './findings.js';
