import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transferReportSection } from '../../src/report/html.js';

test('the sources table flags negative transfer per source and lists weights and notes', () => {
  const html = transferReportSection([
    { method: 'tab', transfer_report: null },
    {
      method: 'multi',
      transfer_report: {
        sources: [
          { site: 'hosp_a', n_train: 40, weight: 0.7, target_val_loss: 0.5, target_val_auroc: 0.8 },
          { site: 'hosp_b', n_train: 30, weight: 0.3, target_val_loss: 0.9, target_val_auroc: null },
        ],
        target_only_val_loss: 0.6,
        negative_transfer: ['hosp_b'],
        importance_weights: { min: 0.1, max: 3.2, effective_sample_size: 51.25, n: 70 },
        notes: ['no target labels <here>'],
      },
    },
  ]);
  assert.match(html, /<td>multi<\/td><td>hosp_a<\/td><td>40<\/td><td>0\.700<\/td><td><\/td><td><\/td><td>0\.800<\/td><td>0\.500<\/td><td>0\.600<\/td><td>no<\/td>/);
  assert.match(html, /<td>multi<\/td><td>hosp_b<\/td><td>30<\/td><td>0\.300<\/td><td><\/td><td><\/td><td>n\/a<\/td><td>0\.900<\/td><td>0\.600<\/td><td><b>yes<\/b><\/td>/);
  assert.ok(!html.includes('<td>tab</td>'), 'a method without a report has no row');
  assert.match(html, /importance weights of 70 source rows range 0\.100–3\.200, effective sample size 51\.3/);
  assert.match(html, /multi: no target labels &lt;here&gt;/);
});

test('no section when no method reported on its sources, or the run predates the field', () => {
  assert.equal(transferReportSection([{ method: 'tab', transfer_report: null }]), '');
  assert.equal(transferReportSection([{ method: 'old' } as never]), '');
});
