import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { getStrategy } from '../../src/transfer/registry.js';
import { toyContext, toyTransferData } from './context.js';
import { layerWeights, unchanged } from './regime-weights.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

test('linear_probe moves only the logit layer: every encoder and hidden weight is bit-identical to the source model', async () => {
  const ctx = toyContext(toyTransferData());
  const source = layerWeights((await ctx.pretrained()).model);
  const probed = await getStrategy('linear_probe').run(ctx);
  const after = layerWeights(probed.model);
  const layers = [...source.keys()];
  assert.ok(layers.includes('head_logit') && layers.length > 2, `layers ${layers.join(', ')}`);
  for (const layer of layers.filter((l) => l !== 'head_logit')) assert.ok(unchanged(source, after, layer), `${layer} changed`);
  assert.ok(!unchanged(source, after, 'head_logit'), 'the logit layer did not move');
});
