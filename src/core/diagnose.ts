import { say, type Said } from '../../probes/messages.js';
import { formatReply } from '../../probes/smtp.js';
import type { FailureRecord } from '../../probes/stage.js';
import { en, type Catalog } from '../catalog/en.js';
import type { Diagnosis, ExchangeCode, PolicyRefusal } from './result.js';

const summaryOf = (said: Said): Pick<Diagnosis, 'summary' | 'summaryId' | 'summaryArgs'> => ({ summary: said.text, summaryId: said.id, summaryArgs: said.args });

/** A diagnosis's summary from a failure: its message, and what it was said from when it was. */
export const failureSummary = (failure: FailureRecord): Pick<Diagnosis, 'summary' | 'summaryId' | 'summaryArgs'> => ({
  summary: failure.message,
  ...(failure.id ? { summaryId: failure.id, summaryArgs: failure.args ?? {} } : {}),
});

// Exchange's message text is written (and read back) in one place: src/exchange-text.ts.
export { exchangeMessage, exchangeMessageText } from './exchange-text.js';

export function diagnose(code: ExchangeCode, failure: FailureRecord, catalog: Catalog = en): Diagnosis {
  const entry = catalog.codes[code];
  const firstFix =
    failure.kind === 'certificate' ? catalog.reasons[failure.reason ?? 'invalid'] : catalog.kinds[failure.kind];
  return {
    code,
    status: entry.status,
    title: entry.title,
    meaning: entry.meaning,
    causes: entry.causes,
    fixes: entry.fixes,
    partner: catalog.partner,
    stage: failure.stage,
    kind: failure.kind,
    ...failureSummary(failure),
    firstFix,
    serverSaid: failure.reply ? formatReply(failure.reply) : (failure.evidence ?? null),
    ...(failure.reason === 'name-mismatch' ? { note: catalog.mismatchNote } : {}),
  };
}

/**
 * The diagnosis of a path the recipient domain's DANE or MTA-STS policy refuses: the
 * policy code's status, meaning, causes and fixes, and the partner note that names the
 * recipient domain's administrators.
 */
export function diagnosePolicy(refusal: PolicyRefusal, catalog: Catalog = en): Diagnosis {
  const entry = refusal.code === 'other' ? catalog.policyOther : catalog.policyCodes[refusal.code];
  return {
    code: refusal.code,
    status: entry.status,
    title: entry.title,
    meaning: entry.meaning,
    causes: entry.causes,
    fixes: entry.fixes,
    partner: catalog.policyPartner,
    // Where the policy bites: the TLSA lookup (4.7.324), STARTTLS (4.7.321), else the certificate.
    stage: refusal.code === '4.7.324' ? 'dns' : refusal.code === '4.7.321' ? 'starttls' : 'certificate',
    kind: 'policy',
    ...summaryOf(say('judge.policy-summary', { domain: refusal.domain, policy: refusal.policy, problem: refusal.problemRef ?? refusal.problem })),
    firstFix: entry.fixes[0] ?? catalog.policyPartner,
    serverSaid: null,
  };
}
