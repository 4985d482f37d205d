/**
 * Durations as people write them in a config file or on the command line: `90s`,
 * `30m`, `24h`, `7d`, `1h30m`. A bare number is refused: seconds or minutes? Nobody
 * should have to guess.
 */
import { UsageError } from './options.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w)/y;

/**
 * The longest duration anything takes (ten years): far beyond any real setting, and short
 * enough that every date computed from it (now + duration) is a valid Date.
 */
export const MAX_DURATION_MS = 3650 * UNIT_MS.d;

/** 30d, 1h, 10m: a limit as the user would write it (the largest unit that divides it). */
function durationLiteral(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${ms}ms`;
}

/**
 * `24h` → 86 400 000. Throws UsageError naming `what` and the value, also when it is
 * longer than `maxMs` (default and ceiling: MAX_DURATION_MS).
 */
export function parseDuration(input: unknown, what = 'duration', maxMs = MAX_DURATION_MS): number {
  const text = typeof input === 'string' ? input.trim().toLowerCase() : '';
  let total = 0;
  let matched = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    matched = PART.lastIndex;
  }
  if (!text || matched !== text.length) {
    throw new UsageError(`invalid ${what} ${JSON.stringify(input)}: write a duration such as 90s, 30m, 24h, 7d or 1h30m`);
  }
  const max = Math.min(maxMs, MAX_DURATION_MS);
  if (!(total <= max)) throw new UsageError(`invalid ${what} ${JSON.stringify(input)}: at most ${durationLiteral(max)}`);
  return Math.round(total);
}

/**
 * 3 h 12 min; 45 s; 30 h; 5 d 4 h — the two largest units, for reports and alerts. Hours
 * up to 72: a queue lifetime is "24 h" or "48 h" in Microsoft's documentation, not days.
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms / 1000));
  const parts: string[] = [];
  const units = rest >= 72 * 3600 ? ([['d', 86_400], ['h', 3600], ['min', 60], ['s', 1]] as const) : ([['h', 3600], ['min', 60], ['s', 1]] as const);
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n || (unit === 's' && !parts.length)) parts.push(`${n} ${unit}`);
  }
  return sign + parts.slice(0, 2).join(' ');
}
