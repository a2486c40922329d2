import type { ColumnSpec, Sample } from '../../src/data/types.js';
import { Rng } from '../../src/util/random.js';

/** A small tabular schema for unit tests. */
export const TEST_SCHEMA: ColumnSpec[] = [
  { name: 'age', kind: 'numeric', unit: 'years' },
  { name: 'smoker', kind: 'binary' },
  { name: 'sex', kind: 'categorical', categories: ['F', 'M'] },
];

/** Seeded samples across sites with a learnable label, tiny 8x8 images and a record. */
export function makeSamples(opts: { sites: string[]; perSite: number; seed: number; imageSize?: number }): Sample[] {
  const rng = new Rng(opts.seed);
  const size = opts.imageSize ?? 8;
  const out: Sample[] = [];
  for (const site of opts.sites) {
    for (let i = 0; i < opts.perSite; i++) {
      const age = rng.normal(60, 10);
      const smoker = rng.bernoulli(0.4) ? 1 : 0;
      const z = (age - 60) / 10 + 1.5 * smoker - 0.6 + rng.normal(0, 0.5);
      const label = z > 0 ? 1 : 0;
      const data = new Float32Array(size * size);
      for (let p = 0; p < data.length; p++) data[p] = -800 + rng.normal(0, 50) + (label ? 300 : 0) * (p % size < size / 2 ? 1 : 0);
      out.push({
        subjectId: `p${String(i).padStart(4, '0')}`,
        siteId: site,
        label,
        image: { height: size, width: size, channels: 1, data },
        tabular: { age: rng.bernoulli(0.1) ? null : age, smoker, sex: rng.bernoulli(0.5) ? 'F' : 'M' },
      });
    }
  }
  return out;
}
