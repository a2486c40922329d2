import { coral } from './coral.js';
import { dann } from './dann.js';
import { discriminativeLr } from './discriminative-lr.js';
import { freezeThenUnfreeze } from './freeze-unfreeze.js';
import { fullFinetune } from './full-finetune.js';
import { gradualUnfreeze } from './gradual-unfreeze.js';
import { l2sp } from './l2sp.js';
import { linearProbe } from './linear-probe.js';
import { mmd } from './mmd.js';
import { multiSourceWeighted, sourceSelectionLogme } from './multi-source/strategies.js';
import { reweightClassifier, reweightKliep, reweightKmm } from './reweight/strategy.js';
import { pooled } from './pooled.js';
import { sourceOnly } from './source-only.js';
import { targetOnly } from './target-only.js';
import type { TransferStrategy } from './types.js';

const registry = new Map<string, TransferStrategy>();

/** Adds a strategy under its name; later issues' strategies register here too. */
export function registerStrategy(strategy: TransferStrategy): void {
  if (registry.has(strategy.name)) throw new Error(`transfer strategy '${strategy.name}' is already registered`);
  registry.set(strategy.name, strategy);
}

/** Looks a strategy up by name, listing the known ones if it is absent. */
export function getStrategy(name: string): TransferStrategy {
  const s = registry.get(name);
  if (!s) throw new Error(`unknown transfer strategy '${name}'; known: ${listStrategies().join(', ')}`);
  return s;
}

/** Names of all registered strategies. */
export function listStrategies(): string[] {
  return [...registry.keys()].sort();
}

for (const s of [sourceOnly, targetOnly, pooled, freezeThenUnfreeze, linearProbe, fullFinetune, gradualUnfreeze, discriminativeLr, l2sp, coral, mmd, dann, reweightClassifier, reweightKmm, reweightKliep, multiSourceWeighted, sourceSelectionLogme]) {
  registerStrategy(s);
}
