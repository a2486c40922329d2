import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { demoConfig, PEER_METHODS, peerExperimentYaml } from '../../bench/lib/demo-export.js';
import { loadExperimentFile, parseExperiment } from '../../src/config/experiment.js';

test('the end_to_end experiment file parses to the bundle config: what `medtl run` reads is what the PyTorch side gets', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-demo-export-'));
  const file = join(dir, 'experiment.yaml');
  await writeFile(file, peerExperimentYaml('/tmp/ws', 7));
  assert.deepEqual(await loadExperimentFile(file), demoConfig('/tmp/ws', 7));
});

test('the end_to_end config is the demo config with only the methods swapped for PEER_METHODS', () => {
  const demo = parseExperiment({ name: 'lung-demo', seed: 42, workspace: '/tmp/ws' }, '(demo)');
  const peer = demoConfig('/tmp/ws');
  assert.deepEqual({ ...peer, methods: demo.methods }, demo);
  assert.deepEqual(
    peer.methods.map((m) => [m.name, m.strategy, m.modalities]),
    PEER_METHODS.map((m) => [m.name, m.strategy, m.modalities]),
  );
});

test('PEER_METHODS uses only strategies bench/reference/demo_pipeline.py implements', () => {
  // Read from demo_pipeline.py's dispatch table, so a strategy it drops or a peer method it lacks fails here, not as a KeyError mid-benchmark.
  const py = readFileSync(fileURLToPath(new URL('../../bench/reference/demo_pipeline.py', import.meta.url)), 'utf8');
  const table = /strategies = \{([^}]*)\}/.exec(py)?.[1];
  assert.ok(table, 'demo_pipeline.py: no `strategies = {...}` table');
  const implemented = new Set([...table.matchAll(/"(\w+)":/g)].map((x) => x[1]));
  assert.ok(implemented.size >= 3, [...implemented].join(','));
  for (const m of PEER_METHODS) assert.ok(implemented.has(m.strategy), `${m.name}: ${m.strategy}`);
});
