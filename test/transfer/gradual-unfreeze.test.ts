import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { getStrategy } from '../../src/transfer/registry.js';
import { weightedLayersTopDown } from '../../src/transfer/target-data.js';
import { silentProgress } from '../../src/util/progress.js';
import { toyContext, toyTransferData } from './context.js';
import { variableSnapshot } from './regime-weights.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

test('gradual_unfreeze unfreezes layers top-down: stage k changes exactly the top k weighted layers', async () => {
  const base = toyContext(toyTransferData(), { epochsPerStage: 3 });
  await base.pretrained();
  // Each stage's phase starts with a progress task, so a snapshot there holds the weights every earlier stage left.
  const snapshots: Map<string, Float32Array>[] = [];
  const progress = { ...silentProgress, start: () => void snapshots.push(variableSnapshot()) };
  const result = await getStrategy('gradual_unfreeze').run({ ...base, progress });
  snapshots.push(variableSnapshot());
  const layers = weightedLayersTopDown(result.model);
  assert.equal(snapshots.length, layers.length + 1, 'one phase per weighted layer');
  // The snapshots cover every live variable; a layer's are found by the core variables the result model holds.
  const names = (layer: string) => result.model.net.getLayer(layer).trainableWeights.map((w) => (w as unknown as { val: { name: string } }).val.name);
  const changed = (stage: number, layer: string) => names(layer).some((n) => !snapshots[stage].get(n)!.every((v, j) => Object.is(v, snapshots[stage + 1].get(n)![j])));
  layers.forEach((_, k) => {
    const moved = layers.filter((l) => changed(k, l));
    // Early stopping may keep a stage's starting weights, so a stage may move nothing, but never a layer below its cut.
    assert.ok(moved.every((l) => layers.indexOf(l) <= k), `stage ${k + 1} moved ${moved.join(', ')}; allowed ${layers.slice(0, k + 1).join(', ')}`);
  });
  // Every layer moves at some stage (else the order check above would be vacuous for the lower layers).
  for (const [i, l] of layers.entries()) assert.ok(layers.some((_, k) => k >= i && changed(k, l)), `${l} never moved`);
});
