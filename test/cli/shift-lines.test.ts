import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shiftLines } from '../../src/cli/table.js';
import type { FoldResult } from '../../src/record/types.js';

const fold = (shift: FoldResult['shift']): FoldResult => ({ shift } as unknown as FoldResult);

test('shift lines: the penalty with both AUROCs and their CIs, the oracle ceiling with the source risk functions collapsed when equal', () => {
  const text = shiftLines(
    fold({
      penalty: {
        method: 'source_only',
        sourceTest: { auroc: 0.88, ci: [0.83, 0.92], n: 180, nPositive: 50 },
        targetTest: { auroc: 0.62, ci: [0.54, 0.7], n: 180, nPositive: 81 },
        penalty: { difference: 0.26, ci: [0.16, 0.35] },
      },
      oracle: { auroc: 0.91, ci: [0.87, 0.95], n: 180, sourceRisk: [{ site: 'hosp_a', auroc: 0.75 }, { site: 'hosp_b', auroc: 0.75 }] },
    }),
  );
  assert.match(text, /^Shift penalty \(source_only\): AUROC 0\.880 \[0\.830, 0\.920\] on the source test set \(n 180\), 0\.620 \[0\.540, 0\.700\] on the target test set \(n 180\): penalty \+0\.260 \[\+0\.160, \+0\.350\] \(source − target\)\.$/m);
  assert.match(text, /^Oracle ceiling: the generator's true risk scores AUROC 0\.910 \[0\.870, 0\.950\] on the target test set; the source sites' true risk functions score 0\.750 \(hosp_a, hosp_b\) on the same subjects\.$/m);
  const differing = shiftLines(fold({ oracle: { auroc: 0.9, ci: [0.8, 0.95], n: 10, sourceRisk: [{ site: 'a', auroc: 0.7 }, { site: 'b', auroc: 0.8 }] } }));
  assert.match(differing, /score a 0\.700, b 0\.800 on the same subjects/);
  assert.doesNotMatch(differing, /Shift penalty/);
  assert.equal(shiftLines(fold(undefined)), '');
});
