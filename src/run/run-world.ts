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
  /** How the world shards when its arms are not independent (EM's share fine-tunes); absent: by arm. */
  shardUnits?: ShardUnits<E>;
  /**
   * A relative estimate of each unit's work (the arms, or shardUnits' units, in their order), as
   * the arm pool orders its tasks by: `traitlab plan` shows each shard's share of it. Absent: no
   * estimate.
   */
  unitCosts?(exp: E): number[];
}

/**
 * A world whose arms share work shards by units of that work instead: each shard runs its units
 * (and whatever they need, e.g. a teacher another shard also trains), and merge joins the parts
 * with the world's own rules. The units replace the arms in a shard's manifest record.
 */
export interface ShardUnits<E extends ExperimentBase = ExperimentBase> {
  /** Names for messages: the world's files ("EM"), a unit ("task"), and what the units are. */
  what: string;
  unit: string;
  unitsAre: string;
  /** The units, in the order a whole run logs them. */
  units(exp: E): string[];
  /** The experiment a shard of these units runs (the caller drops its claims). */
  experiment(exp: E, units: readonly string[]): E;
  /** The unit a metrics.jsonl stage belongs to, or null for a stage every shard may share (bases, alignment). */
  unitOfStage(exp: E, stage: string): string | null;
  /** The shared stages in the order a whole run logs them. */
  sharedStages(exp: E): string[];
  /**
   * The whole run's summary (without claims and warnings) from the shards', in shard order;
   * throws ConfigError naming the shard when they disagree.
   */
  mergeSummaries(exp: E, parts: readonly { given: string; units: readonly string[]; summary: Record<string, unknown> }[]): Record<string, unknown>;
}

/** The worlds, as the run layer asks for them. */
export interface RunWorlds {
  /** The experiment a recorded config (a manifest's) describes, validated and checked as a file would be; throws ConfigError. */
  parse(config: unknown): ExperimentBase;
  /** The world of a parsed experiment. */
  of(exp: ExperimentBase): RunWorld;
}
