// Is medtl's default record encoder (the MLP of `source_only`) as good as a tuned L2 logistic regression
// (`source_only_logistic`) on the heart-disease sources? Leave-one-site-out on UCI heart disease, budget 0,
// a few seeds; per target, the paired per-seed ΔAUROC (source_only − source_only_logistic) with a t-interval.
//
//   HEART_DISEASE_DATA=/path/to/uci-heart-disease npx tsx bench/baselines-heart.ts --seeds 1,2,3
//   ... --model '{"tabularHidden":[8],"headHidden":8}' --training '{"pretrain":{"weightDecay":1e-2}}'   # try an encoder change
//
// --seeds     root seeds, one run each (default 1,2,3)     --out  JSONL of per-seed rows (default tmp/bench-baselines/rows.jsonl)
// --model     JSON merged into the experiment's `model`     --training  JSON merged into `training`
import { mkdir, appendFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { parseExperiment } from '../src/config/experiment.js';
import { pairedTInterval } from '../src/evaluate/paired.js';
import { runExperiment } from '../src/pipeline/experiment.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    out: { type: 'string', default: 'tmp/bench-baselines/rows.jsonl' },
    model: { type: 'string', default: '{}' },
    training: { type: 'string', default: '{}' },
  },
});
const seeds = values.seeds.split(',').map(Number);
await mkdir(dirname(values.out), { recursive: true });
await writeFile(values.out, '');

interface Row {
  readonly seed: number;
  readonly target: string;
  readonly source_only: number;
  readonly source_only_logistic: number;
  readonly delta: number;
  readonly delta_ci: readonly [number, number];
  readonly delong_p: number;
  readonly lambda_note: string;
}
const rows: Row[] = [];
const t0 = performance.now();
for (const seed of seeds) {
  const cfg = parseExperiment({
    name: `baselines-heart-${seed}`,
    seed,
    workspace: 'tmp/bench-baselines/workspace',
    data: { kind: 'manifest', path: 'examples/heart-disease/manifest.yaml' },
    protocol: 'leave_one_site_out',
    // 1/3 of each target held out, as in the reference figures; budget 0: no target labels.
    split: { targetTest: 1 / 3, targetBudget: 0 },
    model: JSON.parse(values.model) as object,
    training: JSON.parse(values.training) as object,
    methods: [
      { name: 'source_only', strategy: 'source_only', modalities: ['tabular'] },
      { name: 'source_only_logistic', strategy: 'source_only_logistic', modalities: ['tabular'] },
    ],
    evaluation: { budgetCurve: [], references: ['source_only_logistic'], bootstrapResamples: 500 },
  });
  const run = await runExperiment(cfg, { runId: `seed-${seed}` });
  for (const f of run.folds) {
    const a = f.methods.find((m) => m.method === 'source_only')!;
    const b = f.methods.find((m) => m.method === 'source_only_logistic')!;
    const c = f.comparisons.find((x) => x.method === 'source_only' && x.reference === 'source_only_logistic')!;
    const row: Row = {
      seed,
      target: f.target,
      source_only: a.evaluation.auroc,
      source_only_logistic: b.evaluation.auroc,
      delta: c.delta.difference,
      delta_ci: c.delta.ci,
      delong_p: c.delta.p,
      lambda_note: b.transferReport?.notes?.[0] ?? '',
    };
    rows.push(row);
    await appendFile(values.out, `${JSON.stringify(row)}\n`);
  }
  process.stderr.write(`seed ${seed} done at ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

const f3 = (v: number): string => v.toFixed(3);
const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
console.log(`model ${values.model}, training ${values.training}, seeds ${seeds.join(',')}`);
console.log('| target | source_only | source_only_logistic | Δ (paired per-seed mean [t 95% CI]) |');
console.log('|---|---|---|---|');
const targets = [...new Set(rows.map((r) => r.target))];
for (const t of [...targets, 'all']) {
  const rs = rows.filter((r) => t === 'all' || r.target === t);
  const mean = (k: 'source_only' | 'source_only_logistic'): number => rs.reduce((s, r) => s + r[k], 0) / rs.length;
  const d = pairedTInterval(rs.map((r) => r.delta));
  console.log(`| ${t} | ${f3(mean('source_only'))} | ${f3(mean('source_only_logistic'))} | ${signed(d.mean)} [${signed(d.ci[0])}, ${signed(d.ci[1])}] |`);
}
process.stderr.write(`total ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
