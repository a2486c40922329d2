/** The metrics of one run under one seed. */
export interface SeedResult {
  readonly seed: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Mean and sample sd (n - 1) of one metric over seeds; sd is null with a single seed. */
export interface MetricSpread {
  readonly mean: number;
  readonly sd: number | null;
  readonly n: number;
}

/** Per-metric mean ± sd over repeated seeds. */
export interface SeedSummary {
  readonly n_seeds: number;
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<string, MetricSpread>>;
}

/** Runs `runOne` once per seed, one after another in the given order, and collects the metrics. */
export async function repeatSeeds(
  seeds: readonly number[],
  runOne: (seed: number) => Promise<Record<string, number>>,
): Promise<SeedResult[]> {
  if (seeds.length === 0) throw new Error('repeatSeeds needs at least one seed');
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new Error(`seed ${dup} is repeated: repeated seeds would count one run twice`);
  const out: SeedResult[] = [];
  for (const seed of seeds) out.push({ seed, metrics: { ...(await runOne(seed)) } });
  return out;
}

/** Summarises per-seed metrics as mean and sample sd; every seed must report the same finite metrics. */
export function summariseSeeds(results: readonly SeedResult[]): SeedSummary {
  if (results.length === 0) throw new Error('summariseSeeds needs at least one seed result');
  const names = Object.keys(results[0].metrics).sort();
  const metrics: Record<string, MetricSpread> = {};
  for (const r of results) {
    const these = Object.keys(r.metrics).sort();
    if (these.join('\u0000') !== names.join('\u0000')) {
      throw new Error(`seed ${r.seed} reports metrics [${these.join(', ')}], seed ${results[0].seed} reports [${names.join(', ')}]`);
    }
  }
  for (const name of names) {
    const xs = results.map((r) => {
      const v = r.metrics[name];
      if (!Number.isFinite(v)) throw new Error(`metric ${name} of seed ${r.seed} is ${v}, not a finite number`);
      return v;
    });
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const sd = n < 2 ? null : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
    metrics[name] = { mean, sd, n };
  }
  return { n_seeds: results.length, seeds: results.map((r) => r.seed), metrics };
}
