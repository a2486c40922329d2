// Scale benchmark: peak RSS while streaming N synthetic 64x64 CT patches through medtl's image
// preprocessing (window, 2x2 area downsampling to 32x32, standardisation) and feature extraction
// (the demo's CNN image encoder, up to its 32-d embedding), for N = 5k, 10k, 20k, each in a fresh
// child process. Images are generated, preprocessed and embedded 256 at a time by
// src/compute/feature-stream.ts; only the [N, 32] embeddings are kept.
//
//   npx tsx bench/scale.ts [--counts 5000,10000,20000] [--json]
import * as tfl from '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as os from 'node:os';
import { initCompute } from '../src/compute/index.js';
import { layersExtractor, streamFeatures } from '../src/models/feature-stream.js';
import type { Sample } from '../src/data/types.js';
import { DEFAULT_SYNTHETIC_SITES } from '../src/data/synthetic/index.js';
import { drawLatents } from '../src/data/synthetic/latent.js';
import { renderPatch } from '../src/data/synthetic/image.js';
import { buildFusionModel } from '../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../src/models/spec.js';
import { fitImage } from '../src/preprocess/image.js';
import { Rng } from '../src/util/random.js';
import { lastJsonLine, runChild, stderrTail } from './lib/child.js';
import { peakRssMb } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    counts: { type: 'string', default: '5000,10000,20000' },
    child: { type: 'string' },
    json: { type: 'boolean', default: false },
    batch: { type: 'string', default: '256' },
  },
});
const SOURCE = 64;
const SIZE = 32;

/** N synthetic 64x64 CT patches (HU), generated one at a time. */
function* syntheticImages(n: number, seed: string): Generator<Sample> {
  const rng = new Rng(seed);
  const site = DEFAULT_SYNTHETIC_SITES[0];
  for (let i = 0; i < n; i++) {
    const lat = drawLatents(site, rng);
    yield { subjectId: String(i), siteId: site.id, label: 0, image: { height: SOURCE, width: SOURCE, channels: 1, data: renderPatch(lat, SOURCE, rng) } };
  }
}

/** One count, in this process: returns what the parent prints. */
async function child(n: number): Promise<object> {
  await initCompute({ log: () => undefined });
  const t0 = performance.now();
  // Preprocessing statistics are fitted on a small training sample, as fitPreprocessor would on a train split.
  const pre = fitImage([...syntheticImages(512, 'scale:fit')], { window: [-1000, 400], size: SIZE });
  const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, modalities: ['image'], imageShape: [SIZE, SIZE, 1] }, 1);
  const encoder = tfl.model({ inputs: fm.net.inputs, outputs: fm.net.getLayer('img_embed').output as tfl.SymbolicTensor });
  const features = await streamFeatures(syntheticImages(n, 'scale:stream'), n, (s, out, off) => pre.applyInto(s.image, out, off), layersExtractor(encoder, [SIZE, SIZE, 1]), {
    batchSize: Number(args.batch),
  });
  let checksum = 0;
  for (let i = 0; i < features.length; i++) checksum += features[i];
  return { n, seconds: (performance.now() - t0) / 1000, peak_rss_mb: peakRssMb(), embedding_dim: features.length / n, checksum };
}

async function main(): Promise<void> {
  if (args.child) {
    console.log(JSON.stringify(await child(Number(args.child))));
    return;
  }
  const self = resolve(dirname(fileURLToPath(import.meta.url)), 'scale.ts');
  const rows: { n: number; seconds: number; peak_rss_mb: number; embedding_dim: number }[] = [];
  for (const n of args.counts.split(',').map(Number)) {
    process.stderr.write(`bench:scale: ${n} images\n`);
    const run = await runChild(process.execPath, ['--import', 'tsx', self, '--child', String(n), '--batch', args.batch]);
    const out = lastJsonLine<(typeof rows)[number]>(run.stdout);
    if (run.code !== 0 || !out) throw new Error(`bench/scale.ts --child ${n} exited with ${run.code}: ${stderrTail(run.stderr)}`);
    rows.push(out);
  }
  const machine = { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, load_avg_at_end: os.loadavg().map((x) => Number(x.toFixed(2))) };
  if (args.json) {
    console.log(JSON.stringify({ rows, machine }, null, 2));
    return;
  }
  const base = rows[0];
  for (const r of rows) {
    const growth = base && r !== base ? ` (x${(r.peak_rss_mb / base.peak_rss_mb).toFixed(2)} RSS for x${(r.n / base.n).toFixed(1)} images)` : '';
    console.log(`${String(r.n).padStart(6)} images  ${r.seconds.toFixed(1).padStart(6)} s  ${(r.n / r.seconds).toFixed(0).padStart(5)} img/s  peak RSS ${r.peak_rss_mb.toFixed(0)} MB${growth}`);
  }
  console.log(`${machine.nproc} cores (${machine.cpu}), node ${machine.node}, load average at end ${machine.load_avg_at_end.join(' ')}; ${join('bench', 'scale.ts')}`);
}

await main();
