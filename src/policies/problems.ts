import { say, type ProbeTextId, type ProbeTextRef, type Said } from '../../probes/messages.js';

/**
 * What each problem text of a domain's policies was said from, by its English text: the
 * result keeps the English (`problem`, `error`), and a report in another language words it
 * again from here (src/catalog/probe-text.ts, as a path's `noteRefs`).
 */
export type ProblemRefs = Record<string, ProbeTextRef>;

/** Says a problem: its English text, recorded in `refs` with its id and arguments. */
export function sayProblem(refs: ProblemRefs, id: ProbeTextId, args: Record<string, string | number | Said | ProbeTextRef> = {}): string {
  const said = say(id, args);
  refs[said.text] = { id: said.id, args: said.args };
  return said.text;
}
