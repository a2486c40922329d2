import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { averagePrecision } from '../../src/evaluate/auprc.js';
import { brierScore, expectedCalibrationError } from '../../src/evaluate/calibration.js';
import { balancedAccuracyOf, binaryConfusionMatrix, confusionMatrix, f1Of, mccOf } from '../../src/evaluate/confusion-metrics.js';
import { delongTest } from '../../src/evaluate/delong.js';
import { accuracyOf, auroc, confusion, logLoss, sensitivityOf, specificityOf } from '../../src/evaluate/metrics.js';
import { argmaxRows, macroAuroc, multiclassAccuracy, multiclassBalancedAccuracy, oneVsRestAuroc } from '../../src/evaluate/multiclass.js';
import { sensitivityAtSpecificity, specificityAtSensitivity } from '../../src/evaluate/operating-point.js';

// Written by test/evaluate/fixtures/make_sklearn_fixtures.py with Debian's python3-sklearn.
interface BinaryCase {
  name: string;
  y_true: number[];
  y_score: number[];
  y_score_b: number[];
  threshold: number;
  expected: Record<string, number> & {
    confusion_matrix: number[][];
    sensitivity_at_specificity: Record<string, number>;
    specificity_at_sensitivity: Record<string, number>;
    delong: Record<string, number>;
  };
}
interface MulticlassCase {
  name: string;
  y_true: number[];
  scores: number[][];
  expected: { macro_auroc: number; ovr_auroc: number[]; accuracy: number; balanced_accuracy: number; confusion_matrix: number[][] };
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/sklearn_fixtures.json', import.meta.url), 'utf8')) as {
  binary: BinaryCase[];
  multiclass: MulticlassCase[];
};

// Values are sums of a few hundred terms computed in another order than sklearn's, so they agree
// to rounding (~1e-15), well inside the 1e-9 the issue asks for.
const TOL = 1e-9;
function close(actual: number, expected: number, what: string, tol = TOL): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, sklearn ${expected} (|diff| ${Math.abs(actual - expected)})`);
}

for (const c of fixtures.binary) {
  test(`binary metrics equal sklearn on '${c.name}'`, () => {
    const y = c.y_true;
    const s = c.y_score;
    const e = c.expected;
    close(auroc(y, s), e.auroc, 'auroc');
    close(auroc(y, c.y_score_b), e.auroc_b, 'auroc_b');
    close(averagePrecision(y, s), e.auprc, 'auprc');
    close(averagePrecision(y, c.y_score_b), e.auprc_b, 'auprc_b');
    const cm = confusion(y, s, c.threshold);
    assert.deepEqual(binaryConfusionMatrix(cm), e.confusion_matrix);
    close(accuracyOf(cm), e.accuracy, 'accuracy');
    close(balancedAccuracyOf(cm), e.balanced_accuracy, 'balanced_accuracy');
    close(f1Of(cm), e.f1, 'f1');
    close(mccOf(cm), e.mcc, 'mcc');
    close(sensitivityOf(cm), e.sensitivity, 'sensitivity');
    close(specificityOf(cm), e.specificity, 'specificity');
    close(brierScore(y, s), e.brier, 'brier');
    close(expectedCalibrationError(y, s), e.ece, 'ece');
    close(logLoss(y, s), e.log_loss, 'log_loss');
    for (const [t, v] of Object.entries(e.sensitivity_at_specificity)) close(sensitivityAtSpecificity(y, s, Number(t)), v, `sensitivity at specificity ${t}`);
    for (const [t, v] of Object.entries(e.specificity_at_sensitivity)) close(specificityAtSensitivity(y, s, Number(t)), v, `specificity at sensitivity ${t}`);
  });

  test(`DeLong (mid-rank, O(n log n)) equals the pairwise reference on '${c.name}'`, () => {
    const d = delongTest(c.y_true, c.y_score, c.y_score_b);
    const r = c.expected.delong;
    close(d.aurocA, r.auroc_a, 'auroc_a');
    close(d.aurocB, r.auroc_b, 'auroc_b');
    close(d.difference, r.difference, 'difference');
    close(d.variance, r.variance, 'variance');
    close(d.se, r.se, 'se');
    close(d.z, r.z, 'z');
    // p is compared relative to its size: it can be ~1e-6, where 1e-9 absolute would be loose.
    close(d.p, r.p, 'p', TOL * Math.max(r.p, 1e-300) + 1e-15);
  });
}

for (const c of fixtures.multiclass) {
  test(`multi-class metrics equal sklearn on '${c.name}'`, () => {
    const e = c.expected;
    close(macroAuroc(c.y_true, c.scores), e.macro_auroc, 'macro auroc');
    oneVsRestAuroc(c.y_true, c.scores).forEach((v, k) => close(v, e.ovr_auroc[k], `ovr auroc class ${k}`));
    const pred = argmaxRows(c.scores);
    close(multiclassAccuracy(c.y_true, pred), e.accuracy, 'accuracy');
    close(multiclassBalancedAccuracy(c.y_true, pred, e.ovr_auroc.length), e.balanced_accuracy, 'balanced accuracy');
    assert.deepEqual(confusionMatrix(c.y_true, pred, e.ovr_auroc.length), e.confusion_matrix);
  });
}
