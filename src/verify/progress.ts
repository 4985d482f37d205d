/**
 * The progress display while connectors are probed: one line on stderr, rewritten in
 * place, only when stderr is a terminal — nothing at all in a pipe, a log or CI.
 */
import { commandWords } from '../catalog/commands.js';
import type { Language } from '../catalog/index.js';
import { terminal } from '../report/sanitize.js';
import { fill } from '../report/text.js';
import type { VerifyProgress } from './run.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** A progress listener for `verify`, and `end()` to clear the line before the report is printed. */
export function progressDisplay(stream: ProgressStream, language: Language = 'en'): { onProgress: (event: VerifyProgress) => void; end(): void } {
  const w = commandWords(language).verify;
  if (!stream.isTTY) return { onProgress: () => undefined, end: () => undefined };
  const width = Math.max(20, (stream.columns || 80) - 1); // a pty may report 0 columns
  let shown = false;
  const show = (text: string): void => {
    const line = terminal(text, { newlines: false }); // connector names and hosts come from a file
    stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    shown = true;
  };
  return {
    onProgress(event) {
      if (event.type === 'start') show(`[${event.index}/${event.total}] ${fill(w.probing, { name: event.name, targets: event.targets.join(', ') })}`);
      else show(`[${event.index}/${event.total}] ${event.name}: ${w.verdicts[event.verdict]}`);
    },
    end() {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}
