import { rocCurve } from './operating-point.js';

// A target like 0.9 is not exact in binary, and tp/n may land one ulp below it.
const SLACK = 1e-12;

/** A threshold chosen on validation data, with its validation operating point. */
export interface ChosenThreshold {
  /** Predict positive when score >= threshold; always one of the validation scores. */
  readonly threshold: number;
  readonly sensitivity: number;
  readonly specificity: number;
}

function finitePoints(labels: ArrayLike<number>, scores: ArrayLike<number>, who: string) {
  if (labels.length !== scores.length) throw new Error(`${who}: ${labels.length} labels but ${scores.length} scores`);
  const pts = rocCurve(labels, scores).filter((p) => Number.isFinite(p.threshold));
  if (pts.length === 0) throw new Error(`${who}: validation labels need both classes`);
  return pts;
}

/**
 * Youden's J threshold on validation data: the validation score maximising sensitivity +
 * specificity - 1 (score >= threshold is positive). Candidates are the distinct validation scores,
 * so tied scores are never split; among thresholds with equal J (compared exactly) the highest is
 * returned (fewest positive predictions). Throws unless both classes are present.
 */
export function youdenThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>): ChosenThreshold {
  const pts = finitePoints(labels, scores, 'youdenThreshold');
  // rocCurve lists thresholds in descending order, so a strict > keeps the highest on ties.
  let best = pts[0];
  for (const p of pts) if (p.tpr - p.fpr > best.tpr - best.fpr) best = p;
  return { threshold: best.threshold, sensitivity: best.tpr, specificity: 1 - best.fpr };
}

/**
 * The highest validation score at which validation sensitivity is at least `minSensitivity`
 * (less 1e-12 for rounding), i.e. the most specific threshold reaching the target; candidates are
 * the distinct validation scores, so tied scores are never split. Throws unless both classes are present.
 */
export function thresholdForSensitivity(labels: ArrayLike<number>, scores: ArrayLike<number>, minSensitivity: number): ChosenThreshold {
  if (!(minSensitivity >= 0 && minSensitivity <= 1)) throw new Error(`thresholdForSensitivity: target ${minSensitivity} is not in [0, 1]`);
  const pts = finitePoints(labels, scores, 'thresholdForSensitivity');
  // Sensitivity rises as the threshold falls, and the lowest score gives sensitivity 1.
  const p = pts.find((q) => q.tpr >= minSensitivity - SLACK) ?? pts[pts.length - 1];
  return { threshold: p.threshold, sensitivity: p.tpr, specificity: 1 - p.fpr };
}

/** 0/1 predictions of `scores` at a chosen threshold: 1 where score >= threshold (ties are positive). */
export function applyThreshold(scores: ArrayLike<number>, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] >= threshold ? 1 : 0;
  return out;
}
