import type { StageResult } from '../../probes/stage.js';
import type { Finding } from '../core/findings.js';
import type { Warning } from '../core/result.js';
import type { Catalog } from './en.js';

/**
 * The texts a probe result carries in English (stage details, warnings, notes, findings),
 * in the catalog's language. Every renderer that prints them goes through here, so that a
 * Portuguese report has no English line but Exchange's status lines and the server's own
 * words (issue 19).
 *
 * STUB (lead, 30 Nov): returns the English text; the pt-BR tables and ids come next.
 */
export function stageDetail(stage: StageResult, catalog: Catalog): string {
  void catalog;
  return stage.detail;
}

export function warningText(warning: Warning, catalog: Catalog): string {
  void catalog;
  return warning.message;
}

export function noteText(note: string, catalog: Catalog): string {
  void catalog;
  return note;
}

export function findingText(finding: Finding, catalog: Catalog): Pick<Finding, 'title' | 'message' | 'fixes' | 'firstFix'> {
  void catalog;
  return { title: finding.title, message: finding.message, fixes: finding.fixes, firstFix: finding.firstFix };
}
