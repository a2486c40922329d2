import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoSeedsMarkdown, meetsAcceptance, parseDemoSeedRows, summariseDemoSeeds, verdict, type DemoSeedRow } from '../../bench/lib/demo-seeds-summary.js';
import { pairedTInterval } from '../../src/evaluate/paired.js';

/** A seed's row with the given AUROC per method (strategies fixed below). */
function row(seed: number, aurocs: Record<string, number>): DemoSeedRow {
  const strategy: Record<string, string> = { auto: 'auto', target_only: 'target_only', target_only_logistic: 'target_only_logistic', source_only: 'source_only' };
  return {
    seed,
    commit: 'abc',
    backend: 'test',
    seconds: 1,
    target: 'hosp_d',
    n_test: 180,
    methods: Object.entries(aurocs).map(([method, auroc]) => ({ method, strategy: strategy[method], auroc, auroc_ci: [auroc - 0.05, auroc + 0.05], kept_source_model: method === 'source_only' ? true : null })),
    shift: { penalty: { method: 'source_only', source_test: { auroc: 0.88, ci: [0.8, 0.9], n: 180, n_positive: 50 }, target_test: { auroc: aurocs.source_only, ci: [0.5, 0.7], n: 180, n_positive: 80 }, difference: 0.88 - aurocs.source_only, ci: [0.1, 0.3] }, oracle: { auroc: 0.9, ci: [0.85, 0.95], n: 180, source_risk: [{ site: 'hosp_a', auroc: 0.75 }] } },
  };
}

const rows = [
  row(1, { auto: 0.75, target_only: 0.6, source_only: 0.62, target_only_logistic: 0.66 }),
  row(2, { auto: 0.71, target_only: 0.55, source_only: 0.66, target_only_logistic: 0.63 }),
  row(3, { auto: 0.78, target_only: 0.62, source_only: 0.6, target_only_logistic: 0.7 }),
];

test('demo-seeds summary: paired per-seed differences vs source_only and the best target-only baseline, with t-intervals', () => {
  const s = summariseDemoSeeds(rows);
  assert.equal(s.sourceOnly, 'source_only');
  // target_only_logistic's mean (0.663) beats target_only's (0.590): it is the target-only reference.
  assert.equal(s.bestTargetOnly, 'target_only_logistic');
  assert.equal(s.primary, 'auto');
  const auto = s.methods.find((m) => m.method === 'auto')!;
  assert.deepEqual(auto.vsSourceOnly, pairedTInterval([0.75 - 0.62, 0.71 - 0.66, 0.78 - 0.6]));
  assert.deepEqual(auto.vsTargetOnly, pairedTInterval([0.75 - 0.66, 0.71 - 0.63, 0.78 - 0.7]));
  assert.equal(s.methods.find((m) => m.method === 'source_only')!.vsSourceOnly, null);
  assert.equal(s.methods.find((m) => m.method === 'source_only')!.keptSource, 3);
  assert.deepEqual(s.shift.oracle, pairedTInterval([0.9, 0.9, 0.9]));
  const md = demoSeedsMarkdown(s, rows, ['# t']);
  assert.match(md, /\| auto ★ \| auto \| 0\.747 \[/);
  assert.match(md, /`auto` vs source_only: mean gain \+0\.120 \[.*\]; ≥ 0\.03 with the interval excluding 0: (met|\*\*not met\*\*)\./);
});

test('demo-seeds summary: rows round-trip through JSONL; mismatched methods, duplicate seeds and bad lines are named', () => {
  const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  assert.deepEqual(parseDemoSeedRows(text, 'x.jsonl'), rows);
  assert.throws(() => parseDemoSeedRows('{"seed":1,"methods":[]}\nnope\n', 'x.jsonl'), /x\.jsonl: line 2 is not JSON/);
  assert.throws(() => summariseDemoSeeds([rows[0], rows[0]]), /a seed appears twice/);
  assert.throws(() => summariseDemoSeeds([rows[0], row(9, { auto: 0.7, source_only: 0.6 })]), /seed 9 ran methods auto, source_only, seed 1 ran auto,target_only,source_only,target_only_logistic/);
});

test('verdicts and the acceptance rule use the interval, not the mean', () => {
  assert.equal(verdict({ mean: 0.05, ci: [0.01, 0.09], sd: 0, n: 3 }), 'better');
  assert.equal(verdict({ mean: 0.05, ci: [-0.01, 0.11], sd: 0, n: 3 }), 'not shown');
  assert.equal(verdict({ mean: -0.05, ci: [-0.09, -0.01], sd: 0, n: 3 }), 'worse');
  assert.equal(meetsAcceptance({ mean: 0.05, ci: [-0.01, 0.11], sd: 0, n: 3 }), false);
  assert.equal(meetsAcceptance({ mean: 0.02, ci: [0.01, 0.03], sd: 0, n: 3 }), false);
  assert.equal(meetsAcceptance({ mean: 0.04, ci: [0.01, 0.07], sd: 0, n: 3 }), true);
});

test("a row's target_only flag decides the target-only reference: an embedding logistic (target_only: false) is not one", () => {
  const flagged = rows.map((r) => ({
    ...r,
    methods: [
      ...r.methods.map((m) => ({ ...m, target_only: m.strategy.startsWith('target_only') })),
      // Best of all on every seed, but it reads the source image encoder.
      { method: 'embedding_logistic', strategy: 'target_only_logistic', auroc: 0.8, auroc_ci: [0.75, 0.85] as const, kept_source_model: null, target_only: false },
    ],
  }));
  const s = summariseDemoSeeds(flagged);
  assert.equal(s.bestTargetOnly, 'target_only_logistic');
});
