import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePredictions } from '../../src/evaluate/predictions-file.js';
import { evaluatePredictions } from '../../src/evaluate/predictions-report.js';

const opts = { threshold: 0.5, resamples: 20, level: 0.95, seed: 1 };

test('parsePredictions: y_score stays the overall score beside y_score_<method> columns', () => {
  const p = parsePredictions('y_true,y_score,y_score_a,sex\n0,0.1,0.3,F\n1,0.9,0.2,M\n0,0.4,0.6,F\n1,0.7,0.8,M\n', 'p.csv');
  assert.equal(p.kind, 'binary');
  if (p.kind !== 'binary') return;
  assert.equal(p.scoreColumn, 'y_score');
  assert.deepEqual([...p.yScore], [0.1, 0.9, 0.4, 0.7]);
  assert.deepEqual(
    p.methods.map((m) => [m.method, [...m.yScore]]),
    [['a', [0.3, 0.2, 0.6, 0.8]]],
  );
  assert.deepEqual(p.columns.sex, ['F', 'M', 'F', 'M']);
  const doc = evaluatePredictions(p, opts);
  assert.equal((doc.methods as unknown[]).length, 1);
  assert.deepEqual(doc.comparisons, [], 'one method: nothing to compare');
  assert.throws(() => parsePredictions('y_true,y_score,y_score\n0,0.1,0.2\n', 'd.csv'), /d\.csv: column 'y_score' appears more than once/);
  assert.throws(() => parsePredictions('y_true,y_score_a,score_b,score_c\n0,0.1,0.2,0.3\n', 'm.csv'), /m\.csv: both 'y_score_a' and 'score_b'/);
});

test('evaluatePredictions: a DeLong test that cannot run is reported with its reason', () => {
  const p = parsePredictions('y_true,y_score_a,y_score_b\n0,0.1,0.3\n1,0.9,0.2\n0,0.4,0.6\n', 'few.csv');
  const doc = evaluatePredictions(p, opts);
  const [c] = doc.comparisons as { p: number | null; error: string }[];
  assert.equal(c.p, null);
  assert.match(c.error, /needs at least 2 positives and 2 negatives/);
  assert.ok((doc.warnings as string[]).some((w) => /few\.csv: comparison 'a' vs 'b'/.test(w)));
});
