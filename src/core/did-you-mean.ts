/**
 * The nearest known name to a mistyped one, for "did you mean …?" in error messages.
 * Case, `-` and `_` do not count (`tls_mode`, `tls-mode` and `TLSMode` are all
 * `tlsMode`); beyond that, edit distance, at most a third of the name's length (or 1).
 */

function normal(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Edit distance: insert, delete or substitute one character, or swap two neighbours (`prot` → `port`). */
export function editDistance(a: string, b: string): number {
  // d[i][j]: the distance between a's first i characters and b's first j (optimal string alignment).
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
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
