// What every world's experiment has, whatever else its file holds: the run layer (run
// directories, manifests, shards, resume), claims and the CLI read experiments through this.
import { z } from 'zod';
import type { Claim, ClaimDefaults } from './claims.js';

/** The fields of an experiment that do not depend on its world. */
export interface ExperimentBase {
  name: string;
  description: string;
  /** The registered world that runs the file (see src/registry/worlds.ts). */
  world: string;
  seeds: number;
  rootSeed: number;
  /** Every world's file lists named arms; what an arm holds is the world's. */
  arms: readonly { name: string }[];
  claims: readonly Claim[];
  claimDefaults: ClaimDefaults;
}

/** The most seeds an experiment may have. */
export const MAX_SEEDS = 100;

/** `seeds`: how many seeds (members trained side by side); `--seeds` is checked against it too. */
export const seedsField = z.number().int().min(1).max(MAX_SEEDS).describe('number of seeds');

/** `rootSeed`: the root of every random stream of the run. */
export const rootSeedField = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)
  .describe('root seed')
  .default(0)
  .describe('root of every random stream of the run');
