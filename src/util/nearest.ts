/** Levenshtein edit distance between two strings (insertions, deletions, substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The candidates nearest to `name`, closest first, at most `max` of them: those containing it or
 * contained in it (case-insensitive; `Creat` → `creatinine`) before the rest, then by case-insensitive
 * edit distance, ties in the candidates' order.
 */
export function nearestNames(name: string, candidates: readonly string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const score = (c: string) => {
    const l = c.toLowerCase();
    return { inside: l.includes(lower) || lower.includes(l) ? 0 : 1, d: editDistance(lower, l) };
  };
  return [...new Set(candidates)]
    .map((c, i) => ({ c, i, ...score(c) }))
    .sort((x, y) => x.inside - y.inside || x.d - y.d || x.i - y.i)
    .slice(0, max)
    .map((x) => x.c);
}

/** `nearest: a, b, c` for an error message naming what was meant; `no names to choose from` when there are none. */
export function describeNearest(name: string, candidates: readonly string[], what = 'headers'): string {
  if (candidates.length === 0) return `no ${what} to choose from`;
  return `nearest ${what}: ${nearestNames(name, candidates).map((c) => `'${c}'`).join(', ')}`;
}
