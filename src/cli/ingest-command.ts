import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatHarmonisationReport, ingestManifest, type IngestResult } from '../data/ingest/index.js';
import { silentProgress } from '../util/progress.js';
import { terminalProgress } from './progress.js';

/** Switches of `medtl ingest`. */
export interface IngestFlags {
  readonly workspace: string;
  readonly dataRoot?: string;
  readonly keyFile?: string;
  /** Print the harmonisation report and write it as JSON: `true` → `<workspace>/ingest-report.json`, a string → that file. */
  readonly report?: boolean | string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** The JSON `medtl ingest --json` prints: per-site outcome, the catalog path and the harmonisation report. */
export function ingestJson(r: IngestResult): unknown {
  return { manifest: r.manifest.path, catalog: r.catalogPath, sites: r.sites, report: r.report };
}

/** Runs an ingest and prints a per-site summary (and the harmonisation report with --report). */
export async function ingestAndPrint(manifest: string, flags: IngestFlags): Promise<void> {
  const progress = flags.quiet || flags.json ? silentProgress : terminalProgress();
  const result = await ingestManifest(manifest, { workspace: flags.workspace, root: flags.dataRoot, keyFile: flags.keyFile, progress });
  let reportPath: string | undefined;
  if (flags.report !== undefined && flags.report !== false) {
    reportPath = resolve(typeof flags.report === 'string' ? flags.report : join(flags.workspace, 'ingest-report.json'));
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, `${JSON.stringify(result.report, null, 2)}\n`);
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(ingestJson(result), null, 2)}\n`);
    return;
  }
  const lines = result.sites.map((s) => `  ${s.siteId.padEnd(16)} ${s.status.padEnd(9)} ${String(s.subjects).padStart(6)} subjects  ${String(s.quarantined).padStart(4)} quarantined  ${String(s.excluded).padStart(4)} excluded`);
  process.stdout.write(`Ingested ${result.manifest.name} from ${result.manifest.root}\n${lines.join('\n')}\nCatalog: ${result.catalogPath}\n`);
  if (reportPath !== undefined) process.stdout.write(`\n${formatHarmonisationReport(result.report)}\n\nHarmonisation report (JSON): ${reportPath}\n`);
  else if (result.report.quarantine.length) {
    const top = result.report.quarantineByReason.slice(0, 3).map((g) => `  ${String(g.count).padStart(5)}  ${g.reason}`);
    process.stdout.write(`${result.report.quarantine.length} items quarantined, most often:\n${top.join('\n')}\nsee them all with --report\n`);
  }
}
