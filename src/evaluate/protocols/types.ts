import type { Sample } from '../../data/types.js';

/** One train/validation/test fold of an evaluation protocol, split at subject level. */
export interface ProtocolFold {
  readonly index: number;
  readonly train: readonly Sample[];
  readonly val: readonly Sample[];
  readonly test: readonly Sample[];
}
