// What `traitlab run` loads: one experiment file, or a sweep of them (a file with a `sweep`
// block, every point checked by its world's schema). Apart from load-experiment.ts, which a
// sweep's points are parsed with, so that neither imports the other.
import { parseJsonText } from '../config/json-text.js';
import { sweepOf } from '../config/sweep.js';
import { checkSeedsOverride, parseExperiment, readText, type ExperimentCheck, type ExperimentOverrides } from './load-experiment.js';
import type { Experiment } from './worlds.js';
import { parseSweep, type SweepPlan } from './load-sweep.js';

/** A file `traitlab run` takes: one experiment, or a sweep of them (a file with a `sweep` block). */
export type RunFile = { kind: 'experiment'; exp: Experiment } | { kind: 'sweep'; plan: SweepPlan };

/** Loads a file as loadExperimentFile does, or, when it has a `sweep`, every point of it. */
export function loadRunFile(file: string, overrides: ExperimentOverrides = {}, cwd = process.cwd(), check: ExperimentCheck = () => {}): RunFile {
  const input = parseJsonText(file, readText(file, cwd));
  if (sweepOf(input) === undefined) return { kind: 'experiment', exp: parseExperiment(input, overrides, check) };
  if (overrides.seeds !== undefined) checkSeedsOverride(overrides.seeds);
  return { kind: 'sweep', plan: parseSweep(input as Record<string, unknown>, overrides, check) };
}
