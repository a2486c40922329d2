import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFixtureRun } from '../report/fixture-run.js';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function medtl(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('medtl report regenerates report.html and the model card from the run folder files alone', async () => {
  const dir = await writeFixtureRun();
  const r = medtl(['report', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Report: ${join(dir, 'report.html')}\nModel card: ${join(dir, 'model-card.md')}, ${join(dir, 'model-card.json')}\n`);
  const first = await readFile(join(dir, 'report.html'), 'utf8');
  assert.match(first, /<figure data-chart="roc"><svg/);
  // Deleting the outputs and regenerating gives the same bytes: the report depends on the files only.
  await rm(join(dir, 'report.html'));
  await rm(join(dir, 'model-card.json'));
  assert.equal(medtl(['report', dir]).code, 0);
  assert.equal(await readFile(join(dir, 'report.html'), 'utf8'), first);
  assert.ok(existsSync(join(dir, 'model-card.json')));
});

test('medtl report --out writes elsewhere, with the model card next to it', async () => {
  const dir = await writeFixtureRun();
  const out = join(dir, '..', 'elsewhere', 'r.html');
  const r = medtl(['report', dir, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['r.html', 'model-card.md', 'model-card.json']) assert.ok(existsSync(join(dir, '..', 'elsewhere', f)), f);
  assert.ok(!existsSync(join(dir, 'report.html')));
});

test('medtl report on a folder that is not a finished run exits 1 and names the missing file', async () => {
  const dir = await writeFixtureRun();
  await rm(join(dir, 'metrics.json'));
  const r = medtl(['report', dir]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `medtl: ${join(dir, 'metrics.json')}: cannot read (ENOENT); is ${dir} a finished medtl run folder?\n`);
});
