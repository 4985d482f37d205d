import type { ProbeResult } from '../core/result.js';

/** The `--json` output: the result object itself, pretty-printed, one trailing newline. */
export function renderJson(result: ProbeResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
