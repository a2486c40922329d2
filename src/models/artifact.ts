import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FittedPreprocessor, type PreprocessorState } from '../preprocess/preprocessor.js';
import { readJson, sha256, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import type { FusionModel } from './fusion.js';
// Registers the custom fusion layers so saved models that use them can be loaded.
import './fusion-layers.js';
import type { ModelSpec } from './spec.js';

/** A trained model with the preprocessing it expects. */
export interface ModelBundle {
  readonly model: FusionModel;
  readonly preprocessor: FittedPreprocessor;
}

/** The integrity manifest written beside a saved model: every file with its sha256. */
export interface ArtifactManifest {
  readonly format: 'medtl-model';
  readonly version: 1;
  readonly createdAt: string;
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly bytes: number }>>;
}

const FILES = { topology: 'model.json', weights: 'weights.bin', spec: 'spec.json', preprocessor: 'preprocessor.json', manifest: 'manifest.json' } as const;

/** Saves model topology, weights, spec and fitted preprocessing to `dir`, with a sha256 manifest. */
export async function saveModelBundle(dir: string, bundle: ModelBundle): Promise<ArtifactManifest> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await bundle.model.net.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('TF.js returned no weights when saving the model');
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const contents: Record<string, string | Uint8Array> = {
    [FILES.topology]: JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs }),
    [FILES.weights]: weights,
    [FILES.spec]: JSON.stringify(bundle.model.spec, null, 2),
    [FILES.preprocessor]: JSON.stringify(bundle.preprocessor.toJSON()),
  };
  const files: Record<string, { sha256: string; bytes: number }> = {};
  for (const [name, data] of Object.entries(contents)) {
    await writeFileAtomic(join(dir, name), data);
    files[name] = { sha256: sha256(data), bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
  }
  const manifest: ArtifactManifest = { format: 'medtl-model', version: 1, createdAt: new Date().toISOString(), files };
  // The manifest goes last: its presence means every file it lists was fully written.
  await writeJsonAtomic(join(dir, FILES.manifest), manifest);
  return manifest;
}

/** Loads a saved model bundle, refusing any file whose sha256 differs from the manifest. */
export async function loadModelBundle(dir: string): Promise<ModelBundle> {
  const manifest = await readJson<ArtifactManifest>(join(dir, FILES.manifest));
  if (manifest.format !== 'medtl-model' || manifest.version !== 1) throw new Error(`${join(dir, FILES.manifest)}: not a medtl model manifest`);
  const read = async (name: string): Promise<Buffer> => {
    const entry = manifest.files[name];
    if (!entry) throw new Error(`${join(dir, FILES.manifest)} does not list ${name}`);
    const data = await readFile(join(dir, name));
    const actual = sha256(data);
    if (actual !== entry.sha256) throw new Error(`${join(dir, name)}: sha256 ${actual} does not match the manifest (${entry.sha256}); the artefact was modified or corrupted`);
    return data;
  };
  const topology = JSON.parse((await read(FILES.topology)).toString('utf8')) as { modelTopology: object; weightSpecs: tf.io.WeightsManifestEntry[] };
  const weights = await read(FILES.weights);
  const spec = JSON.parse((await read(FILES.spec)).toString('utf8')) as ModelSpec;
  const pre = JSON.parse((await read(FILES.preprocessor)).toString('utf8')) as PreprocessorState;
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const net = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: topology.modelTopology, weightSpecs: topology.weightSpecs, weightData }));
  return { model: { spec, net }, preprocessor: FittedPreprocessor.fromJSON(pre) };
}
