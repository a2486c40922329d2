import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { getStrategy } from '../../src/transfer/registry.js';
import type { FusionModel } from '../../src/models/fusion.js';
import { toyContext, toyTransferData } from './context.js';
import { layerWeights, rmsChange } from './regime-weights.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

/** RMS per-parameter change of the head group and of the tabular group, from the source model to the tuned one. */
async function groupUpdates(multipliers: { head: number; tabular: number }): Promise<{ head: number; tabular: number }> {
  const ctx = toyContext(toyTransferData(), { multipliers });
  const source = (await ctx.pretrained()).model;
  const tuned = (await getStrategy('discriminative_lr').run(ctx)).model;
  const before = layerWeights(source);
  const after = layerWeights(tuned);
  const group = (fm: FusionModel, prefix: string) => fm.net.layers.filter((l) => l.trainableWeights.length > 0 && l.name.startsWith(prefix)).map((l) => l.name);
  const rms = (prefix: string) => {
    const ls = group(tuned, prefix);
    return Math.sqrt(ls.reduce((s, l) => s + rmsChange(before, after, l) ** 2, 0) / ls.length);
  };
  return { head: rms('head_'), tabular: rms('tab_') };
}

test('discriminative_lr: the group with the larger rate moves more, and swapping the rates swaps the order', async (t) => {
  const headFast = await groupUpdates({ head: 1, tabular: 0.1 });
  const tabFast = await groupUpdates({ head: 0.1, tabular: 1 });
  const ratio = (u: { head: number; tabular: number }) => u.head / u.tabular;
  t.diagnostic(`head/tabular RMS update ratio: rates 1/0.1 → ${ratio(headFast).toFixed(2)}, rates 0.1/1 → ${ratio(tabFast).toFixed(2)}`);
  // Adam steps are about the learning rate per parameter, so a 10× rate gives several times the update;
  // a factor of 2 each way leaves room for gradients that differ between the groups.
  assert.ok(ratio(headFast) > 2, `head-fast ratio ${ratio(headFast)}`);
  assert.ok(ratio(tabFast) < 0.5, `tabular-fast ratio ${ratio(tabFast)}`);
});
