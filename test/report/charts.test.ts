import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetChart, calibrationChart, confusionChart, groupBarsChart, prChart, rocChart } from '../../src/report/charts/index.js';
import { renderSvg, type ChartSpec } from '../../src/report/render.js';
import { prPoints, rocPoints } from '../../src/report/report-data.js';
import { reliabilityBins } from '../../src/evaluate/temperature-scaling.js';

// Every spec is plain JSON; walking it finds the inline data rows of any layer or panel.
function dataRows(spec: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.data && typeof o.data === 'object' && Array.isArray((o.data as { values?: unknown }).values)) out.push(...((o.data as { values: Record<string, unknown>[] }).values));
      for (const [k, x] of Object.entries(o)) if (k !== 'data') walk(x);
    }
  };
  walk(spec);
  return out;
}

async function renderClean(spec: ChartSpec): Promise<string> {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, { onWarning: (w) => warnings.push(w) });
  assert.deepEqual(warnings, [], 'Vega-Lite compiles the spec without warnings');
  assert.match(svg, /^<svg[^>]*width="\d+"/);
  return svg;
}

const labels = [0, 0, 1, 1, 0, 1];
const scores = [0.1, 0.4, 0.35, 0.8, 0.8, 0.9];

test('rocPoints and prPoints walk the distinct scores in descending order, ties as one step', () => {
  // Scores 0.9 (pos), 0.8 (pos + neg tie), 0.4 (neg), 0.35 (pos), 0.1 (neg); 3 positives, 3 negatives.
  assert.deepEqual(rocPoints(labels, scores), [
    { x: 0, y: 0 },
    { x: 0, y: 1 / 3 },
    { x: 1 / 3, y: 2 / 3 },
    { x: 2 / 3, y: 2 / 3 },
    { x: 2 / 3, y: 1 },
    { x: 1, y: 1 },
  ]);
  assert.deepEqual(prPoints(labels, scores), [
    { x: 0, y: 1 },
    { x: 1 / 3, y: 1 },
    { x: 2 / 3, y: 2 / 3 },
    { x: 2 / 3, y: 2 / 4 },
    { x: 1, y: 3 / 5 },
    { x: 1, y: 3 / 6 },
  ]);
  assert.deepEqual(prPoints([0, 0], [0.2, 0.3]), [], 'no positives, no PR curve');
});

test('rocChart: one row per curve point, labelled with the AUROC, colours in method order, and it renders', async () => {
  const spec = rocChart([
    { method: 'a', auroc: 0.75, points: rocPoints(labels, scores) },
    { method: 'b', auroc: Number.NaN, points: [] },
  ]);
  const rows = dataRows(spec).filter((r) => 'fpr' in r);
  assert.equal(rows.length, 6);
  assert.deepEqual(new Set(rows.map((r) => r.method)), new Set(['a (AUROC 0.750)']));
  const s = JSON.stringify(spec);
  assert.ok(s.includes('"domain":["a (AUROC 0.750)","b (AUROC n/a)"]'), 'legend keeps method order');
  const svg = await renderClean(spec);
  assert.match(svg, /class="mark-line role-mark/);
  assert.match(svg, /a \(AUROC 0\.750\)/, 'the legend label is in the SVG');
});

test('prChart draws a prevalence line at the given height', async () => {
  const spec = prChart([{ method: 'a', auprc: 0.8, points: prPoints(labels, scores) }], 0.5);
  assert.deepEqual(dataRows(spec).find((r) => 'p' in r), { p: 0.5, text: 'prevalence 0.50' });
  assert.equal(dataRows(spec).filter((r) => 'recall' in r).length, 6);
  await renderClean(spec);
});

test('calibrationChart: non-empty bins only, the after stage only where a temperature was fitted', async () => {
  const bins = reliabilityBins([0, 1, 1, 0], [0.05, 0.95, 0.55, 0.45]);
  const spec = calibrationChart([
    { method: 'a', before: bins, after: bins, temperature: 1.5 },
    { method: 'b', before: bins, after: null, temperature: null },
  ]);
  const s = spec as { concat: { title: string }[] };
  assert.deepEqual(s.concat.map((p) => p.title), ['a (T = 1.50)', 'b']);
  // The line and the dots layers share the rows, so count distinct rows.
  const panelRows = (k: number) => [...new Set(dataRows(s.concat[k]).filter((r) => 'stage' in r).map((r) => JSON.stringify(r)))].map((r) => JSON.parse(r) as Record<string, unknown>);
  // 4 probabilities fall in 4 distinct bins of 10, so 4 points per stage; the 6 empty bins are not drawn.
  assert.equal(panelRows(0).length, 8);
  assert.deepEqual(new Set(panelRows(1).map((r) => r.stage)), new Set(['before scaling']));
  await renderClean(spec);
});

test('confusionChart puts tn, fp, fn, tp in their cells and names the threshold', async () => {
  const spec = confusionChart([{ method: 'a', confusion: { threshold: 0.42, source: 'Youden on target validation', matrix: [[5, 2], [1, 7]] } }]);
  assert.deepEqual(
    dataRows(spec).map((r) => [r.actual, r.predicted, r.count]),
    [
      ['negative', 'negative', 5],
      ['negative', 'positive', 2],
      ['positive', 'negative', 1],
      ['positive', 'positive', 7],
    ],
  );
  assert.match(JSON.stringify(spec), /threshold 0\.420 \(Youden on target validation\)/);
  const svg = await renderClean(spec);
  assert.match(svg, />7</);
});

test('budgetChart: one point per method and budget, a legend of only the methods on the curve', async () => {
  const spec = budgetChart(
    [
      { method: 'transfer', budget: 20, auroc: 0.7, ci: [0.6, 0.8] },
      { method: 'transfer', budget: 40, auroc: 0.75, ci: [0.65, 0.85] },
      { method: 'target_only', budget: 20, auroc: Number.NaN, ci: [Number.NaN, Number.NaN] },
    ],
    ['transfer', 'target_only', 'source_only'],
  );
  assert.deepEqual(dataRows(spec), [
    { method: 'transfer', budget: 20, auroc: 0.7, lo: 0.6, hi: 0.8 },
    { method: 'transfer', budget: 40, auroc: 0.75, lo: 0.65, hi: 0.85 },
  ]);
  // transfer keeps the first colour even though the legend lists it alone.
  assert.ok(JSON.stringify(spec).includes('"scale":{"domain":["transfer"],"range":["#4c78a8"]}'));
  await renderClean(spec);
});

test('groupBarsChart flags too-small groups: faded, labelled, and without a CI whisker', async () => {
  const spec = groupBarsChart(
    'AUROC by subgroup',
    [
      { method: 'a', group: 'F', panel: 'sex', auroc: 0.8, ci: [0.7, 0.9], n: 50, tooSmall: false },
      { method: 'a', group: '<50', panel: 'age', auroc: 0.9, ci: [Number.NaN, Number.NaN], n: 6, tooSmall: true },
    ],
    ['a', 'b'],
  );
  const rows = dataRows(spec).filter((r) => 'auroc' in r);
  assert.deepEqual(rows, [
    { method: 'a', group: 'F', panel: 'sex', auroc: 0.8, lo: 0.7, hi: 0.9, n: 50, reported: 'reported' },
    { method: 'a', group: '<50|(too small)', panel: 'age', auroc: 0.9, lo: null, hi: null, n: 6, reported: 'too small: no CI' },
  ]);
  assert.equal((spec as { concat: unknown[] }).concat.length, 2, 'one panel per subgroup column');
  const svg = await renderClean(spec);
  assert.match(svg, /\(too small\)/);
  assert.match(svg, /too small: no CI/, 'the legend explains the faded bars');
});

test('renderSvg refuses a spec that would load data from a URL', async () => {
  const spec = { data: { url: 'https://example.org/data.csv' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } } as ChartSpec;
  await assert.rejects(renderSvg(spec), /chart data must be inline, not loaded from "https:\/\/example\.org\/data\.csv"/);
});
