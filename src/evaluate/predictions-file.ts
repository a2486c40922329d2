import { readFile } from 'node:fs/promises';
import { parseCsv, type CsvTable } from '../util/csv.js';

/** A predictions file that cannot be evaluated; the message names the file, line and column. */
export class PredictionsInputError extends Error {
  override readonly name = 'PredictionsInputError';
}

interface Common {
  readonly file: string;
  /** Per row, or null when the file has no `site` column. */
  readonly site: readonly string[] | null;
  readonly subjectId: readonly string[] | null;
  /** Every column of the file by header name, one raw cell per row (for subgroup columns). */
  readonly columns: Readonly<Record<string, readonly string[]>>;
}

/** The scores of one method from a `y_score_<method>` column. */
export interface MethodScores {
  readonly method: string;
  readonly column: string;
  readonly yScore: Float64Array;
}

/** Binary predictions: 0/1 labels and a probability of the positive class per row. */
export interface BinaryPredictions extends Common {
  readonly kind: 'binary';
  readonly yTrue: Float64Array;
  /** The scores of `scoreColumn`: `y_score`, else the first `y_score_<method>` column. */
  readonly yScore: Float64Array;
  readonly scoreColumn: string;
  /** One entry per `y_score_<method>` column, in header order; empty when there are none. */
  readonly methods: readonly MethodScores[];
}

/** Multi-class predictions: class indices into `classes` and one score per class per row. */
export interface MulticlassPredictions extends Common {
  readonly kind: 'multiclass';
  readonly classes: readonly string[];
  readonly yTrue: Int32Array;
  readonly scores: readonly Float64Array[];
}

/** A validated predictions table, binary or multi-class. */
export type Predictions = BinaryPredictions | MulticlassPredictions;

const SCORE_PREFIX = 'score_';
/** Prefix of per-method binary score columns, `y_score_<method>`. */
export const METHOD_SCORE_PREFIX = 'y_score_';

/** Reads and validates a predictions CSV file (see `parsePredictions`). */
export async function readPredictionsFile(file: string): Promise<Predictions> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new PredictionsInputError(`${file}: cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parsePredictions(text, file);
}

/**
 * Parses predictions CSV text: `y_true` plus either `y_score` and/or two or more
 * `y_score_<method>` columns (binary, 0/1 labels, probabilities in [0, 1]) or two or more
 * `score_<class>` columns (multi-class, `y_true` holds class names); optional `site`, `subject_id`
 * and any other columns (kept raw in `columns`). Throws `PredictionsInputError` naming file, line and column.
 */
export function parsePredictions(text: string, file: string): Predictions {
  let table: CsvTable;
  try {
    table = parseCsv(text, file);
  } catch (e) {
    throw new PredictionsInputError(e instanceof Error ? e.message : String(e));
  }
  const col = (name: string) => table.header.indexOf(name);
  const found = `found columns: ${table.header.map((h) => `'${h}'`).join(', ')}`;
  const scoreCols = table.header.filter((h) => h.startsWith(SCORE_PREFIX));
  const methodCols = table.header.filter((h) => h.startsWith(METHOD_SCORE_PREFIX) && h.length > METHOD_SCORE_PREFIX.length);
  const dup = table.header.find((h, i) => table.header.indexOf(h) !== i);
  if (dup !== undefined) throw new PredictionsInputError(`${file}: column '${dup}' appears more than once in the header`);
  if (col('y_true') < 0) {
    throw new PredictionsInputError(`${file}: missing column 'y_true' (the true label of each row); ${found}`);
  }
  const binaryCols = [...(col('y_score') >= 0 ? ['y_score'] : []), ...methodCols];
  if (binaryCols.length > 0 && scoreCols.length > 0) {
    throw new PredictionsInputError(`${file}: both ${binaryCols.map((c) => `'${c}'`).join(', ')} and ${scoreCols.map((c) => `'${c}'`).join(', ')}; use y_score for binary or score_<class> for multi-class, not both`);
  }
  if (col('y_score') < 0 && methodCols.length < 2 && scoreCols.length < 2) {
    throw new PredictionsInputError(
      `${file}: missing column 'y_score' (binary: probability of class 1; or at least two 'y_score_<method>' columns) or at least two 'score_<class>' columns (multi-class); ${found}`,
    );
  }
  if (table.rows.length === 0) throw new PredictionsInputError(`${file}: no data rows`);
  const text_ = (name: string) => (col(name) < 0 ? null : table.rows.map((r) => r[col(name)]));
  const where = (r: number, name: string) => `${file}: line ${table.lines[r]} (data row ${r + 1}), column '${name}'`;
  const number = (r: number, name: string): number => {
    const cell = table.rows[r][col(name)].trim();
    if (cell === '') throw new PredictionsInputError(`${where(r, name)}: empty cell, expected a number`);
    if (/^[+-]?nan$/i.test(cell)) throw new PredictionsInputError(`${where(r, name)}: NaN, expected a number (drop the row or fix the model output)`);
    const v = Number(cell);
    if (Number.isNaN(v)) throw new PredictionsInputError(`${where(r, name)}: '${cell}' is not a number`);
    if (!Number.isFinite(v)) throw new PredictionsInputError(`${where(r, name)}: '${cell}' is not finite`);
    return v;
  };
  const probability = (r: number, name: string): number => {
    const v = number(r, name);
    // Brier, ECE and the threshold read scores as probabilities, so other scales would mislead.
    if (v < 0 || v > 1) throw new PredictionsInputError(`${where(r, name)}: ${v} is outside [0, 1]; scores must be probabilities`);
    return v;
  };
  const n = table.rows.length;
  const columns: Record<string, readonly string[]> = {};
  for (const h of table.header) columns[h] = text_(h)!;
  const common = { file, site: text_('site'), subjectId: text_('subject_id'), columns };
  if (binaryCols.length > 0) {
    const yTrue = new Float64Array(n);
    const scoreColumn = binaryCols[0];
    const methods = methodCols.map((c) => ({ method: c.slice(METHOD_SCORE_PREFIX.length), column: c, yScore: new Float64Array(n) }));
    const yScore = col('y_score') >= 0 ? new Float64Array(n) : methods[0].yScore;
    for (let r = 0; r < n; r++) {
      const cell = table.rows[r][col('y_true')].trim();
      if (cell !== '0' && cell !== '1') {
        throw new PredictionsInputError(`${where(r, 'y_true')}: '${cell}' is not a binary label; expected 0 or 1`);
      }
      yTrue[r] = Number(cell);
      if (col('y_score') >= 0) yScore[r] = probability(r, 'y_score');
      for (const m of methods) m.yScore[r] = probability(r, m.column);
    }
    return { kind: 'binary', ...common, yTrue, yScore, scoreColumn, methods };
  }
  const classes = scoreCols.map((c) => c.slice(SCORE_PREFIX.length));
  const yTrue = new Int32Array(n);
  const scores: Float64Array[] = [];
  for (let r = 0; r < n; r++) {
    const cell = table.rows[r][col('y_true')].trim();
    const k = classes.indexOf(cell);
    if (k < 0) {
      throw new PredictionsInputError(`${where(r, 'y_true')}: '${cell}' has no score column; classes from the header: ${classes.join(', ')}`);
    }
    yTrue[r] = k;
    scores.push(Float64Array.from(scoreCols, (c) => probability(r, c)));
  }
  return { kind: 'multiclass', ...common, classes, yTrue, scores };
}
