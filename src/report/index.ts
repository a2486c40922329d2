/** The HTML report and model card of a run folder. */
export { buildReport, writeReport, type ReportPaths } from './write-report.js';
export { buildModelCard, modelCardMarkdown, type ModelCard } from './model-card.js';
export { buildReportData, prPoints, rocPoints, type ReportData } from './report-data.js';
export { renderSvg, type ChartSpec } from './render.js';
export { CHART_IDS, reportHtml, type ChartId } from './html.js';
export * from './charts/index.js';
export { evaluationReportHtml, type EvaluateReportOptions } from './evaluate-html.js';
