import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summariseBinary } from '../../src/evaluate/metric-summary.js';
import { bandLabel, subgroupMetrics } from '../../src/evaluate/subgroups.js';

const opts = { threshold: 0.5, resamples: 100, level: 0.95, seed: 1 };

// 60 rows: sex alternates, ages 20..79, labels every third row; site a for the first 50 rows.
const n = 60;
const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
const s = Array.from({ length: n }, (_, i) => Math.min(1, ((i * 7) % 11) / 11 + 0.3 * y[i]));
const columns = {
  sex: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'F' : 'M')),
  age: Array.from({ length: n }, (_, i) => String(20 + i)),
  site: Array.from({ length: n }, (_, i) => (i < 50 ? 'a' : i < 59 ? 'b' : '')),
};

test('bandLabel: below, inside and above the cut points', () => {
  const b = [0, 50, 65, 80];
  assert.equal(bandLabel(-1, b), '<0');
  assert.equal(bandLabel(49.9, b), '[0, 50)');
  assert.equal(bandLabel(50, b), '[50, 65)');
  assert.equal(bandLabel(80, b), '>=80');
});

test('subgroupMetrics: counts, groups in order, metrics equal summariseBinary on the rows', () => {
  const r = subgroupMetrics(y, s, columns, [{ column: 'sex' }, { column: 'age', bands: [0, 50, 65, 80] }, { column: 'site' }], opts);
  assert.deepEqual(
    r.map((g) => [g.column, g.group, g.n]),
    [
      ['sex', 'F', 30],
      ['sex', 'M', 30],
      ['age', '[0, 50)', 30],
      ['age', '[50, 65)', 15],
      ['age', '[65, 80)', 15],
      ['site', 'a', 50],
      ['site', 'b', 9],
      ['site', '(missing)', 1],
    ],
  );
  const f = r[0];
  const rows = [...Array(n).keys()].filter((i) => i % 2 === 0);
  const direct = summariseBinary(rows.map((i) => y[i]), rows.map((i) => s[i]), opts);
  assert.deepEqual(f.summary, direct);
  assert.equal(f.nPositive + f.nNegative, f.n);
  assert.equal(f.tooSmall, false);
  assert.equal(f.reason, null);
});

test('subgroupMetrics: a subgroup with too few positives or negatives is flagged and has no CIs', () => {
  const r = subgroupMetrics(y, s, columns, [{ column: 'site' }], opts);
  const b = r.find((g) => g.group === 'b')!;
  assert.equal(b.tooSmall, true);
  assert.match(b.reason!, /3 positives \(< 10\) and 6 negatives \(< 10\)/);
  assert.ok(Number.isNaN(b.summary.metrics.auroc.ci[0]));
  assert.ok(Number.isFinite(b.summary.metrics.auroc.value));
  const loose = subgroupMetrics(y, s, columns, [{ column: 'site' }], { ...opts, minPositives: 3, minNegatives: 6 });
  assert.equal(loose.find((g) => g.group === 'b')!.tooSmall, false);
});

test('subgroupMetrics: errors name the column', () => {
  assert.throws(() => subgroupMetrics(y, s, columns, [{ column: 'race' }], opts), /subgroup column 'race' is not in the data/);
  assert.throws(() => subgroupMetrics(y, s, columns, [{ column: 'sex', bands: [0, 50] }], opts), /column 'sex', data row 1: 'F' is not a number/);
  assert.throws(() => subgroupMetrics(y, s, columns, [{ column: 'age', bands: [50, 0] }], opts), /column 'age': bands must be finite, strictly ascending/);
});
