import { join, resolve } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { reportCharts } from './charts/index.js';
import { reportHtml, type ChartId } from './html.js';
import { buildModelCard, modelCardMarkdown, type ModelCard } from './model-card.js';
import { renderSvg } from './render.js';
import { buildReportData } from './report-data.js';
import { readRunRecord } from '../record/read.js';

/** Where a report and its model card were written. */
export interface ReportPaths {
  readonly html: string;
  readonly modelCardMarkdown: string;
  readonly modelCardJson: string;
}

/** Renders a run folder's report page and model card in memory, from the folder's files alone. */
export async function buildReport(runDir: string): Promise<{ html: string; card: ModelCard }> {
  const data = buildReportData(await readRunRecord(resolve(runDir)));
  const svgs: Partial<Record<ChartId, string>> = {};
  for (const [id, spec] of Object.entries(reportCharts(data)) as [ChartId, Parameters<typeof renderSvg>[0]][]) {
    try {
      svgs[id] = await renderSvg(spec);
    } catch (e) {
      throw new Error(`report chart '${id}' of ${runDir}: ${(e as Error).message}`, { cause: e });
    }
  }
  const card = buildModelCard(data);
  return { html: reportHtml(data, svgs, card), card };
}

/**
 * Writes report.html (or `out`) and, next to it, model-card.md and model-card.json for a finished
 * run folder; returns their paths.
 */
export async function writeReport(runDir: string, out?: string): Promise<ReportPaths> {
  const { html, card } = await buildReport(runDir);
  const htmlPath = resolve(out ?? join(runDir, 'report.html'));
  const dir = resolve(htmlPath, '..');
  const paths = { html: htmlPath, modelCardMarkdown: join(dir, 'model-card.md'), modelCardJson: join(dir, 'model-card.json') };
  await writeFileAtomic(paths.html, html);
  await writeFileAtomic(paths.modelCardMarkdown, modelCardMarkdown(card));
  await writeJsonAtomic(paths.modelCardJson, card);
  return paths;
}
