import { brierScore, expectedCalibrationError } from './calibration.js';
import { accuracyOf, confusion, sensitivityOf, specificityOf, type Confusion } from './metrics.js';
import { temperatureScale } from './temperature-scaling.js';
import { youdenThreshold } from './threshold-selection.js';

/** Youden's threshold chosen on target validation scores and applied unchanged to target test. */
export interface ValidationThreshold {
  readonly threshold: number;
  readonly valSensitivity: number;
  readonly valSpecificity: number;
  readonly test: Confusion;
  readonly testAccuracy: number;
  readonly testSensitivity: number;
  readonly testSpecificity: number;
}

/** Temperature scaling fitted on target validation, with target-test calibration before and after. */
export interface ValidationTemperature {
  readonly temperature: number;
  readonly valNllBefore: number;
  readonly valNllAfter: number;
  readonly testEceBefore: number;
  readonly testEceAfter: number;
  readonly testBrierBefore: number;
  readonly testBrierAfter: number;
}

/** What was fitted on target validation for one method; a part is null (with the reason) when validation cannot support it. */
export interface ValidationFits {
  readonly nVal: number;
  readonly threshold: ValidationThreshold | null;
  readonly temperature: ValidationTemperature | null;
  /** Why a fit is missing, e.g. a single-class validation set; null when both were fitted. */
  readonly note: string | null;
}

/**
 * Fits Youden's threshold and a temperature on target validation scores, then applies both to the
 * target test scores. Test labels are read only to report the resulting test metrics.
 */
export function fitOnValidation(valLabels: ArrayLike<number>, valScores: ArrayLike<number>, testLabels: ArrayLike<number>, testScores: ArrayLike<number>): ValidationFits {
  let nPos = 0;
  for (let i = 0; i < valLabels.length; i++) nPos += valLabels[i] === 1 ? 1 : 0;
  const nVal = valLabels.length;
  if (nVal === 0) return { nVal, threshold: null, temperature: null, note: 'no target validation subjects' };
  const ts = temperatureScale(valLabels, valScores, testLabels, testScores);
  const temperature: ValidationTemperature = {
    temperature: ts.temperature,
    valNllBefore: ts.nllBefore,
    valNllAfter: ts.nllAfter,
    testEceBefore: expectedCalibrationError(testLabels, testScores),
    testEceAfter: expectedCalibrationError(testLabels, ts.calibrated),
    testBrierBefore: brierScore(testLabels, testScores),
    testBrierAfter: brierScore(testLabels, ts.calibrated),
  };
  if (nPos === 0 || nPos === nVal) {
    return { nVal, threshold: null, temperature, note: `target validation has one class only (${nPos} of ${nVal} positive), so no Youden threshold` };
  }
  const chosen = youdenThreshold(valLabels, valScores);
  const c = confusion(testLabels, testScores, chosen.threshold);
  return {
    nVal,
    threshold: {
      threshold: chosen.threshold,
      valSensitivity: chosen.sensitivity,
      valSpecificity: chosen.specificity,
      test: c,
      testAccuracy: accuracyOf(c),
      testSensitivity: sensitivityOf(c),
      testSpecificity: specificityOf(c),
    },
    temperature,
    note: null,
  };
}
