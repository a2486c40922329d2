import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'medtl-evaluate-report-'));

function medtl(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// 60 rows, two sites, two score columns (a separates the classes better than b), sex and age.
function binaryCsv(): string {
  const rows = ['subject_id,site,sex,age,y_true,y_score_a,y_score_b'];
  for (let i = 0; i < 60; i++) {
    const y = i % 3 === 0 ? 1 : 0;
    const a = Math.round((((i * 17) % 23) / 23) * 0.6 * 100 + y * 40) / 100;
    const b = Math.round((((i * 7) % 19) / 19) * 0.9 * 100 + y * 10) / 100;
    rows.push(`p${i},${i < 30 ? 'hosp_a' : 'hosp_b'},${i % 2 ? 'F' : 'M'},${40 + ((i * 13) % 45)},${y},${a},${b}`);
  }
  return `${rows.join('\n')}\n`;
}

test('medtl evaluate --report writes a self-contained HTML page with the plots, and --json stdout stays JSON', () => {
  const f = join(dir, 'p.csv');
  writeFileSync(f, binaryCsv());
  const out = join(dir, 'eval.html');
  const r = medtl(['evaluate', f, '--json', '--bootstrap', '50', '--subgroup', 'sex', '--subgroup', 'age', '--report', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).task, 'binary');
  assert.match(r.stderr, new RegExp(`report written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const html = readFileSync(out, 'utf8');
  for (const id of ['roc', 'pr', 'calibration', 'confusion', 'sites', 'subgroups']) assert.match(html, new RegExp(`<figure data-chart="${id}"><svg`), id);
  assert.doesNotMatch(html, /<script|\b(src|href)\s*=|url\(/i);
  assert.match(html, /<td>a<\/td>/);
  assert.match(html, /a vs b/, "DeLong's test between the two score columns");
});

test('medtl evaluate --report refuses a multi-class file and says why', () => {
  const f = join(dir, 'mc.csv');
  writeFileSync(f, 'y_true,score_x,score_y\nx,0.7,0.3\ny,0.2,0.8\nx,0.6,0.4\ny,0.1,0.9\n');
  const out = join(dir, 'mc.html');
  const r = medtl(['evaluate', f, '--report', out]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /mc\.csv: --report needs binary predictions \(y_score\); this file is multi-class/);
  assert.ok(!existsSync(out));
});
