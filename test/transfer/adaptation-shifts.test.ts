import assert from 'node:assert/strict';
import { before, test, type TestContext } from 'node:test';
import type { ColumnSpec, Sample } from '../../src/data/types.js';
import { delongTest, type DeLongResult } from '../../src/evaluate/delong.js';
import { predictProba } from '../../src/models/fusion.js';
import { pretrainOnSources } from '../../src/transfer/pretrain.js';
import { getStrategy } from '../../src/transfer/registry.js';
import type { TrainedModel, TransferContext, TransferData } from '../../src/transfer/types.js';
import { Rng } from '../../src/util/random.js';
import { toyContext } from './context.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

const COLUMNS = ['x1', 'x2', 'x3', 'x4'];
const SCHEMA: ColumnSpec[] = COLUMNS.map((name) => ({ name, kind: 'numeric' }));

/** Rows of a shift scenario: `make(rng)` returns the four features and the label of one subject. */
function rows(site: string, n: number, seed: number, make: (rng: Rng) => { x: number[]; y: number }): Sample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const { x, y } = make(rng);
    return { subjectId: `s${i}`, siteId: site, label: y === 1 ? 1 : 0, tabular: Object.fromEntries(COLUMNS.map((c, j) => [c, x[j]])) };
  });
}

/** Source and target partitions of a scenario; the target budget is `labelled` rows (0: unsupervised adaptation only). */
function scenario(source: (rng: Rng) => { x: number[]; y: number }, target: (rng: Rng) => { x: number[]; y: number }, labelled: number): { data: TransferData; test: Sample[] } {
  const src = [...rows('a', 200, 1, source), ...rows('b', 200, 2, source)];
  const tgt = rows('t', 400, 3, target);
  const val = Math.floor(labelled * 0.3);
  return {
    data: { sourceTrain: src.slice(80), sourceVal: src.slice(0, 80), targetTrain: tgt.slice(0, labelled - val), targetVal: tgt.slice(labelled - val, labelled), targetUnlabelled: tgt.slice(labelled, 200) },
    test: tgt.slice(200),
  };
}

/** A toy context with this file's schema; its source pretraining is cached per context. */
function context(data: TransferData, options?: unknown): TransferContext {
  let pretrained: Promise<TrainedModel> | undefined;
  const ctx: TransferContext = { ...toyContext(data, options), schema: SCHEMA, pretrained: () => (pretrained ??= Promise.resolve().then(() => pretrainOnSources(ctx))) };
  return ctx;
}

function targetScores(m: TrainedModel, test: readonly Sample[]): { labels: Float32Array; scores: Float32Array } {
  const fs = m.preprocessor.transform(test);
  return { labels: fs.labels, scores: predictProba(m.model, fs) };
}

/** DeLong's paired comparison of `method` (with `options`) against source_only on the same target test rows. */
async function versusSourceOnly(method: string, options: unknown, s: { data: TransferData; test: Sample[] }): Promise<DeLongResult> {
  const a = targetScores(await getStrategy(method).run(context(s.data, options)), s.test);
  const b = targetScores(await getStrategy('source_only').run(context(s.data)), s.test);
  return delongTest(a.labels, a.scores, b.scores);
}

/**
 * The bar for "fixes the shift": a higher target AUROC than source_only, by DeLong's paired test at the
 * one-sided 2.5% level (two-sided p < 0.05 with a positive difference) on the 200 target test rows.
 */
function assertBeatsSourceOnly(t: TestContext, method: string, r: DeLongResult): void {
  t.diagnostic(`${method}: target AUROC ${r.aurocA.toFixed(3)} vs source_only ${r.aurocB.toFixed(3)} (Δ ${r.difference.toFixed(3)}, SE ${r.se.toFixed(3)}, DeLong p ${r.p.toExponential(2)})`);
  assert.ok(r.difference > 0 && r.p < 0.05, `${method} ${r.aurocA} vs source_only ${r.aurocB}, p ${r.p}`);
}

/**
 * A broken sensor: at the sources x3 is a near-copy of the signal x1, so the source model leans on it; at the
 * target x3 is pure noise with three times the spread. The label rule (x1 + x2) is the same everywhere.
 * Aligning the embeddings of both sites pushes the encoder off the feature whose distribution moved.
 */
const brokenSensor = scenario(
  (rng) => {
    const [u1, u2, u4] = [rng.normal(0, 1), rng.normal(0, 1), rng.normal(0, 1)];
    return { x: [u1, u2, u1 + rng.normal(0, 0.2), u4], y: u1 + u2 + rng.normal(0, 0.3) > 0 ? 1 : 0 };
  },
  (rng) => {
    const [u1, u2, u4] = [rng.normal(0, 1), rng.normal(0, 1), rng.normal(0, 1)];
    return { x: [u1, u2, rng.normal(0, 3), u4], y: u1 + u2 + rng.normal(0, 0.3) > 0 ? 1 : 0 };
  },
  0,
);

for (const [method, options] of [
  ['coral', { weight: Number(process.env.W ?? 30), epochs: Number(process.env.EP ?? 20) }],
  ['mmd', { weight: Number(process.env.W ?? 1), epochs: Number(process.env.EP ?? 20) }],
  ['dann', { weight: Number(process.env.W ?? 3), epochs: Number(process.env.EP ?? 20) }],
] as const) {
  test(`${method} fixes a broken-sensor shift without target labels: target AUROC above source_only`, async (t) => {
    assertBeatsSourceOnly(t, method, await versusSourceOnly(method, options, brokenSensor));
  });
}
