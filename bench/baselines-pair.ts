// Paired per-seed difference of `source_only` between two bench/baselines-heart.ts row files (same seeds, same
// splits): e.g. a record-encoder change against the default, per target and over all cells, with a t-interval.
//
//   npx tsx bench/baselines-pair.ts docs/baselines-heart/pretrain-wd-1e-2.jsonl docs/baselines-heart/default.jsonl
import { readFileSync } from 'node:fs';
import { pairedTInterval } from '../src/evaluate/paired.js';

interface Row {
  readonly seed: number;
  readonly target: string;
  readonly source_only: number;
}
const load = (f: string): Row[] => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const [a, b] = [load(process.argv[2]), load(process.argv[3])];
for (const t of [...new Set(a.map((r) => r.target)), 'all']) {
  const d = a.filter((r) => t === 'all' || r.target === t).map((r) => {
    const other = b.find((x) => x.seed === r.seed && x.target === r.target);
    if (!other) throw new Error(`${process.argv[3]}: no row for seed ${r.seed}, target ${r.target}`);
    return r.source_only - other.source_only;
  });
  const i = pairedTInterval(d);
  console.log(`${t}: ${i.mean >= 0 ? '+' : ''}${i.mean.toFixed(3)} [${i.ci[0].toFixed(3)}, ${i.ci[1].toFixed(3)}] (n = ${i.n})`);
}
