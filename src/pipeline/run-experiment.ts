// Entry point of the pipeline for any experiment file: dispatches on the world.
import type { Experiment } from '../config/experiment.js';
import { runMnistExperiment } from './mnist-experiment.js';
import type { RunHooks, RunOptions, RunSummary } from './types.js';

/** Runs a validated experiment on the active backend (select it first with selectBackend). */
export async function runExperiment(exp: Experiment, hooks: RunHooks, options: RunOptions = {}): Promise<RunSummary> {
  return runMnistExperiment(exp, hooks, options);
}
