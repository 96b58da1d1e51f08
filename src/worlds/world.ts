// A world descriptor: everything the commands, the claims and the report need of one world,
// in one value. Each world's folder exports one (worlds/<name>/world.ts) and the registry
// (src/registry/worlds.ts) lists them; nothing outside a world's folder asks which world it is.
//
// A descriptor is written with the world's own experiment and summary types (E, S, R) and
// registered through `defineWorld`, which erases them: the registry hands a descriptor only
// experiments its schema made and summaries its run (or summary.json) gave.
import type { z } from 'zod';
import type { ClaimOperand, MarginTable } from '../config/claims.js';
import type { ExperimentBase } from '../config/experiment-base.js';
import type { ChartDef } from '../plot/chart-def.js';
import type { MetricRange } from '../plot/metric-range.js';
import type { RunWorld } from '../run/run-world.js';
import type { MetricsRecord, RunHooks, RunOptions, RunSummaryBase } from '../run/types.js';

/** A base `traitlab pretrain` wrote or found. */
export interface PretrainedFile {
  base: string;
  file: string;
  /** Already there before this call. */
  cached: boolean;
  /** Copied from here (the shipped bases, the cache) rather than trained. */
  from?: string;
}

/** What the report draws for a world's run, from its summary.json read by `summarySchema`. */
export interface WorldReport<R> {
  /** summary.json as the report reads it: loose, only what is drawn is required. */
  summarySchema: z.ZodType<R>;
  charts(summary: R, metrics: MetricsRecord[] | null): ChartDef[];
  /** The HTML results table beside the result chart. */
  resultsTable(summary: R): string;
}

export interface World<E extends ExperimentBase = ExperimentBase, S extends RunSummaryBase = RunSummaryBase, R = unknown> extends RunWorld<E> {
  /** The value of `world` in experiment files (and in summary.json, where it is written). */
  name: string;
  /** How messages name the world: "a ${label}-world experiment". */
  label: string;
  /** One line for `traitlab list`. */
  description: string;
  /** The experiment file's schema (strict; every error names its path). */
  schema: z.ZodType<E, unknown>;
  /** Checks beyond the schema: recipe names and what they need. Throws a one-line ConfigError. */
  check(exp: E): void;
  /** Runs a validated experiment on the active backend. */
  run(exp: E, hooks: RunHooks, options: RunOptions): Promise<S>;
  /** `traitlab pretrain`: the bases only, written to (or found in) `outDir`; absent for a world without bases. */
  pretrain?(exp: E, hooks: RunHooks, outDir: string, jobs: number): Promise<PretrainedFile[]>;
  /** The terminal table of `run` and `show` (claims are printed after it). */
  table(summary: S, runDir: string): string;
  report: WorldReport<R>;
  /**
   * The metric a sweep's table and chart show per arm (one of the claim metrics: each arm's
   * per-seed values come from claimSeries); arms without it are left out of the sweep table.
   */
  headlineMetric: string;
  /** The per-seed values a claim operand names, or undefined when the summary has no such arm or metric. */
  claimSeries(summary: S, operand: ClaimOperand): readonly number[] | undefined;
  /** The default margin (smallest effect of interest) of each claim metric; a metric it omits defaults to 0. */
  claimMargins?: MarginTable;
  /** Metrics whose range here differs from the usual one (report/plot/metric-range.ts). */
  metricRanges?: Readonly<Record<string, MetricRange>>;
  /**
   * Metrics lines whose per-member arrays hold 2 × seeds values, trait side then control side
   * (the numbers world's students and teachers); `show --csv metrics` labels the sides.
   */
  pairedMembers?: boolean;
}

/** A world as the registry holds it, its types erased. */
export type AnyWorld = World<ExperimentBase, RunSummaryBase, unknown>;

/** Registers a world's descriptor with its own types checked, then erased for the registry. */
export function defineWorld<E extends ExperimentBase, S extends RunSummaryBase, R>(world: World<E, S, R>): AnyWorld {
  return world as unknown as AnyWorld;
}
