import type { Sample } from '../../src/data/types.js';
import { DEFAULT_MODEL_SPEC } from '../../src/models/spec.js';
import type { TrainPhase } from '../../src/train/loop.js';
import { pretrainOnSources } from '../../src/transfer/pretrain.js';
import { silentProgress } from '../../src/util/progress.js';
import type { TrainedModel, TransferContext, TransferData } from '../../src/transfer/types.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';

type Plan = Omit<TrainPhase, 'name' | 'trainable'>;

/** A short plan so every strategy runs in well under a second on tabular toy data. */
const PLAN: Plan = { epochs: 8, batchSize: 16, learningRate: 5e-3, patience: 8, weightDecay: 0, augment: false };

/**
 * Tabular transfer data: sources 'a' and 'b' from the shared label rule; target 'c' whose label is the
 * smoker flag alone (a different concept, so fine-tuning has to move the weights).
 */
export function toyTransferData(seed = 3, targetLabelled = 24): TransferData {
  const samples = makeSamples({ sites: ['a', 'b', 'c'], perSite: 80, seed });
  const src = samples.filter((s) => s.siteId !== 'c');
  const tgt: Sample[] = samples.filter((s) => s.siteId === 'c').map((s) => ({ ...s, label: s.tabular!.smoker === 1 ? 1 : 0 }));
  const val = Math.floor(targetLabelled * 0.3);
  return {
    sourceTrain: src.filter((_, i) => i % 5 !== 0),
    sourceVal: src.filter((_, i) => i % 5 === 0),
    targetTrain: tgt.slice(0, targetLabelled - val),
    targetVal: tgt.slice(targetLabelled - val, targetLabelled),
    targetUnlabelled: tgt.slice(targetLabelled, 60),
  };
}

/** Target rows never given to a strategy, for scoring it. */
export function toyTargetTest(seed = 3): Sample[] {
  return makeSamples({ sites: ['a', 'b', 'c'], perSite: 80, seed })
    .filter((s) => s.siteId === 'c')
    .slice(60)
    .map((s) => ({ ...s, label: s.tabular!.smoker === 1 ? 1 : 0 }));
}

/** A tabular-only transfer context with a cached pretrained model, as runExperiment builds one. */
export function toyContext(data: TransferData, options?: unknown, seed = 1): TransferContext {
  let pretrained: Promise<TrainedModel> | undefined;
  const ctx: TransferContext = {
    data,
    modalities: ['tabular'],
    schema: TEST_SCHEMA,
    image: { window: [-1000, 400], size: 8 },
    architecture: DEFAULT_MODEL_SPEC,
    plan: { pretrain: PLAN, head: PLAN, finetune: { ...PLAN, learningRate: 2e-3 }, scratch: PLAN },
    seed,
    progress: silentProgress,
    label: 'test',
    options,
    pretrained: () => (pretrained ??= Promise.resolve().then(() => pretrainOnSources(ctx))),
  };
  return ctx;
}
