// The README's library example, kept compiling by `npm run typecheck`.
// Run: npx tsx examples/library.ts
import { generateSyntheticCohort, harmoniseUnits, loadModelBundle, parseExperiment, predictProba, runExperiment } from '../src/index.js';

const config = parseExperiment({ seed: 7, target: 'hosp_d', split: { targetBudget: 40 } });
const result = await runExperiment(config);
const [fold] = result.folds; // one hold-out fold; `protocol: leave_one_site_out` etc. give several
for (const m of fold.methods) {
  console.log(m.method, m.evaluation.auroc.toFixed(3), m.evaluation.aurocCI);
}
const { model, preprocessor } = await loadModelBundle(`${result.runDir}/models/transfer`);
const newPatients = harmoniseUnits(generateSyntheticCohort({ seed: 99 })).samples.filter((s) => s.siteId === 'hosp_d').slice(0, 5);
const scores = predictProba(model, preprocessor.transform(newPatients));
console.log([...scores].map((p) => p.toFixed(3)));
