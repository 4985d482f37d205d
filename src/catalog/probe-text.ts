import { MESSAGES, fillTemplate, type ProbeTextArg, type ProbeTextId, type ProbeTextRef } from '../../probes/messages.js';
import type { StageResult } from '../../probes/stage.js';
import type { Finding } from '../core/findings.js';
import type { Warning } from '../core/result.js';
import type { Catalog } from './en.js';
import { FINDING_TEXT_EN, FINDING_TEXT_PT_BR } from './finding-text.js';
import { PROBE_TEXT_PT_BR } from './probe-text.pt-br.js';

/**
 * The texts a probe result carries in English (stage details, warnings, notes, findings),
 * in the catalog's language. Every renderer that prints them goes through here, so that a
 * Portuguese report has no English line but Exchange's status lines and the server's own
 * words (issue 19).
 *
 * A result records each such text with the id and arguments it was said from
 * (probes/messages.ts); the text is rendered again from the catalog language's template.
 * A text without an id (a result from before the ids, read back from history; the
 * server's own reply as a stage detail) is printed as it is.
 */

const TEMPLATES: Record<Catalog['language'], Record<ProbeTextId, string>> = { en: MESSAGES, 'pt-BR': PROBE_TEXT_PT_BR };

/** ISO dates read as dd/mm/aaaa in Portuguese prose. */
function dataIn(language: Catalog['language'], key: string, value: string | number): string {
  const text = String(value);
  if (language === 'pt-BR' && key === 'date') {
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (iso) return `${iso[3]}/${iso[2]}/${iso[1]}`;
  }
  return text;
}

/** A text by id and arguments, in `language`; a nested text in the same language. */
export function renderProbeText(ref: ProbeTextRef, language: Catalog['language']): string {
  const templates = TEMPLATES[language];
  const template = templates[ref.id] ?? MESSAGES[ref.id];
  if (template === undefined) return '';
  const args: Record<string, ProbeTextArg> = {};
  for (const key in ref.args) {
    const v = ref.args[key] as ProbeTextArg;
    args[key] = typeof v === 'object' ? v : dataIn(language, key, v);
  }
  return fillTemplate(template, args, (nested) => renderProbeText(nested, language));
}

/** The text of `english`, said from `id`/`args` when it was; else `english` as it is. */
function said(english: string, id: ProbeTextId | undefined, args: Record<string, ProbeTextArg> | undefined, catalog: Catalog): string {
  if (!id || catalog.language === 'en' || !(id in MESSAGES)) return english;
  return renderProbeText({ id, args: args ?? {} }, catalog.language);
}

export function stageDetail(stage: StageResult, catalog: Catalog): string {
  return said(stage.detail, stage.detailId, stage.detailArgs, catalog);
}

export function warningText(warning: Warning, catalog: Catalog): string {
  return said(warning.message, warning.id, warning.args, catalog);
}

/**
 * A note of a path or a result. `refs` is where the note came from (`noteRefs` of the path
 * or result that holds it); without it the note is printed as it is.
 */
export function noteText(note: string, catalog: Catalog, refs?: Record<string, ProbeTextRef>): string {
  const ref = refs?.[note];
  return said(note, ref?.id, ref?.args, catalog);
}

/**
 * A line of a path's transcript: the prober's own `* ` notes in the catalog's language
 * (`refs` is the path's `transcriptRefs`), the dialogue (`S: `, `C: `) as it was.
 */
export function transcriptLine(line: string, catalog: Catalog, refs?: Record<string, ProbeTextRef>): string {
  return line.startsWith('* ') ? `* ${noteText(line.slice(2), catalog, refs)}` : line;
}

/** A failure's message (a path's `failure`, a diagnosis's `summary`). */
export function failureText(failure: { message: string; id?: ProbeTextId; args?: Record<string, ProbeTextArg> }, catalog: Catalog): string {
  return said(failure.message, failure.id, failure.args, catalog);
}

/** Any English text recorded with its id and arguments (a diagnosis's summary or vantage). */
export function textOf(english: string, id: ProbeTextId | undefined, args: Record<string, ProbeTextArg> | undefined, catalog: Catalog): string {
  return said(english, id, args, catalog);
}

export function findingText(finding: Finding, catalog: Catalog): Pick<Finding, 'title' | 'message' | 'fixes' | 'firstFix'> {
  if (catalog.language === 'en' || !finding.parts) {
    return { title: finding.title, message: finding.message, fixes: finding.fixes, firstFix: finding.firstFix };
  }
  const t = (catalog.language === 'pt-BR' ? FINDING_TEXT_PT_BR : FINDING_TEXT_EN)[finding.kind];
  return {
    title: t.title,
    message: t.message.replace('{what}', finding.parts.map((p) => t.parts[p]).join('; ')),
    fixes: t.fixes,
    firstFix: t.firstFix,
  };
}
