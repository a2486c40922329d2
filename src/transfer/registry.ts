import { makeAutoStrategy } from './auto/strategy.js';
import * as builtIn from './builtin-strategies.js';
import { optionIssues } from './options.js';
import type { TransferStrategy } from './types.js';

const registry = new Map<string, TransferStrategy>();

/** Adds a strategy (built-in or the caller's own, usually made by defineStrategy) under its name. */
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

/**
 * Problems with a method's options, one line each naming the key, or none: checked against the
 * registered strategy's schema. A strategy without a schema, or one not registered (yet), takes no options.
 */
export function strategyOptionProblems(strategy: string, options: unknown): string[] {
  const schema = registry.get(strategy)?.options;
  if (schema === undefined) return options && typeof options === 'object' && Object.keys(options).length ? [`strategy '${strategy}' takes no options`] : [];
  return optionIssues(schema, options);
}

// The type annotation checks that every export of builtin-strategies.ts is a strategy.
const BUILT_IN: readonly TransferStrategy[] = Object.values(builtIn);
for (const s of BUILT_IN) registerStrategy(s);
// auto runs other strategies by name; it gets the registry as a lookup rather than importing this module (no import cycle).
registerStrategy(makeAutoStrategy({ get: (name) => registry.get(name), names: listStrategies }));
