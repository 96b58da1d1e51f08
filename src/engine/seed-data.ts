// What a seed varies. Member i of a family is seed i. With "init" (the default) seeds differ
// only in their initialisation: every member reads the same data (noise, batch order, prompts,
// sampling draws) from one stream per name. With "init-and-data" each seed also gets its own
// copy of every data stream, keyed by the seed alone (`<stream>/seed-<i>`), so seed i's data is
// the same whether the run has 1, 3 or 5 seeds.
import type { RandomStream } from './rng.js';

export const SEEDS_VARY = ['init', 'init-and-data'] as const;
export type SeedsVary = (typeof SEEDS_VARY)[number];

/** Seed `seed`'s own copy of the data stream `stream` (seedsVary "init-and-data"). */
export function seedStream(stream: RandomStream, seed: number): RandomStream {
  return stream.child(`seed-${seed}`);
}

/**
 * One stream per member, member m reading seed seeds[m]'s copy of `stream`. Members of the same
 * seed (a trait student and its control) get separate objects that draw the same numbers.
 */
export function memberStreams(stream: RandomStream, seeds: readonly number[]): RandomStream[] {
  return seeds.map((s) => seedStream(stream, s));
}

/** "5 seeds", or "5 seeds (init and data)" when each seed has its own data: for headers. */
export function seedsText(seeds: number, vary: SeedsVary | undefined): string {
  return `${seeds} seed${seeds === 1 ? '' : 's'}${vary === 'init-and-data' ? ' (init and data)' : ''}`;
}
