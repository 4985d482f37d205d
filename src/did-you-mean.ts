/**
 * The nearest known name to a mistyped one, for "did you mean …?" in error messages.
 * Case, `-` and `_` do not count (`tls_mode`, `tls-mode` and `TLSMode` are all
 * `tlsMode`); beyond that, Levenshtein distance, at most a third of the name's length.
 */

function normal(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Levenshtein distance (insert, delete, substitute one character). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name nearest to `input`, or null when none is near. `aliases` maps other
 * spellings of a known name (another door's, say) to it; an alias matches only exactly.
 *
 * @example
 * didYouMean('tlsmode', ['tlsMode', 'tlsDomain']) // 'tlsMode'
 * didYouMean('caFile', ['ca', 'port'], { caFile: 'ca' }) // 'ca'
 */
export function didYouMean(input: string, known: readonly string[], aliases: Readonly<Record<string, string>> = {}): string | null {
  const wanted = normal(input);
  for (const [alias, name] of Object.entries(aliases)) if (normal(alias) === wanted) return name;
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(wanted.length / 3)) + 1;
  for (const name of known) {
    const distance = editDistance(wanted, normal(name));
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}
