import { formatReply } from '../../probes/smtp.js';
import type { FailureRecord } from '../../probes/stage.js';
import { en, type Catalog } from '../catalog/en.js';
import type { Diagnosis, ExchangeCode } from './result.js';

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
    summary: failure.message,
    firstFix,
    serverSaid: failure.reply ? formatReply(failure.reply) : (failure.evidence ?? null),
    ...(failure.reason === 'name-mismatch' ? { note: catalog.mismatchNote } : {}),
  };
}
