// What an MNIST run produces (summary.json): per arm the test accuracy of every seed and its
// mean ± 95 % interval. The first world's summary carries no `world` field.
import type { BackendName } from '../../engine/backend.js';

export interface MnistArmSummary {
  name: string;
  kind: string;
  /** Test accuracy per seed (member i = seed i). */
  accuracy: number[];
  mean: number;
  /** Half-width of the 95 % t interval over seeds. */
  ci95: number;
  /** Anything else an arm reports (e.g. the student recipe and logit subset). */
  details: Record<string, unknown>;
}

export interface MnistRunSummary {
  experiment: string;
  seeds: number;
  rootSeed: number;
  /** Present when each seed had its own data (seedsVary "init-and-data"). */
  seedsVary?: 'init-and-data';
  backend: BackendName;
  arms: MnistArmSummary[];
  /** How the interval was computed, for readers of summary.json. */
  interval: string;
}
