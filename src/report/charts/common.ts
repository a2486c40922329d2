import type { ChartSpec } from '../render.js';

/** Colours of methods, in method order, shared by every chart so a method keeps its colour. */
export const METHOD_COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d'];

/**
 * A Vega-Lite colour scale giving each method (in the given order) its fixed colour; with `only`,
 * the legend lists just those methods, still in their own colours.
 */
export function methodScale(methods: readonly string[], only?: readonly string[]): { domain: string[]; range: string[] } {
  const all = methods.map((m, k) => [m, METHOD_COLOURS[k % METHOD_COLOURS.length]] as const);
  const kept = only ? all.filter(([m]) => only.includes(m)) : all;
  return { domain: kept.map(([m]) => m), range: kept.map(([, c]) => c) };
}

/** Shared look: font, sizes and a white background, so the SVGs match the page. */
export const BASE_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0 },
  title: { fontSize: 13, anchor: 'start' },
  view: { stroke: '#ccc' },
} as const;

/** Adds the shared config and schema URL to a spec (the schema is an identifier, never fetched). */
export function withBase(spec: Record<string, unknown>): ChartSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: BASE_CONFIG, ...spec } as ChartSpec;
}
