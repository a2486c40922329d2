// The dependency-cruiser rules of `npm run lint:deps` (.dependency-cruiser.mjs), run on a fixture
// tree: each forbidden import fails, naming its rule; the allowed ones pass.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';

const REPO = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(REPO, 'node_modules', '.bin', 'depcruise');

let dir: string | undefined;
after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Writes each file as a module that imports the given relative specifiers. */
async function tree(files: Readonly<Record<string, readonly string[]>>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'medtl-layers-'));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  for (const [file, imports] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), `${imports.map((s, i) => `import * as m${i} from '${s}';\nvoid m${i};`).join('\n')}\nexport const x = 1;\n`);
  }
  return dir;
}

test('a new upward import, a same-layer import, a cycle, a reach into compute/kernels and a folder outside the layers each fail lint:deps', async () => {
  const cwd = await tree({
    'src/util/a.ts': ['./b.js'],
    'src/util/b.ts': ['./a.js'],
    'src/data/reader.ts': ['../evaluate/metric.js', '../util/a.js'],
    'src/evaluate/metric.ts': ['../data/reader.js', '../preprocess/scale.js'],
    'src/preprocess/scale.ts': [],
    'src/compute/backend.ts': ['./kernels/conv.js', '../preprocess/scale.js'],
    'src/compute/kernels/conv.ts': [],
    'src/models/net.ts': ['../compute/kernels/conv.js', '../compute/backend.js'],
    'src/report/page.ts': ['../pipeline/run.js'],
    'src/pipeline/run.ts': ['../models/net.js'],
    'src/cli/main.ts': ['../pipeline/run.js', '../report/page.js'],
    'src/index.ts': ['./cli/main.js', './data/reader.js'],
    'src/plugins/extra.ts': ['../util/a.js'],
  });
  const config = ['src', '--config', join(REPO, '.dependency-cruiser.mjs')];
  // The output type of `npm run lint:deps`, whose exit status is what fails `npm test`.
  const err = spawnSync(DEPCRUISE, [...config, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  // depcruise exits with the number of violations; each cycle counts once.
  assert.equal(err.status, 7, `${err.stdout}${err.stderr}`);
  assert.match(err.stdout, /error layer-data: src\/data\/reader\.ts → src\/evaluate\/metric\.ts/);
  const r = spawnSync(DEPCRUISE, [...config, '--output-type', 'json'], { cwd, encoding: 'utf8' });
  const result = JSON.parse(r.stdout) as { summary: { violations: { from: string; to: string; rule: { name: string } }[] } };
  const found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  assert.deepEqual(found, [
    'compute-kernels-private: src/models/net.ts -> src/compute/kernels/conv.ts',
    'layer-data: src/data/reader.ts -> src/evaluate/metric.ts',
    'layer-evaluate: src/evaluate/metric.ts -> src/preprocess/scale.ts',
    'layer-report: src/report/page.ts -> src/pipeline/run.ts',
    'layer-unlisted: src/plugins/extra.ts -> src/util/a.ts',
    'no-circular: src/data/reader.ts -> src/evaluate/metric.ts',
    'no-circular: src/util/a.ts -> src/util/b.ts',
  ]);
});
