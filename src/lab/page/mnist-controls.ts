// The settings form of the MNIST world: each setting's label and input (settings-form.ts does
// the rest). Everything else of the experiment is experiments/mnist-aux-logits.json's.
import { MNIST_MAX, mnistSettingError, type MnistConfig, type MnistKey } from '../mnist-config.js';
import type { FormSpec } from './settings-form.js';

export const MNIST_FORM: FormSpec<MnistKey, MnistConfig> = {
  settings: {
    seeds: { label: 'seeds', input: { kind: 'select', numeric: true, choices: [['1', '1'], ['2', '2'], ['3', '3']] } },
    teacherEpochs: { label: 'teacher epochs', input: { kind: 'number', min: 1, max: MNIST_MAX.teacherEpochs } },
    noiseImages: { label: 'noise images', input: { kind: 'number', min: 1, max: MNIST_MAX.noiseImages } },
    distillEpochs: { label: 'distillation epochs', input: { kind: 'number', min: 1, max: MNIST_MAX.distillEpochs } },
    learningRate: { label: 'distillation learning rate', input: { kind: 'number', min: 0 } },
    probeEvery: { label: 'probe every (steps)', input: { kind: 'number', min: 1, max: MNIST_MAX.probeEvery } },
  },
  error: (key, value) => mnistSettingError(key, value),
};
