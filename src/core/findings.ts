/**
 * Findings: facts about the path that a code alone does not say, recognised from what
 * the server sent. The first is an SMTP-inspecting firewall (Cisco PIX "fixup smtp",
 * ASA/FTD ESMTP inspection) between Exchange Online and the smart host. Such a box
 * rewrites the dialogue: it masks the greeting with asterisks, and it replaces commands
 * and EHLO keywords it does not allow with X's — STARTTLS becomes `XXXXXXXA`, so the TLS
 * upgrade disappears, and an EHLO becomes `XXXX`, so the server answers 500.
 *
 * A finding never changes the code: the code stays what happened on the wire (usually
 * 4.4.317 "STARTTLS not offered", or 4.4.318 when the box drops the session). The finding
 * adds who did it and how to turn it off. Pure functions of the transcript; no I/O.
 */

import { FINDING_TEXT_EN, type InspectionPart } from '../catalog/finding-text.js';

/** What kind of fact a finding states. */
export type FindingKind = 'smtp-inspection';

/** A named fact about the path, with the evidence it rests on and what to do about it. */
export interface Finding {
  kind: FindingKind;
  title: string;
  /** One sentence: what was seen and what it means for delivery. */
  message: string;
  /** The server lines (as in the transcript) that show it. */
  evidence: string[];
  /** How to turn it off, most specific first. */
  fixes: string[];
  /** The one thing to do first; it replaces the code's generic first fix in the diagnosis. */
  firstFix: string;
  /** What was seen, by part (src/catalog/finding-text.ts), for the reports in other languages. */
  parts?: InspectionPart[];
}

/** A greeting masked by the firewall: `220 ****…`; ASA keeps only the digits 2 and 0 and spaces. */
function isMaskedGreeting(text: string): boolean {
  // Fewer than eight asterisks can never be masked: answered without the two RegExp
  // replaces (two strings a probe, for the greeting every probe has).
  if (countStars(text) < 8) return false;
  const visible = text.replace(/\s/g, '');
  const stars = visible.length - visible.replace(/\*/g, '').length;
  // Eight asterisks at least, and at least half of what is visible: a real banner may
  // hold a few (`*** no UCE ***`), a masked one is almost nothing else.
  return stars >= 8 && stars * 2 >= visible.length;
}

function countStars(text: string): number {
  let stars = 0;
  for (let i = text.indexOf('*'); i !== -1; i = text.indexOf('*', i + 1)) stars++;
  return stars;
}

/** An EHLO keyword rewritten by the firewall: `XXXXXXXA` (STARTTLS), `XXXX`. Real keywords such as XCLIENT or XEXCH50 do not start with four X's. */
const REWRITTEN_KEYWORD = /^X{4,}[A-Z]?$/;

/** A server error quoting a command the firewall replaced with X's: `500 5.3.3 Unrecognized command 'XXXX'`. */
const QUOTED_REWRITE = /(?:^|[\s'"`:<(])X{4,}(?:$|[\s'"`>).,])/;


/**
 * Recognises SMTP inspection from a path's transcript (`S: …` lines as the reader
 * recorded them). Returns at most one finding, with every line that shows it.
 */
export function detectFindings(transcript: readonly string[]): Finding[] {
  // One indexed pass, and the RegExps only on a line holding four X's (both rewrites need
  // them): a sound transcript, every probe's, costs a scan and no array (nor, in code not
  // yet optimised, an iterator result a line).
  let greeting: string | undefined;
  let keywords: string[] | undefined;
  let quoted: string[] | undefined;
  for (let i = 0; i < transcript.length; i++) {
    const entry = transcript[i] as string;
    if (!entry.startsWith('S: ')) continue;
    if (greeting === undefined) {
      greeting = entry.slice(3);
      if (!entry.includes('XXXX')) continue;
    } else if (!entry.includes('XXXX')) continue;
    const line = entry.slice(3);
    if (/^250[ -]/.test(line) && REWRITTEN_KEYWORD.test(line.slice(4).trim().split(/\s+/)[0] ?? '')) (keywords ??= []).push(line);
    if (/^5\d\d[ -]/.test(line) && QUOTED_REWRITE.test(line.slice(4))) (quoted ??= []).push(line);
  }
  const evidence: string[] = [];
  const what: InspectionPart[] = [];
  if (greeting && /^220[ -]/.test(greeting) && isMaskedGreeting(greeting.slice(4))) {
    evidence.push(greeting);
    what.push('masked-greeting');
  }
  if (keywords) {
    evidence.push(...keywords);
    what.push(keywords.some((line) => /^250[ -]XXXXXXXA\b/.test(line)) ? 'starttls-rewritten' : 'keywords-rewritten');
  }
  if (quoted) {
    evidence.push(...quoted);
    what.push('rewritten-command-rejected');
  }
  if (!evidence.length) return [];
  const t = FINDING_TEXT_EN['smtp-inspection'];
  return [
    {
      kind: 'smtp-inspection',
      title: t.title,
      message: t.message.replace('{what}', what.map((p) => t.parts[p]).join('; ')),
      evidence,
      fixes: t.fixes,
      firstFix: t.firstFix,
      parts: what,
    },
  ];
}
