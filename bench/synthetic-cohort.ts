// Prints the generator's measured properties quoted in docs/synthetic-cohort.md:
// node --import tsx bench/synthetic-cohort.ts
import { pathToFileURL } from 'node:url';
import { simulateSyntheticCohort } from '../src/data/synthetic/generate.js';
import { DEFAULT_SYNTHETIC_SITES } from '../src/data/synthetic/spec.js';
import { auroc } from '../src/evaluate/metrics.js';
import { siteIntercept } from '../src/data/synthetic/latent.js';
import { oracleAurocs, transportedOracleAurocs } from '../src/evaluate/oracle-aurocs.js';

/**
 * Markdown tables of the generator's measured properties, as quoted in docs/synthetic-cohort.md:
 * oracle AUROCs on 20,000-subject draws per site, and the realised default cohort.
 */
export function syntheticCohortReport(draws = 20000): string {
  const f = (x: number) => x.toFixed(3);
  const out: string[] = [];
  out.push(`Oracle AUROCs, ${draws} subjects per site (oracle seed 1):`, '');
  out.push('| site | prevalence | image only | record only | size only | image + size | record + size | full |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const s of DEFAULT_SYNTHETIC_SITES) {
    const o = oracleAurocs(s, draws, 1);
    out.push(`| ${s.id} | ${f(o.prevalence)} | ${f(o.image)} | ${f(o.record)} | ${f(o.size)} | ${f(o.imageWithSize)} | ${f(o.recordWithSize)} | ${f(o.full)} |`);
  }
  out.push('', `Each site's population (${draws} subjects, oracle seed 1) ranked by its own true risk and by every site's true risk function (concept shift where they differ):`, '');
  out.push(`| site | intercept | own | ${DEFAULT_SYNTHETIC_SITES.map((s) => `${s.id}'s risk`).join(' | ')} |`, `|---|---|---|${DEFAULT_SYNTHETIC_SITES.map(() => '---|').join('')}`);
  for (const s of DEFAULT_SYNTHETIC_SITES) {
    const t = transportedOracleAurocs(s, DEFAULT_SYNTHETIC_SITES, draws, 1);
    out.push(`| ${s.id} | ${siteIntercept(s).toFixed(2)} | ${f(t.own)} | ${t.bySite.map((b) => f(b.auroc)).join(' | ')} |`);
  }
  const t0 = performance.now();
  const { cohort, truth } = simulateSyntheticCohort();
  const ms = performance.now() - t0;
  out.push('', `Default cohort (seed 42, 64x64): ${cohort.samples.length} subjects generated in ${ms.toFixed(0)} ms.`, '');
  out.push('| site | n | malignant | prevalence | full-oracle AUROC on its labels |');
  out.push('|---|---|---|---|---|');
  for (const s of DEFAULT_SYNTHETIC_SITES) {
    const idx = cohort.samples.map((x, i) => (x.siteId === s.id ? i : -1)).filter((i) => i >= 0);
    const labels = idx.map((i) => cohort.samples[i].label);
    const pos = labels.filter((l) => l === 1).length;
    const auc = auroc(
      labels,
      idx.map((i) => truth[i].probability),
    );
    out.push(`| ${s.id} | ${idx.length} | ${pos} | ${f(pos / idx.length)} | ${f(auc)} |`);
  }
  out.push('', 'Missing cells per column, % (all sites; hosp_b excluded for family_history):', '');
  const cols = cohort.tabularSchema.map((c) => c.name);
  out.push(`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`);
  const rates = cols.map((c) => {
    const rows = cohort.samples.filter((s) => !(c === 'family_history' && s.siteId === 'hosp_b'));
    return ((100 * rows.filter((s) => s.tabular?.[c] === null).length) / rows.length).toFixed(1);
  });
  out.push(`| ${rates.join(' | ')} |`);
  return out.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(syntheticCohortReport());
}
