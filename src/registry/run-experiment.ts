// Entry point of the pipeline for any experiment file: the experiment's world runs it.
import type { RunHooks, RunOptions, RunSummaryBase } from '../run/types.js';
import { worldOf, type Experiment } from './worlds.js';

/** Runs a validated experiment on the active backend (select it first with selectBackend). */
export async function runExperiment(exp: Experiment, hooks: RunHooks, options: RunOptions = {}): Promise<RunSummaryBase> {
  return worldOf(exp).run(exp, hooks, options);
}
