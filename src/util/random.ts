import seedrandom from 'seedrandom';
import { createHash } from 'node:crypto';

/** A seeded pseudo-random source; every random draw in medtl goes through one so runs repeat. */
export class Rng {
  private readonly prng: seedrandom.PRNG;
  private spareNormal: number | null = null;

  /** Creates a generator from an integer or string seed. */
  constructor(seed: number | string) {
    this.prng = seedrandom.alea(String(seed));
  }

  /** Uniform draw in [0, 1). */
  uniform(): number {
    return this.prng();
  }

  /** Uniform draw in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Standard normal draw (Box-Muller, caching the second value). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.prng();
    const v = this.prng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Bernoulli draw with probability p of true. */
  bernoulli(p: number): boolean {
    return this.prng() < p;
  }

  /** Fisher-Yates shuffle of a copy of the array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** A new independent generator derived from this one and a label, so sub-steps don't share streams. */
  fork(label: string): Rng {
    return new Rng(`${Math.floor(this.prng() * 2 ** 32)}:${label}`);
  }

  /** A 31-bit integer seed, for libraries (TF.js initialisers) that take a numeric seed. */
  seedInt(): number {
    return Math.floor(this.prng() * 2 ** 31);
  }
}

/**
 * A 31-bit seed derived from a root seed and a path of labels (e.g. `deriveSeed(42, 'split', 'source')`).
 * Stateless, so a draw's seed depends only on its name, never on how many draws came before it, and two
 * labelled paths never share a stream the way `seed + 1`-style offsets of neighbouring roots do.
 */
export function deriveSeed(root: number | string, ...path: readonly string[]): number {
  if (path.length === 0) throw new Error('deriveSeed needs at least one label');
  const digest = createHash('sha256').update([String(root), ...path].join('\u0000')).digest();
  return digest.readUInt32BE(0) >>> 1;
}
