// Entry point of the pipeline for any experiment file: dispatches on the world.
import type { Experiment } from '../config/experiment.js';
import { runEmExperiment, type EmRunSummary } from '../worlds/em/experiment.js';
import { runMnistExperiment } from '../worlds/mnist/experiment.js';
import { runNumbersExperiment, type NumbersRunSummary } from '../worlds/numbers/experiment.js';
import type { RunHooks, RunOptions, RunSummary } from '../run/types.js';

export type AnyRunSummary = RunSummary | NumbersRunSummary | EmRunSummary;

/** Runs a validated experiment on the active backend (select it first with selectBackend). */
export async function runExperiment(exp: Experiment, hooks: RunHooks, options: RunOptions = {}): Promise<AnyRunSummary> {
  if (exp.world === 'em') return runEmExperiment(exp, hooks, options);
  return exp.world === 'numbers' ? runNumbersExperiment(exp, hooks, options) : runMnistExperiment(exp, hooks, options);
}
