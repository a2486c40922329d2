import { ECE_BINS, calibrationBin } from './calibration.js';

/** Probabilities are clipped to [LOGIT_EPS, 1 - LOGIT_EPS] before taking logits (as `logLoss` clips). */
export const LOGIT_EPS = 1e-7;

/** Search range of log T for `fitTemperature`: T in [e^-5, e^5], about [0.0067, 148]. */
export const LOG_T_RANGE: readonly [number, number] = [-5, 5];

/** Log-odds of probabilities, each clipped to [LOGIT_EPS, 1 - LOGIT_EPS] first. */
export function probabilitiesToLogits(probs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(1 - LOGIT_EPS, Math.max(LOGIT_EPS, probs[i]));
    out[i] = Math.log(p / (1 - p));
  }
  return out;
}

// log(1 + e^x) without overflow.
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** Mean binary negative log-likelihood of logits divided by `temperature` (computed on the log scale, unclipped). */
export function temperatureNll(labels: ArrayLike<number>, logits: ArrayLike<number>, temperature: number): number {
  const n = labels.length;
  let s = 0;
  // -log sigmoid(z) = softplus(-z); -log(1 - sigmoid(z)) = softplus(z).
  for (let i = 0; i < n; i++) s += labels[i] === 1 ? softplus(-logits[i] / temperature) : softplus(logits[i] / temperature);
  return s / n;
}

/** A temperature fitted on validation logits, with the validation NLL before (T = 1) and after. */
export interface TemperatureFit {
  readonly temperature: number;
  readonly nllBefore: number;
  readonly nllAfter: number;
}

/**
 * Fits one temperature T > 0 on validation logits by minimising the mean NLL of sigmoid(z / T):
 * golden-section search on log T over `LOG_T_RANGE` (the NLL is convex in 1/T, so unimodal in
 * log T) to a bracket of 1e-10, a fixed number of steps, hence deterministic. Throws on empty input
 * or mismatched lengths.
 */
export function fitTemperature(labels: ArrayLike<number>, logits: ArrayLike<number>): TemperatureFit {
  if (labels.length === 0) throw new Error('fitTemperature: no validation rows');
  if (labels.length !== logits.length) throw new Error(`fitTemperature: ${labels.length} labels but ${logits.length} logits`);
  const f = (u: number) => temperatureNll(labels, logits, Math.exp(u));
  const g = (Math.sqrt(5) - 1) / 2;
  let [a, b] = LOG_T_RANGE;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > 1e-10) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const temperature = Math.exp((a + b) / 2);
  return { temperature, nllBefore: f(0), nllAfter: temperatureNll(labels, logits, temperature) };
}

/** Calibrated probabilities sigmoid(logit / temperature) for test logits. */
export function applyTemperature(logits: ArrayLike<number>, temperature: number): Float64Array {
  if (!(temperature > 0)) throw new Error(`applyTemperature: temperature ${temperature} must be > 0`);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = 1 / (1 + Math.exp(-logits[i] / temperature));
  return out;
}

/** One bin of a reliability diagram; means are NaN for an empty bin. */
export interface ReliabilityBin {
  /** Bin edges: (lo, hi], the first bin also holds 0 (see `calibrationBin`). */
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  /** Mean predicted probability of class 1 in the bin. */
  readonly meanConfidence: number;
  /** Fraction of the bin's rows with label 1. */
  readonly observedFrequency: number;
}

/**
 * Reliability data: `bins` equal-width bins on [0, 1] with the same binning as
 * `expectedCalibrationError` (`calibrationBin`), every bin listed, empty ones with count 0.
 */
export function reliabilityBins(labels: ArrayLike<number>, probs: ArrayLike<number>, bins = ECE_BINS): ReliabilityBin[] {
  const count = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const b = calibrationBin(probs[i], bins);
    count[b]++;
    sumY[b] += labels[i] === 1 ? 1 : 0;
    sumP[b] += probs[i];
  }
  return Array.from({ length: bins }, (_, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    count: count[b],
    meanConfidence: count[b] > 0 ? sumP[b] / count[b] : Number.NaN,
    observedFrequency: count[b] > 0 ? sumY[b] / count[b] : Number.NaN,
  }));
}

/** Temperature scaling fitted on validation and applied to test, with test reliability data before and after. */
export interface TemperatureScalingResult extends TemperatureFit {
  /** Test probabilities after scaling. */
  readonly calibrated: Float64Array;
  readonly reliabilityBefore: ReliabilityBin[];
  readonly reliabilityAfter: ReliabilityBin[];
}

/**
 * Fits T on validation probabilities (converted to clipped logits) and applies it to test
 * probabilities; test labels are used only for the reliability data, never for the fit.
 */
export function temperatureScale(
  valLabels: ArrayLike<number>,
  valProbs: ArrayLike<number>,
  testLabels: ArrayLike<number>,
  testProbs: ArrayLike<number>,
  bins = ECE_BINS,
): TemperatureScalingResult {
  const fit = fitTemperature(valLabels, probabilitiesToLogits(valProbs));
  const calibrated = applyTemperature(probabilitiesToLogits(testProbs), fit.temperature);
  return { ...fit, calibrated, reliabilityBefore: reliabilityBins(testLabels, testProbs, bins), reliabilityAfter: reliabilityBins(testLabels, calibrated, bins) };
}
