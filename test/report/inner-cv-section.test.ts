import assert from 'node:assert/strict';
import { test } from 'node:test';
import { innerCvLines } from '../../src/cli/table.js';
import { transferReportJson } from '../../src/record/metrics-json.js';
import type { FoldResult } from '../../src/record/types.js';
import { transferReportSection } from '../../src/report/html.js';
import { innerCvSection } from '../../src/report/inner-cv-section.js';
import type { TransferReport } from '../../src/transfer/types.js';

const report: TransferReport = {
  auto: {
    chosen: 'update_intercept',
    selectedBy: 'log_loss',
    folds: 5,
    repeats: 1,
    guard: 'one SE',
    candidates: [
      { name: 'source_only', meanLogLoss: 0.6, sdLogLoss: 0.1, meanAuroc: 0.8, sdAuroc: 0.05, gainOverSourceOnly: 0, gainSe: 0, eligible: true },
      { name: 'update_intercept', meanLogLoss: 0.5, sdLogLoss: 0.1, meanAuroc: 0.8, sdAuroc: 0.05, gainOverSourceOnly: 0.1, gainSe: 0.02, eligible: true },
      { name: 'full_finetune', meanLogLoss: Number.NaN, sdLogLoss: Number.NaN, meanAuroc: Number.NaN, sdAuroc: Number.NaN, eligible: false, error: 'one class' },
    ],
  },
};

test('an auto choice reaches metrics.json in snake_case with every candidate, non-finite scores as null', () => {
  const json = transferReportJson(report);
  assert.equal(json.auto?.chosen, 'update_intercept');
  assert.equal(json.auto?.selected_by, 'log_loss');
  assert.deepEqual(json.auto?.candidates.map((c) => c.name), ['source_only', 'update_intercept', 'full_finetune']);
  assert.deepEqual(json.auto?.candidates[1], { name: 'update_intercept', mean_log_loss: 0.5, sd_log_loss: 0.1, mean_auroc: 0.8, sd_auroc: 0.05, gain_over_source_only: 0.1, gain_se: 0.02, eligible: true });
  assert.equal(json.auto?.candidates[2].mean_log_loss, null);
  assert.equal(json.auto?.candidates[2].error, 'one class');
  assert.equal(json.tuning, undefined);
});

test('the report lists every candidate with the choice marked, and the CLI prints a line per choice', () => {
  const methods = [{ method: 'transfer', transfer_report: transferReportJson(report) }];
  const html = innerCvSection(methods);
  assert.match(html, /<td>transfer<\/td><td>auto<\/td><td>update_intercept <b>\(chosen\)<\/b><\/td><td>0\.500/);
  assert.match(html, /full_finetune<\/td><td>failed: one class/);
  assert.equal(transferReportSection(methods), '', 'a report with only an inner-CV choice has no sources section');
  assert.equal(innerCvSection([{ method: 'x', transfer_report: null }]), '');
  const fold = { methods: [{ method: 'transfer', transferReport: report }] } as unknown as FoldResult;
  const [line] = innerCvLines(fold);
  assert.match(line, /^transfer: auto chose update_intercept by 5-fold inner CV log-loss .*update_intercept 0\.500 ± 0\.100, gain \+0\.100 ± 0\.020; full_finetune failed\.$/);
});
