// What every world's experiment has, whatever else its file holds: the run layer (run
// directories, manifests, shards, resume), claims and the CLI read experiments through this.
import { z } from 'zod';
import type { Claim, ClaimDefaults } from './claims.js';
import { SEEDS_VARY, type SeedsVary } from '../engine/seed-data.js';

/** The fields of an experiment that do not depend on its world. */
export interface ExperimentBase {
  name: string;
  description: string;
  /** The registered world that runs the file (see src/registry/worlds.ts). */
  world: string;
  seeds: number;
  rootSeed: number;
  /** What differs between seeds: the initialisation only, or also the data (engine/seed-data.ts); a world without the field varies the init only. */
  seedsVary?: SeedsVary;
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

/** `seedsVary`: what a seed varies (engine/seed-data.ts); "init" keeps every older file's numbers. */
export const seedsVaryField = z
  .enum(SEEDS_VARY)
  .default('init')
  .describe(
    'what differs between seeds: "init" (the default) only the initialisation, every seed reading the same data (noise, batch order, prompts, sampling draws); "init-and-data" also gives each seed its own data streams, so intervals over seeds include the spread due to the data',
  );
