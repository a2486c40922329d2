import type { Sample } from '../../../src/data/types.js';
import { pretrainOnSources } from '../../../src/transfer/pretrain.js';
import type { TrainedModel, TransferContext, TransferData } from '../../../src/transfer/types.js';
import { toyContext } from '../context.js';
import { Rng } from '../../../src/util/random.js';
import { makeSamples } from '../../helpers/samples.js';

/**
 * Tabular transfer data whose target 'c' follows the sources' label rule (test/helpers/samples.ts)
 * with its intercept moved by `shift` on the latent scale: 0 is no shift at all, anything else an
 * intercept-only shift that recalibration in the large fits exactly.
 */
export function interceptShiftData(shift: number, labelled = 40, seed = 5, noise = 0.5): { data: TransferData; test: Sample[] } {
  const rng = new Rng(`${seed}:relabel`);
  // Every site relabelled by one rule with latent noise `noise` (the helper's own is 0.5), the target's intercept moved.
  const samples = makeSamples({ sites: ['a', 'b', 'c'], perSite: 160, seed }).map((s) => {
    const age = s.tabular!.age;
    const z = ((typeof age === 'number' ? age : 60) - 60) / 10 + 1.5 * (s.tabular!.smoker as number) - 0.6 + (s.siteId === 'c' ? shift : 0) + rng.normal(0, noise);
    return { ...s, label: z > 0 ? (1 as const) : (0 as const) };
  });
  const src = samples.filter((s) => s.siteId !== 'c');
  const tgt = samples.filter((s) => s.siteId === 'c');
  const val = Math.floor(labelled * 0.3);
  return {
    data: {
      sourceTrain: src.filter((_, i) => i % 5 !== 0),
      sourceVal: src.filter((_, i) => i % 5 === 0),
      targetTrain: tgt.slice(0, labelled - val),
      targetVal: tgt.slice(labelled - val, labelled),
      targetUnlabelled: tgt.slice(labelled, 60),
    },
    test: tgt.slice(60),
  };
}

/** toyContext with a longer source pretraining, so the source model has learnt the shared rule well. */
export function wellTrainedContext(data: TransferData, options?: unknown, seed = 1): TransferContext {
  const base = toyContext(data, options, seed);
  let pretrained: Promise<TrainedModel> | undefined;
  const ctx: TransferContext = {
    ...base,
    plan: { ...base.plan, pretrain: { ...base.plan.pretrain, epochs: 40, patience: 10 } },
    pretrained: () => (pretrained ??= Promise.resolve().then(() => pretrainOnSources(ctx))),
  };
  return ctx;
}
