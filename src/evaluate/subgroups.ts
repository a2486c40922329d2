import { summariseBinary, type BinarySummary, type SummaryOptions } from './metric-summary.js';

/** One subgroup column; `bands` (ascending cut points) turns a numeric column into bands. */
export interface SubgroupColumn {
  readonly column: string;
  readonly bands?: readonly number[];
}

/** Subgroup options: metric-summary options plus the smallest class counts that get CIs. */
export interface SubgroupOptions extends SummaryOptions {
  /** Fewest positives for a reportable subgroup (default 10). */
  readonly minPositives?: number;
  /** Fewest negatives for a reportable subgroup (default 10). */
  readonly minNegatives?: number;
}

/** Default minimum of positives and of negatives below which a subgroup is flagged too small. */
export const DEFAULT_MIN_PER_CLASS = 10;

/** Metrics of one subgroup; when `tooSmall`, the CIs in `summary` are NaN (not reported). */
export interface SubgroupResult {
  readonly column: string;
  readonly group: string;
  readonly n: number;
  readonly nPositive: number;
  readonly nNegative: number;
  readonly tooSmall: boolean;
  /** Why the subgroup is too small, or null. */
  readonly reason: string | null;
  readonly summary: BinarySummary;
}

/** Name of the group of rows whose cell is empty. */
export const MISSING_GROUP = '(missing)';

/** Label of the band holding `v` for ascending cut points: `<a`, `[a, b)`, or `>=z`. */
export function bandLabel(v: number, bands: readonly number[]): string {
  if (v < bands[0]) return `<${bands[0]}`;
  for (let k = 0; k + 1 < bands.length; k++) if (v < bands[k + 1]) return `[${bands[k]}, ${bands[k + 1]})`;
  return `>=${bands[bands.length - 1]}`;
}

// Every band label in order, so groups come out in band order.
function bandOrder(bands: readonly number[]): string[] {
  return [`<${bands[0]}`, ...bands.slice(0, -1).map((b, k) => `[${b}, ${bands[k + 1]})`), `>=${bands[bands.length - 1]}`];
}

/**
 * Binary metrics (`summariseBinary`) per subgroup of each column in `specs`, reading cells from
 * `columns` (column name → one string per row). Groups are sorted by name, or in band order for a
 * banded column, with `(missing)` (empty cells) last. A group with fewer than `minPositives`
 * positives or `minNegatives` negatives is flagged `tooSmall` with the reason and gets no CIs.
 * Throws naming the column when it is absent, a banded cell is not a number, or bands are not
 * strictly ascending.
 */
export function subgroupMetrics(
  yTrue: ArrayLike<number>,
  yScore: ArrayLike<number>,
  columns: Readonly<Record<string, readonly string[]>>,
  specs: readonly SubgroupColumn[],
  opts: SubgroupOptions,
): SubgroupResult[] {
  const minPos = opts.minPositives ?? DEFAULT_MIN_PER_CLASS;
  const minNeg = opts.minNegatives ?? DEFAULT_MIN_PER_CLASS;
  const out: SubgroupResult[] = [];
  for (const spec of specs) {
    const cells = Object.hasOwn(columns, spec.column) ? columns[spec.column] : undefined;
    if (!cells) throw new Error(`subgroup column '${spec.column}' is not in the data; columns: ${Object.keys(columns).map((c) => `'${c}'`).join(', ')}`);
    const bands = spec.bands;
    if (bands) {
      if (bands.length === 0 || bands.some((b, k) => !Number.isFinite(b) || (k > 0 && b <= bands[k - 1]))) {
        throw new Error(`subgroup column '${spec.column}': bands must be finite, strictly ascending numbers, got ${bands.join(',')}`);
      }
    }
    const groups = new Map<string, number[]>();
    cells.forEach((raw, i) => {
      const cell = raw.trim();
      let g: string;
      if (cell === '') g = MISSING_GROUP;
      else if (bands) {
        const v = Number(cell);
        if (!Number.isFinite(v)) throw new Error(`subgroup column '${spec.column}', data row ${i + 1}: '${cell}' is not a number (needed for its bands)`);
        g = bandLabel(v, bands);
      } else g = cell;
      const rows = groups.get(g);
      if (rows) rows.push(i);
      else groups.set(g, [i]);
    });
    const order = bands ? bandOrder(bands).filter((g) => groups.has(g)) : [...groups.keys()].filter((g) => g !== MISSING_GROUP).sort();
    if (groups.has(MISSING_GROUP)) order.push(MISSING_GROUP);
    for (const group of order) {
      const rows = groups.get(group)!;
      const y = rows.map((i) => yTrue[i]);
      const s = rows.map((i) => yScore[i]);
      const nPositive = y.filter((v) => v === 1).length;
      const nNegative = y.length - nPositive;
      const short: string[] = [];
      if (nPositive < minPos) short.push(`${nPositive} positives (< ${minPos})`);
      if (nNegative < minNeg) short.push(`${nNegative} negatives (< ${minNeg})`);
      const tooSmall = short.length > 0;
      let summary = summariseBinary(y, s, tooSmall ? { ...opts, resamples: 1 } : opts);
      if (tooSmall) {
        const metrics = Object.fromEntries(Object.entries(summary.metrics).map(([m, v]) => [m, { value: v.value, ci: [Number.NaN, Number.NaN] as const }]));
        summary = { ...summary, metrics: metrics as BinarySummary['metrics'] };
      }
      out.push({ column: spec.column, group, n: rows.length, nPositive, nNegative, tooSmall, reason: tooSmall ? `${short.join(' and ')}: CIs not reported` : null, summary });
    }
  }
  return out;
}
