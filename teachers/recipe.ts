// What a teacher recipe is: a named way of giving a model its trait.
import type { RandomStream } from '../src/engine/rng.js';
import type { MlpFamily } from '../src/models/mlp.js';
import type { MnistData } from '../src/worlds/mnist.js';

export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
}

export interface TeacherProgress {
  logEvery: number;
  onLog(step: number, lossPerMember: number[]): void;
  onStep(step: number): void;
}

export interface MnistTeacherRecipe {
  name: string;
  world: 'mnist';
  description: string;
  /** Optimizer steps `train` will take, for progress reporting. */
  steps(data: MnistData, settings: TrainingSettings): number;
  /** Trains every member of `model` in place. */
  train(model: MlpFamily, data: MnistData, settings: TrainingSettings, rng: RandomStream, progress: TeacherProgress): void;
}
