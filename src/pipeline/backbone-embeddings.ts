import { resolve, join } from 'node:path';
import { extractFeatures, collectFeatures } from '../models/feature-stream.js';
import type { ExperimentConfig } from '../config/experiment.js';
import { subjectKey } from '../data/splits.js';
import type { Sample } from '../data/types.js';
import { EmbeddingCache, type CacheStats } from '../models/embedding-cache.js';
import type { OnnxBackbone } from '../models/onnx-backbone.js';
import type { ModelSpec } from '../models/spec.js';
import { windowAndResize } from '../preprocess/image.js';
import type { ImageEmbeddingLookup } from '../preprocess/preprocessor.js';
import type { ProgressReporter } from '../util/progress.js';

/** The configured architecture without the pipeline-only `backbone` key, as strategies build models from it. */
export function architectureOf(model: ExperimentConfig['model']): Omit<ModelSpec, 'modalities' | 'imageShape' | 'tabularDim'> {
  const { backbone: _backbone, ...architecture } = model;
  return architecture;
}

/**
 * Runs every subject's image (windowed, resized to the backbone's input) through the frozen ONNX backbone
 * of `model.backbone`, reading and writing the embedding cache at `<workspace>/embeddings` (keyed by the
 * model file's sha256 and the backbone input's bytes), and returns the embeddings by `site/subject` key.
 */
export async function embedCohortImages(
  cfg: ExperimentConfig,
  samples: readonly Sample[],
  progress: ProgressReporter,
): Promise<{ embeddings: ImageEmbeddingLookup; cache: CacheStats } | undefined> {
  const spec = cfg.model.backbone;
  if (!spec) return undefined;
  const path = resolve(spec.onnx);
  let bb: OnnxBackbone;
  try {
    // onnxruntime-node is loaded only by runs that use a backbone.
    const { OnnxBackbone: Backbone } = await import('../models/onnx-backbone.js');
    bb = await Backbone.load(path, { inputShape: spec.inputShape, layout: spec.layout });
  } catch (e) {
    throw new Error(`model.backbone.onnx: cannot open ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const withImage = samples.filter((s) => s.image !== undefined);
    const [size] = spec.inputShape;
    const fillImage = bb.fillImage();
    const cache = new EmbeddingCache(join(cfg.workspace, 'embeddings'));
    progress.start('backbone embeddings', withImage.length);
    const { ids, block } = await collectFeatures(
      extractFeatures(withImage, (s, out, offset) => fillImage({ id: subjectKey(s), pixels: windowAndResize(s.image!, cfg.preprocess.window, size) }, out, offset), bb.extractor(), {
        cache,
        batchSize: spec.batchSize,
        onBatch: (done) => progress.update(done),
      }),
      subjectKey,
    );
    progress.stop();
    const byKey = new Map(ids.map((id, i) => [id, block.data.subarray(i * bb.dim, (i + 1) * bb.dim)]));
    progress.log(`backbone ${path}: ${ids.length} image embeddings of ${bb.dim} floats (cache: ${cache.stats.hits} hits, ${cache.stats.writes} written)`);
    return {
      embeddings: { dim: bb.dim, byKey, backbone: { path, sha256: bb.modelHash, inputShape: spec.inputShape, layout: spec.layout, dim: bb.dim } },
      cache: { ...cache.stats },
    };
  } finally {
    await bb.dispose();
  }
}
