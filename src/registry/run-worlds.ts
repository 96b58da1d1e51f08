// The worlds as the run layer asks for them (stored runs, resume, merge): it knows no world, so
// the commands hand it this.
import type { RunWorlds } from '../run/run-world.js';
import { parseExperiment } from './load-experiment.js';
import { checkRegistryNames, worldOf } from './worlds.js';

export const runWorlds: RunWorlds = {
  parse: (config) => parseExperiment(config, {}, checkRegistryNames),
  of: worldOf,
};
