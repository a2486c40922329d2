import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readRunRecord as readRunFiles, RunFolderError } from '../../src/record/read.js';
import { buildReportData } from '../../src/report/report-data.js';
import { buildModelCard, modelCardMarkdown, type ModelCard } from '../../src/report/model-card.js';
import { CHART_IDS } from '../../src/report/html.js';
import { writeReport } from '../../src/report/write-report.js';
import { writeFixtureRun } from './fixture-run.js';

let runDir = '';
let html = '';
let card: ModelCard;

before(async () => {
  runDir = await writeFixtureRun();
  const paths = await writeReport(runDir);
  html = await readFile(paths.html, 'utf8');
  card = JSON.parse(await readFile(paths.modelCardJson, 'utf8')) as ModelCard;
});

test('the report is self-contained: no scripts, no external src/href, no CSS imports or remote URLs', () => {
  assert.doesNotMatch(html, /<script/i, 'no scripts at all');
  assert.doesNotMatch(html, /<(link|iframe|img|object|embed|source|audio|video)\b/i, 'no element that could fetch');
  assert.doesNotMatch(html, /\b(src|href|xlink:href|srcset|action|poster)\s*=/i, 'no attribute that could fetch');
  assert.doesNotMatch(html, /@import|url\(/i, 'no CSS that could fetch');
  // The only URLs are the SVG namespace identifiers (xmlns), which browsers never request.
  const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
  assert.ok(urls.length > 0, 'the SVGs carry their namespace');
  assert.deepEqual([...new Set(urls)].sort(), ['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
  for (const m of html.matchAll(/(\S+)=["']https?:/g)) assert.match(m[1], /^xmlns(:xlink)?$/, `URL only in xmlns, found in ${m[1]}`);
});

test('the report holds every chart as rendered SVG, the tables and the model card', () => {
  for (const id of CHART_IDS) {
    const fig = new RegExp(`<figure data-chart="${id}"><svg[^>]*>[\\s\\S]*?</svg>`);
    assert.match(html, fig, `chart ${id} is an inline SVG`);
  }
  for (const section of ['summary', 'sites', 'methods', 'plots', 'subgroup-table', 'model-card']) assert.match(html, new RegExp(`id="${section}"`));
  assert.match(html, /<td>transfer ★<\/td>/);
  assert.match(html, /source_only<span class="ci">tabular; <b>kept source model<\/b><\/span>/, 'a method that kept the source weights is marked');
  assert.doesNotMatch(html, /freeze_unfreeze<span class="ci">tabular; <b>kept/, 'a method that moved is not');
  assert.match(html, /too small: 0 positives|too small: \d+ (positives|negatives)/, 'too-small subgroups are flagged in the table');
  assert.match(html, /Configuration \(config\.json\)/);
  // The fixture run has a source_only method and no generator truth: the penalty, without an oracle row.
  assert.match(html, /<section id="shift"><h2>Site shift<\/h2>/);
  assert.match(html, /<td>source_only on the source test set<\/td><td>0\.\d{3} <span class="ci">\[/);
  assert.match(html, /<td>shift penalty \(source − target\)<\/td><td>-?\d\.\d{3}/);
  assert.doesNotMatch(html, /oracle ceiling: the generator/);
  assert.match(html, /lacking a modality, predicted from the others with it masked: target_only: 3 without tabular\./, 'missing-modality counts are reported');
});

test('method table values equal metrics.json where both report them (AUROC and CI from the same bootstrap seed)', async () => {
  const files = await readRunFiles(runDir);
  const data = buildReportData(files);
  for (const [k, m] of files.metrics.folds[0].methods.entries()) {
    // Same labels, scores and AUROC formula: exact equality, no tolerance needed.
    assert.equal(data.methods[k].summary.metrics.auroc.value, m.auroc);
    const target = data.sites.find((s) => s.method === m.method && s.split === 'target_test')!;
    assert.deepEqual(target.ci, m.auroc_ci, 'target-site bar CI is the metrics.json CI (same bootstrap, same seed)');
    assert.deepEqual(data.methods[k].confusion.matrix, m.youden!.confusion_matrix);
  }
  assert.equal(data.primary, 'transfer');
  assert.deepEqual(
    data.comparisons.map((c) => c.b),
    ['target_only', 'source_only'],
  );
  assert.deepEqual(new Set(data.sites.map((s) => `${s.site}:${s.split}`)), new Set(['hosp_a:source_test', 'hosp_b:source_test', 'hosp_d:target_test']));
});

test('model card: intended use, training sites and counts, evaluation, limitations and caveats', async () => {
  assert.equal(card.schema_version, 1);
  assert.equal(card.model.method, 'transfer');
  // The fixture run computed on cpu, 1 thread, without native kernels; the card and report say so.
  assert.equal(card.model.backend, 'cpu, 1 thread');
  assert.match(html, /<dt>backend<\/dt><dd>cpu, 1 thread,/);
  assert.match(card.intended_use.primary_use, /target site hosp_d/);
  assert.ok(card.intended_use.out_of_scope.some((x) => /Clinical decisions/.test(x)));
  assert.deepEqual(
    card.training_data.sites.map((s) => [s.site, s.role, s.n, s.positives]),
    [
      ['hosp_a', 'source', 200, 60],
      ['hosp_b', 'source', 200, 60],
      ['hosp_d', 'target', 300, 135],
    ],
  );
  assert.equal(card.evaluation.n_test, 120);
  const metrics = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8')).folds[0] as { methods: { auroc: number; youden: { threshold: number } }[] };
  assert.equal(card.evaluation.metrics.auroc.value, metrics.methods[0].auroc);
  assert.equal(card.evaluation.threshold.value, metrics.methods[0].youden.threshold);
  assert.equal(card.evaluation.threshold.chosen_by, 'Youden on target validation');
  assert.ok(card.evaluation.subgroups.some((g) => g.too_small && g.auroc_ci === null), 'a too-small subgroup has no CI');
  assert.ok(card.limitations.some((x) => /synthetic cohort/.test(x)));
  assert.ok(card.limitations.some((x) => /subgroup\(s\) have fewer than 10 positives or negatives/.test(x)));
  assert.ok(card.caveats.some((x) => /Youden's J on 30 target validation subjects/.test(x)));
  const md = await readFile(join(runDir, 'model-card.md'), 'utf8');
  assert.equal(md, modelCardMarkdown(card), 'the Markdown is rendered from the JSON card');
  for (const h of ['## Intended use', '## Training data', '## Evaluation', '## Limitations', '## Caveats']) assert.ok(md.includes(h), h);
  assert.deepEqual(buildModelCard(buildReportData(await readRunFiles(runDir))), card, 'rebuilding gives the same card');
});

test('a broken run folder is reported with the file and line', async () => {
  const dir = await writeFixtureRun(8);
  const csv = join(dir, 'predictions.csv');
  const lines = (await readFile(csv, 'utf8')).split('\n');
  lines[3] = lines[3].replace(/,[^,]*$/, ',oops');
  await writeFile(csv, lines.join('\n'));
  await assert.rejects(readRunFiles(dir), (e: Error) => e instanceof RunFolderError && e.message === `${csv}, line 4: y_score 'oops' is not a number`);
  await assert.rejects(readRunFiles(join(dir, 'nope')), /nope\/config\.json: cannot read \(ENOENT\); is .* a finished medtl run folder\?/);
});
