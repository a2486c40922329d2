import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Rendering options. */
export interface RenderOptions {
  /** Receives each Vega-Lite compiler warning (by default they are dropped, not printed). */
  readonly onWarning?: (message: string) => void;
}

// Vega-Lite prints warnings to the console by default; route them to the caller instead.
function collectingLogger(warn: (message: string) => void) {
  let level = 2;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level as never;
      level = l;
      return logger as never;
    },
    warn: (...args: readonly unknown[]) => {
      warn(args.map(String).join(' '));
      return logger as never;
    },
    info: () => logger as never,
    debug: () => logger as never,
    error: (...args: readonly unknown[]) => {
      throw new Error(args.map(String).join(' '));
    },
  };
  return logger;
}

/** A Vega-Lite specification, as the chart modules return it. */
export type ChartSpec = TopLevelSpec;

/**
 * Compiles a Vega-Lite spec to Vega and renders it to an SVG string in Node (no DOM, no canvas).
 * Loading is disabled, so a spec that names a URL fails here instead of fetching at render time.
 */
export async function renderSvg(spec: ChartSpec, opts: RenderOptions = {}): Promise<string> {
  const warn = opts.onWarning ?? (() => {});
  const compiled = compile(spec, { logger: collectingLogger(warn) }).spec;
  // Every chart carries its data inline; a URL in a spec is a bug, never a fetch (Vega would only log a failed load).
  for (const d of compiled.data ?? []) {
    if ('url' in d && d.url !== undefined) throw new Error(`chart data must be inline, not loaded from ${JSON.stringify(d.url)}`);
  }
  const loader = vega.loader();
  loader.load = (uri: string) => Promise.reject(new Error(`chart data must be inline, not loaded from ${uri}`));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
