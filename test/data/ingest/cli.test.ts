import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname;

function medtl(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('medtl ingest --report prints per-site counts and the report, writes the JSON; --json and a re-run', async () => {
  const ws = await mkdtemp(join(tmpdir(), 'medtl-cli-ingest-'));
  const r = medtl(['ingest', 'examples/heart-disease/manifest.yaml', '-w', ws, '--data-root', 'test/fixtures/heart-disease', '--report', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cleveland\s+ingested\s+10 subjects\s+0 quarantined/);
  assert.match(r.stdout, /switzerland\s+ingested\s+10 subjects/);
  assert.match(r.stdout, /label rate\s+50\.0%\s+0\.0%\s+90\.0%\s+60\.0%/);
  assert.match(r.stdout, /chol\s+numeric\s+mg\/dL\s+.*absent/);
  const report = JSON.parse(await readFile(join(ws, 'ingest-report.json'), 'utf8'));
  assert.deepEqual(report.sites.map((s: { id: string; subjects: number }) => [s.id, s.subjects]), [
    ['cleveland', 10],
    ['hungarian', 10],
    ['switzerland', 10],
    ['va', 10],
  ]);
  assert.ok(existsSync(join(ws, 'catalog.duckdb')));
  const again = medtl(['ingest', 'examples/heart-disease/manifest.yaml', '-w', ws, '--data-root', 'test/fixtures/heart-disease', '--json']);
  assert.equal(again.code, 0, again.stderr);
  const out = JSON.parse(again.stdout);
  assert.deepEqual(out.sites.map((s: { status: string }) => s.status), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  assert.equal(out.report.columns.length, 13);
});

test('medtl ingest: a bad manifest exits 2 naming the file and key; a wrong data root exits 2 naming the files; a missing key is refused', async () => {
  const ws = await mkdtemp(join(tmpdir(), 'medtl-cli-ingest-'));
  const bad = medtl(['ingest', 'test/fixtures/heart-disease/SOURCE.md', '-w', ws]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^medtl: invalid site manifest .*SOURCE\.md:/);
  const root = medtl(['ingest', 'examples/heart-disease/manifest.yaml', '-w', ws, '--data-root', 'test/fixtures/no-such-folder', '-q']);
  assert.equal(root.code, 2, root.stderr);
  assert.match(root.stderr, /site 'va' .*no-such-folder\/processed\.va\.data: cannot read the table \(ENOENT\)/);
  assert.ok(!existsSync(join(ws, 'catalog.duckdb')), 'a refused manifest writes nothing');
  const nokey = medtl(['ingest', 'test/fixtures/ingest/phi/manifest.yaml', '-w', ws], { MEDTL_DEID_KEY: '', MEDTL_DEID_KEY_FILE: '' });
  assert.equal(nokey.code, 1);
  assert.match(nokey.stderr, /asks to pseudonymise PHI columns, but no de-identification key is set/);
});
