import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { columnStats, flambyDesign, loadFlambyRows, runFlambyExact, type FlambyRow } from '../../bench/flamby-exact.js';

// As the manifest: HEART_DISEASE_DATA, else the shared data folder beside the repository.
const DATA = process.env.HEART_DISEASE_DATA ?? join(process.cwd(), '..', 'shared', 'data', 'uci-heart-disease');
const SPLIT = JSON.parse(readFileSync('bench/reference/flamby-heart-split.json', 'utf8')) as Parameters<typeof loadFlambyRows>[1];

test('flambyDesign: 8 plain columns, then cp and restecg one-hot without their lowest category (get_dummies drop_first)', () => {
  const rows: FlambyRow[] = [1, 2, 3, 4].map((cp, i) => ({ centre: 'cleveland', raw: [50 + i, 1, cp, 120, 200, 0, i % 3, 150, 0, 1.5], y: 1, test: false }));
  const { names, x } = flambyDesign(rows);
  assert.deepEqual(names, ['age', 'sex', 'trestbps', 'chol', 'fbs', 'thalach', 'exang', 'oldpeak', 'cp_2', 'cp_3', 'cp_4', 'restecg_1', 'restecg_2']);
  assert.deepEqual(x[0].slice(8), [0, 0, 0, 0, 0]);
  assert.deepEqual(x[2].slice(8), [0, 1, 0, 0, 1]);
  assert.deepEqual(x[3].slice(8), [0, 0, 1, 0, 0]);
  // torch.std is the sample sd (n − 1): for 1, 2, 3, 4 that is sqrt(5/3).
  const s = columnStats([[1], [2], [3], [4]]);
  assert.equal(s.mean[0], 2.5);
  assert.ok(Math.abs(s.sd[0] - Math.sqrt(5 / 3)) < 1e-12);
});

test('FLamby-exact on the UCI files: 740 patients, FLamby README split sizes, published column only on like-for-like rows', { skip: existsSync(DATA) ? false : `no heart-disease data at ${DATA}` }, () => {
  const rows = loadFlambyRows(DATA, SPLIT);
  assert.equal(rows.length, 740);
  const sizes = ['cleveland', 'hungarian', 'switzerland', 'va'].map((c) => {
    const here = rows.filter((r) => r.centre === c);
    return [here.filter((r) => !r.test).length, here.filter((r) => r.test).length];
  });
  // FLamby's README: "Train/Test: 199/104, 172/89, 30/16, 85/45".
  assert.deepEqual(sizes, [
    [199, 104],
    [172, 89],
    [30, 16],
    [85, 45],
  ]);
  // FLamby's own result file (flamby/results/results_benchmark_fed_heart_disease.csv) has methods that call every
  // patient positive: 0.4615 = 48/104, 0.3708 = 33/89, 0.9375 = 15/16, 0.7778 = 35/45 and 0.5157 = 131/254
  // pooled. The test sets here hold exactly those positives; Switzerland's split is unstratified, so its one
  // negative landing in the test set (as FLamby's 15/16 says it does) checks the RandomState(43) shuffle too.
  const testPositives = ['cleveland', 'hungarian', 'switzerland', 'va'].map((c) => rows.filter((r) => r.centre === c && r.test && r.y === 1).length);
  assert.deepEqual(testPositives, [48, 33, 15, 35]);
  const results = runFlambyExact(rows, { lambda: 0, normalize: true });
  const by = (s: string) => results.find((r) => r.setting === s)!;
  assert.equal(by('pooled').published, 0.795);
  assert.equal(by('hungarian_only').published, null);
  assert.equal(by('every patient positive (no model)').published, null);
  // The acceptance bound of issue 13 for the pooled row.
  assert.ok(Math.abs(by('pooled').accuracy - 0.795) < 0.02, `pooled accuracy ${by('pooled').accuracy}`);
  // Why Switzerland-only cannot match a published figure: its training split has no negative patient.
  assert.equal(by('switzerland_only').train_positives, by('switzerland_only').n_train);
  // The split file is checked against the rows kept here: a wrong file is refused, naming the data file.
  const wrong = { centres: { ...SPLIT.centres, va: { ...SPLIT.centres.va, kept_lines: SPLIT.centres.va.kept_lines.slice(1) } } };
  assert.throws(() => loadFlambyRows(DATA, wrong), /processed\.va\.data: the rows kept here \(130\) are not the split file's \(129\)/);
});
