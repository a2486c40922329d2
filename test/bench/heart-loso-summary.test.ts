import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HeartLosoRow } from '../../bench/heart-loso-grid.js';
import { estimateGrid, heartTables, summariseHeart } from '../../bench/heart-loso-summary.js';

function row(strategy: string, budget: number | null, seed: number, auroc: number, extra: Partial<HeartLosoRow> = {}): HeartLosoRow {
  return { site: 's', seed, budget, strategy, auroc, brier: 1 - auroc, accuracy: auroc, n_test: 30, n_labelled: 10, kept_source_model: null, seconds: 2, backend: 'cpu', commit: 'test', ...extra };
}

// Three seeds whose test sets differ a lot (source_only 0.70, 0.80, 0.90); the method gains 0.02 ± 0.001 on each.
const ROWS: HeartLosoRow[] = [
  row('source_only', null, 1, 0.7, { kept_source_model: true }),
  row('source_only', null, 2, 0.8, { kept_source_model: true }),
  row('source_only', null, 3, 0.9, { kept_source_model: true }),
  row('source_only_logistic', null, 1, 0.75),
  row('source_only_logistic', null, 2, 0.85),
  row('source_only_logistic', null, 3, 0.95),
  row('l2sp', 0.1, 3, 0.921, { kept_source_model: true }),
  row('l2sp', 0.1, 1, 0.72, { kept_source_model: false }),
  row('l2sp', 0.1, 2, 0.819, { kept_source_model: true }),
  row('l2sp', 0.5, 1, 0.6, { kept_source_model: false }),
  row('l2sp', 0.5, 2, 0.8, { kept_source_model: false }),
  row('l2sp', 0.5, 3, 0.95, { kept_source_model: false }),
  row('target_only', 0.1, 1, 0, { auroc: null, brier: null, accuracy: null, error: 'target_only needs a target label budget above zero' }),
  row('target_only_logistic', 0.1, 1, 0.69),
  row('target_only_logistic', 0.1, 2, 0.79),
  row('target_only_logistic', 0.1, 3, 0.89),
  row('target_only', 0.5, 1, 0.5),
  row('target_only', 0.5, 2, 0.6),
  row('target_only', 0.5, 3, 0.7),
  row('target_only_logistic', 0.5, 1, 0.65),
  row('target_only_logistic', 0.5, 2, 0.75),
  row('target_only_logistic', 0.5, 3, 0.85),
];

test('summariseHeart: budget-free source_only is the paired reference at every budget; "better" only where the per-seed interval excludes 0', () => {
  const cells = summariseHeart(ROWS);
  const at = (s: string, b: number) => cells.find((c) => c.strategy === s && c.budget === b)!;
  // source_only ran once per seed (budget null) and appears at both budgets.
  assert.equal(at('source_only', 0.1).n_seeds, 3);
  assert.equal(at('source_only', 0.5).n_seeds, 3);
  const d = at('l2sp', 0.1).delta_auroc_vs_source_only!;
  // Paired by seed (the rows are out of seed order): differences 0.02, 0.019, 0.021 (to 1e-12 float rounding).
  assert.ok(Math.abs(d.mean - 0.02) < 1e-12);
  assert.equal(d.n, 3);
  assert.equal(d.verdict, 'better');
  // Against the better source baseline (source_only_logistic, 0.05 higher on every seed) the same model is worse.
  const best = at('l2sp', 0.1).delta_auroc_vs_best_source!;
  assert.equal(best.reference, 'source_only_logistic');
  assert.equal(best.verdict, 'worse');
  // The target-side reference is the better target-only baseline that produced models: at 10% target_only failed, so target_only_logistic.
  const t10 = at('l2sp', 0.1).delta_auroc_vs_best_target!;
  assert.equal(t10.reference, 'target_only_logistic');
  assert.ok(Math.abs(t10.mean - 0.03) < 1e-12);
  assert.equal(t10.verdict, 'better');
  // At 50% both ran and target_only_logistic has the higher mean (0.75 vs 0.60).
  assert.equal(at('l2sp', 0.5).delta_auroc_vs_best_target!.reference, 'target_only_logistic');
  assert.equal(at('target_only', 0.5).delta_auroc_vs_best_target!.verdict, 'worse');
  assert.equal(at('target_only_logistic', 0.5).delta_auroc_vs_best_target, null, 'the reference is not compared with itself');
  // At 50% the differences are −0.1, 0, +0.05: the interval contains 0, so no claim either way.
  assert.equal(at('l2sp', 0.5).delta_auroc_vs_source_only!.verdict, 'not shown');
  // Brier is lower-is-better: l2sp's Brier falls by 0.02 per seed at 10%.
  assert.equal(at('l2sp', 0.1).delta_brier_vs_source_only!.verdict, 'better');
  assert.deepEqual(at('l2sp', 0.1).kept_source_model, { kept: 2, of: 3 });
  assert.deepEqual(at('source_only', 0.1).kept_source_model, { kept: 3, of: 3 });
  assert.deepEqual(at('source_only_logistic', 0.1).kept_source_model, { kept: 0, of: 0 });
  // A cell whose every run failed has no seeds and says why.
  assert.equal(at('target_only', 0.1).n_seeds, 0);
  assert.deepEqual(at('target_only', 0.1).errors, ['target_only needs a target label budget above zero']);
  const md = heartTables(cells).join('\n');
  assert.match(md, /\| l2sp \| 3 \| 0\.820 \| .* \+0\.020 \[\+0\.\d{3}, \+0\.\d{3}\] better \|/);
  assert.match(md, /No model at any seed: target_only \(target_only needs a target label budget above zero\)/);
  assert.match(md, /ΔAUROC vs best source \(source_only_logistic\)/);
  assert.match(md, /ΔAUROC vs best target-only \(target_only_logistic\)/);
});

test('estimateGrid: mean seconds per row of each strategy times its row count; budget-free strategies once per site and seed', () => {
  const e = estimateGrid(ROWS, { sites: 4, seeds: 10, budgets: 5 }, ['source_only', 'l2sp', 'auto']);
  // source_only: 2 s × 4 × 10; l2sp: 2 s × 4 × 10 × 5.
  assert.equal(e.seconds, 2 * 40 + 2 * 200);
  assert.deepEqual(e.missing, ['auto']);
});
