/**
 * The progress display while connectors are probed: one line on stderr, rewritten in
 * place, only when stderr is a terminal — nothing at all in a pipe, a log or CI.
 */
import type { VerifyProgress } from './run.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** A progress listener for `verify`, and `end()` to clear the line before the report is printed. */
export function progressDisplay(stream: ProgressStream): { onProgress: (event: VerifyProgress) => void; end(): void } {
  if (!stream.isTTY) return { onProgress: () => undefined, end: () => undefined };
  const width = Math.max(20, (stream.columns || 80) - 1); // a pty may report 0 columns
  let shown = false;
  const show = (text: string): void => {
    stream.write(`\r\u001b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    shown = true;
  };
  return {
    onProgress(event) {
      if (event.type === 'start') show(`[${event.index}/${event.total}] probing ${event.name}: ${event.targets.join(', ')} …`);
      else show(`[${event.index}/${event.total}] ${event.name}: ${event.verdict.toUpperCase()}`);
    },
    end() {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}
