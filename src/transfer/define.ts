import type { z } from 'zod';
import { parseStrategyOptions } from './options.js';
import type { TrainedModel, TransferContext, TransferStrategy } from './types.js';

/** What one strategy file declares: its name, what it does, its options schema and its run on parsed options. */
export interface StrategyDefinition<S extends z.ZodType> {
  /** The name experiment files give as `strategy:`. */
  readonly name: string;
  /** One line saying what the strategy does, shown in reports and `--help`. */
  readonly description: string;
  /** Schema of the method's `options`; NO_OPTIONS (src/transfer/options.ts) for a strategy that takes none. */
  readonly options: S;
  /** Whether the strategy reads source data (false for target-only baselines). */
  readonly usesSource: boolean;
  /** Whether `run` awaits `ctx.pretrained()` (see TransferStrategy.usesPretrained). */
  readonly usesPretrained?: boolean;
  /** Produces the target model; `options` are the method's options parsed by the schema, defaults filled. */
  run(ctx: TransferContext, options: z.output<S>): Promise<TrainedModel>;
}

/** A strategy made by defineStrategy: a TransferStrategy that also parses its own options. */
export interface DefinedStrategy<S extends z.ZodType> extends TransferStrategy {
  readonly options: S;
  /** The method's raw options parsed by the schema (defaults filled); throws naming the strategy and each bad key. */
  parseOptions(raw: unknown): z.output<S>;
}

/**
 * Turns a strategy file's declaration into a registrable strategy whose `run(ctx)` parses
 * `ctx.options` against the schema before calling the declaration's `run(ctx, options)`.
 */
export function defineStrategy<S extends z.ZodType>(def: StrategyDefinition<S>): DefinedStrategy<S> {
  const parseOptions = (raw: unknown): z.output<S> => parseStrategyOptions(def.name, def.options, raw);
  return {
    name: def.name,
    description: def.description,
    options: def.options,
    usesSource: def.usesSource,
    ...(def.usesPretrained === undefined ? {} : { usesPretrained: def.usesPretrained }),
    parseOptions,
    // async, so bad options reject the returned promise like any other failure of a run.
    run: async (ctx) => def.run(ctx, parseOptions(ctx.options)),
  };
}
