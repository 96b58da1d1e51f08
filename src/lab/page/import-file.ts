// Import, whatever panel it is pressed in: the file is read and checked as `traitlab run` checks
// it, for the world it declares (a numbers file also with the numbers world's check, loaded on
// first use since its recipe registries bring tfjs along), then against what that world's panel
// can run. The result names its world: main.ts shows that world's panel with it.
import { declaredWorld, readExperimentJson } from '../experiment-json.js';
import { importMnistInput, type ImportedMnistConfig } from '../mnist-config.js';
import { configOf, parseNumbersInput } from '../numbers-config.js';
import type { NumbersExperiment } from '../../worlds/numbers/schema.js';
import { readExperimentFile } from './file-io.js';

export type LabImport =
  /** A numbers experiment the numbers panel runs (its λ and β sliders keep their places when the file has none). */
  | { world: 'numbers'; experiment: NumbersExperiment }
  | { world: 'mnist'; imported: ImportedMnistConfig };

/** The checked file, or its one-line ConfigError (thrown). */
export async function importExperimentFile(file: File): Promise<LabImport> {
  const input = readExperimentJson(file.name, await readExperimentFile(file));
  if (declaredWorld(input) === 'mnist') return { world: 'mnist', imported: importMnistInput(input) };
  const { checkNumbersExperiment } = await import('../../worlds/numbers/check.js');
  const experiment = parseNumbersInput(input, checkNumbersExperiment);
  // Refused here, in the panel Import was pressed in, if the numbers panel cannot run it.
  configOf(experiment);
  return { world: 'numbers', experiment };
}
