// Child process for the reload test: loads a saved model bundle and prints its predictions as JSON.
import { readFileSync } from 'node:fs';
import type { Sample } from '../../src/data/types.js';
import { loadModelBundle } from '../../src/models/artifact.js';
import { predictProba } from '../../src/models/fusion.js';
import { useCpuBackend } from './cpu-backend.js';

await useCpuBackend();
const raw = JSON.parse(readFileSync(process.argv[2], 'utf8')) as (Sample & { image: { data: number[] } })[];
const samples: Sample[] = raw.map((s) => ({ ...s, image: { ...s.image, data: new Float32Array(s.image.data) } }));
const bundle = await loadModelBundle(process.argv[3]);
process.stdout.write(JSON.stringify([...predictProba(bundle.model, bundle.preprocessor.transform(samples))]));
