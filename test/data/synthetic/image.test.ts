import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussianBlur, gaussianKernel1d } from '../../../src/data/synthetic/filters.js';
import { pixelSpacingMm, renderPatch } from '../../../src/data/synthetic/image.js';
import type { SubjectLatents } from '../../../src/data/synthetic/latent.js';
import { Rng } from '../../../src/util/random.js';

const base: SubjectLatents = {
  age: 65,
  female: false,
  smoker: true,
  packYears: 30,
  familyHistory: false,
  ceaNgMl: 2.5,
  emphysema: false,
  bmi: 26,
  diameterMm: 10,
  margin: 0,
  texture: 0,
};

/** Renders a latent variant with every nuisance draw (position, vessels, texture) shared, averaged over seeds. */
function statOver(l: Partial<SubjectLatents>, stat: (img: Float32Array) => number, seeds = 40): number {
  let sum = 0;
  for (let s = 0; s < seeds; s++) sum += stat(renderPatch({ ...base, ...l }, 64, new Rng(`nuisance-${s}`)));
  return sum / seeds;
}

const aboveHu = (t: number) => (img: Float32Array) => img.filter((v) => v > t).length;

test('size shows as the area of dense tissue, at 1 mm per pixel at 64 px', () => {
  assert.equal(pixelSpacingMm(64), 1);
  const small = statOver({ diameterMm: 5, margin: -2, texture: -2 }, aboveHu(-400));
  const large = statOver({ diameterMm: 18, margin: -2, texture: -2 }, aboveHu(-400));
  // A 5 mm disc covers about 20 px and an 18 mm disc about 250 px; vessels add a shared amount.
  assert.ok(large - small > 150, `dense pixels: ${small.toFixed(0)} at 5 mm, ${large.toFixed(0)} at 18 mm`);
});

test('an irregular margin (spicules) spreads soft-tissue density beyond the body', () => {
  const smooth = statOver({ margin: -2 }, aboveHu(-700));
  const spiculated = statOver({ margin: 2 }, aboveHu(-700));
  assert.ok(spiculated > smooth * 1.3, `pixels above -700 HU: smooth ${smooth.toFixed(0)}, spiculated ${spiculated.toFixed(0)}`);
});

test('a high texture latent gives a fainter, more heterogeneous (part-solid) nodule', () => {
  // Sample a disc of radius 3 px inside a 14 mm nodule (radius 7 px, at least 5.6 px across its minor
  // axis): all solid tissue for a solid nodule, core plus ground-glass rim for a part-solid one.
  const core = (f: (v: number[]) => number) => (img: Float32Array) => {
    const v: number[] = [];
    let best = -Infinity;
    let cx = 32;
    let cy = 32;
    // Find the nodule as the densest 5x5 block near the centre (position is jittered by up to 8 px);
    // a block that wide cannot fit inside a thin vessel.
    for (let y = 22; y < 42; y++) for (let x = 22; x < 42; x++) {
      let s = 0;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) s += img[(y + dy) * 64 + x + dx];
      if (s > best) [best, cx, cy] = [s, x, y];
    }
    for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) if (dx * dx + dy * dy <= 9) v.push(img[(cy + dy) * 64 + cx + dx]);
    return f(v);
  };
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const sd = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
  const solidMean = statOver({ diameterMm: 14, margin: -2, texture: -2 }, core(mean));
  const partMean = statOver({ diameterMm: 14, margin: -2, texture: 2 }, core(mean));
  const solidSd = statOver({ diameterMm: 14, margin: -2, texture: -2 }, core(sd));
  const partSd = statOver({ diameterMm: 14, margin: -2, texture: 2 }, core(sd));
  assert.ok(partMean < solidMean - 100, `core mean HU: solid ${solidMean.toFixed(0)}, part-solid ${partMean.toFixed(0)}`);
  assert.ok(partSd > solidSd + 50, `core sd HU: solid ${solidSd.toFixed(0)}, part-solid ${partSd.toFixed(0)}`);
});

test('the separable blur keeps constants, conserves mass, and equals the direct 2-D convolution', () => {
  const k = gaussianKernel1d(1.3);
  assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.deepEqual(Array.from(gaussianKernel1d(0)), [1]);
  const flat = new Float32Array(20 * 30).fill(-850);
  assert.ok(gaussianBlur(flat, 20, 30, 2).every((v) => Math.abs(v + 850) < 1e-3), 'no dark or bright frame at the borders');
  const rng = new Rng(1);
  const img = Float32Array.from({ length: 20 * 30 }, () => rng.normal());
  const out = gaussianBlur(img, 20, 30, 1.3);
  const r = (k.length - 1) / 2;
  const clampI = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  for (const [y, x] of [[0, 0], [10, 15], [19, 29], [3, 27]]) {
    let direct = 0;
    for (let i = -r; i <= r; i++) for (let j = -r; j <= r; j++) direct += k[i + r] * k[j + r] * img[clampI(y + i, 20) * 30 + clampI(x + j, 30)];
    assert.ok(Math.abs(direct - out[y * 30 + x]) < 1e-4, `(${y}, ${x})`);
  }
});
