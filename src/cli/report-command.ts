import { writeReport } from '../report/write-report.js';

/** Options of `medtl report`. */
export interface ReportFlags {
  /** HTML file to write instead of `<run-dir>/report.html`; the model card goes next to it. */
  readonly out?: string;
}

/** Regenerates a run folder's report and model card from its files and prints where they went. */
export async function reportAndPrint(runDir: string, flags: ReportFlags): Promise<void> {
  const paths = await writeReport(runDir, flags.out);
  process.stdout.write(`Report: ${paths.html}\nModel card: ${paths.modelCardMarkdown}, ${paths.modelCardJson}\n`);
}
