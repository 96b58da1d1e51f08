// What the run layer (shards, merge, resume, stored runs) needs to know of a world, and how it
// reaches the worlds without knowing any: the registry hands it a `RunWorlds` (see
// src/registry/worlds.ts). A world descriptor (src/worlds/world.ts) extends RunWorld.
import type { ExperimentBase } from '../config/experiment-base.js';

export interface RunWorld<E extends ExperimentBase = ExperimentBase> {
  /**
   * The names of the arm-stage tasks a run of `exp` has, which its checkpoint keys arms by
   * (for most worlds the arms that log under their own name; EM's are its fine-tunes and
   * subliminal arms).
   */
  taskNames(exp: E): string[];
  /** The arms whose metrics.jsonl lines carry their own name as `stage`. */
  loggingArms(exp: E): string[];
  /**
   * The stages of metrics.jsonl every arm shares, in the order a run logs them, before any arm
   * (bases, then teachers). Every shard that needs them writes them again; merge keeps one.
   */
  sharedStages: readonly string[];
  /** Why this world's files cannot be sharded (`--shard`), or null when they can. */
  unshardable: string | null;
}

/** The worlds, as the run layer asks for them. */
export interface RunWorlds {
  /** The experiment a recorded config (a manifest's) describes, validated and checked as a file would be; throws ConfigError. */
  parse(config: unknown): ExperimentBase;
  /** The world of a parsed experiment. */
  of(exp: ExperimentBase): RunWorld;
}
