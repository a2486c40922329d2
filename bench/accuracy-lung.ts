// The synthetic-lung part of `npm run bench:accuracy`: each fusion type crossed with the key transfer
// strategies on the demo's hosp_d target and 60-label budget, beside unimodal baselines.
import { appendFile } from 'node:fs/promises';
import { parseExperiment } from '../src/config/experiment.js';
import type { Modality } from '../src/data/types.js';
import { predictProba } from '../src/models/fusion.js';
import type { FusionType } from '../src/models/spec.js';
import { loadExperimentCohort } from '../src/pipeline/cohort-source.js';
import { planFolds } from '../src/pipeline/folds.js';
import { releasePerSourceModels } from '../src/transfer/multi-source/per-source.js';
import { pretrainOnSources } from '../src/transfer/pretrain.js';
import { releaseLabelBlindStages } from '../src/transfer/stage-cache.js';
import { getStrategy } from '../src/transfer/registry.js';
import type { TrainedModel, TransferContext } from '../src/transfer/types.js';
import { silentProgress } from '../src/util/progress.js';
import { rowKey, score, type GridRow } from './accuracy-grid.js';

/** Fusion types crossed with strategies; unimodal runs have no fusion. */
export const LUNG_FUSIONS: readonly FusionType[] = ['early', 'intermediate', 'late'];
/** The key strategies run for every fusion type. */
export const LUNG_STRATEGIES: readonly string[] = ['target_only', 'source_only', 'full_finetune', 'coral', 'dann'];
/** Unimodal baselines: these strategies with one modality. */
export const LUNG_UNIMODAL: readonly string[] = ['target_only', 'full_finetune'];

/** Runs the lung grid for each seed, appending rows; cells already in `done` are skipped. */
export async function runLungGrid(opts: {
  rowsFile: string;
  done: ReadonlySet<string>;
  log: (l: string) => void;
  seeds: readonly number[];
  strategies?: readonly string[];
  options?: Readonly<Record<string, unknown>>;
}): Promise<void> {
  for (const seed of opts.seeds) {
    const cfg = parseExperiment({ name: 'lung-bench', seed, workspace: './medtl-workspace' });
    const { cohort } = await loadExperimentCohort(cfg, silentProgress);
    const parts = planFolds(cohort, cfg)[0].parts;
    const cells: { fusion?: FusionType; modalities: Modality[]; strategy: string }[] = [
      ...LUNG_FUSIONS.flatMap((fusion) => (opts.strategies ?? LUNG_STRATEGIES).map((strategy) => ({ fusion, modalities: ['image', 'tabular'] as Modality[], strategy }))),
      ...(['image', 'tabular'] as Modality[]).flatMap((m) => LUNG_UNIMODAL.map((strategy) => ({ modalities: [m], strategy }))),
    ];
    const pretrainCache = new Map<string, Promise<TrainedModel>>();
    for (const c of cells) {
      const fusionLabel = c.fusion ?? `unimodal_${c.modalities[0]}`;
      const key = rowKey({ part: 'lung', target_site: parts.target, strategy: c.strategy, budget: cfg.split.targetBudget, seed, fusion: fusionLabel });
      if (opts.done.has(key)) continue;
      const pk = `${fusionLabel}`;
      const ctx: TransferContext = {
        data: parts.transfer,
        modalities: c.modalities,
        schema: cohort.tabularSchema,
        image: { window: cfg.preprocess.window, size: cfg.preprocess.imageSize },
        architecture: { ...cfg.model, ...(c.fusion ? { fusion: c.fusion } : {}) },
        plan: cfg.training,
        seed,
        progress: silentProgress,
        label: `${fusionLabel} ${c.strategy}`,
        options: opts.options?.[c.strategy],
        pretrained() {
          let p = pretrainCache.get(pk);
          if (!p) pretrainCache.set(pk, (p = Promise.resolve().then(() => pretrainOnSources(ctx))));
          return p;
        },
      };
      const t0 = performance.now();
      const trained = await getStrategy(c.strategy).run(ctx);
      const fs = trained.preprocessor.transform(parts.targetTest);
      const m = score(fs.labels, predictProba(trained.model, fs));
      const row: GridRow = {
        part: 'lung',
        target_site: parts.target,
        strategy: c.strategy,
        budget: cfg.split.targetBudget,
        seed,
        fusion: fusionLabel,
        modalities: c.modalities,
        ...m,
        n_test: parts.targetTest.length,
        n_labelled: parts.transfer.targetTrain.length + parts.transfer.targetVal.length,
        seconds: (performance.now() - t0) / 1000,
      };
      await appendFile(opts.rowsFile, JSON.stringify(row) + '\n');
      opts.log(`lung s${seed} ${fusionLabel.padEnd(18)} ${c.strategy.padEnd(14)} auroc ${m.auroc?.toFixed(3) ?? 'n/a'} acc ${m.accuracy.toFixed(3)} (${row.seconds.toFixed(1)} s)`);
      if (c.strategy !== 'source_only') trained.model.net.dispose();
    }
    for (const p of pretrainCache.values()) (await p).model.net.dispose();
    await releasePerSourceModels(parts.transfer);
    await releaseLabelBlindStages(parts.transfer);
  }
}
