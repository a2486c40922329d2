// Shared pieces of medtl's HTML pages: escaping, number cells, tables, figures and the stylesheet.

/** The charts of the report, in page order; each id is a `data-chart` attribute in the HTML. */
export const CHART_IDS = ['roc', 'pr', 'calibration', 'confusion', 'budget', 'sites', 'subgroups'] as const;
/** Id of one chart of the report. */
export type ChartId = (typeof CHART_IDS)[number];

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A number to 3 decimals, or n/a when missing or not finite. */
export const f3 = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));
/** A value with its CI in a smaller grey span (the CI left out when undefined). */
export const withCi = (v: number, ci: readonly [number, number]): string => `${f3(v)}${Number.isFinite(ci[0]) ? ` <span class="ci">[${f3(ci[0])}, ${f3(ci[1])}]</span>` : ''}`;

/** An HTML table from header cells and rows of cells (cells are HTML, escaped by the caller). */
export function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  return `<div class="scroll"><table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** The report's inline stylesheet. */
export const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fafafa;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.25em;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:1.05em;margin:20px 0 6px}
.lead{color:#555;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 7px;text-align:right;white-space:nowrap}
th{background:#f3f3f3;white-space:normal;vertical-align:bottom}td:first-child,th:first-child{text-align:left}
td.l,th.l{text-align:left;white-space:normal}
.ci{color:#666;font-size:12px}
table.methods .ci{display:block}
.scroll{overflow-x:auto}
.primary td{font-weight:600}
.small{color:#a33}
figure{margin:12px 0 24px;overflow-x:auto}figure svg{max-width:100%;height:auto}
figcaption{color:#555;font-size:13px;margin-top:4px;max-width:900px}
.grid{display:flex;flex-wrap:wrap;gap:24px}
dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 16px;font-size:14px}dl.kv dt{color:#666}dl.kv dd{margin:0}
pre{background:#f6f6f6;padding:8px;font-size:12px;overflow-x:auto}
.card{border:1px solid #ccc;border-radius:6px;padding:4px 20px 12px;background:#fcfcff}
ul{margin:4px 0 8px}
`;

/** A figure holding one rendered chart (marked empty when there is no SVG) and its caption. */
export function figure(id: string, svg: string | undefined, caption: string): string {
  if (!svg) return `<figure data-chart="${id}" data-empty="true"><figcaption>${caption}</figcaption></figure>`;
  return `<figure data-chart="${id}">${svg}<figcaption>${caption}</figcaption></figure>`;
}
