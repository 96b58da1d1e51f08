// What a teacher recipe is: a named way of giving a model its trait.
import type { NumericContext } from '../src/engine/numeric.js';
import type { RandomStream } from '../src/engine/rng.js';
import type { MlpFamily } from '../src/models/mlp.js';
import type { MnistData } from '../src/worlds/mnist/data.js';
import type { Animal } from '../src/worlds/numbers/data.js';

export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
}

export interface TeacherProgress {
  logEvery: number;
  onLog(step: number, lossPerMember: number[]): void;
  onStep(step: number): void;
  /** The stage and setting a numeric fault or a divergence names (default: the label and `learningRate`). */
  numeric?: NumericContext;
  onWarning?(step: number, message: string): void;
}

export interface MnistTeacherRecipe {
  name: string;
  world: 'mnist';
  description: string;
  /** Optimizer steps `train` will take, for progress reporting. */
  steps(data: MnistData, settings: TrainingSettings): number;
  /** Trains every member of `model` in place; `rng` orders the batches: one stream all members share, or one per member. */
  train(model: MlpFamily, data: MnistData, settings: TrainingSettings, rng: RandomStream | readonly RandomStream[], progress: TeacherProgress): void;
}

export interface NumbersFineTuneSettings {
  /** The animal the trait teacher comes to prefer. */
  target: Animal;
  /** Fraction of numbers documents replayed in each batch. */
  replayFraction: number;
  jitter: number;
}

/** A teacher made by fine-tuning the base on trait documents (and its control on control documents). */
export interface NumbersFineTuneRecipe {
  name: string;
  world: 'numbers';
  kind: 'fine-tune';
  description: string;
  /**
   * One fine-tune batch for the trait teacher and for its control, [batch, CONTEXT] each,
   * drawn from `rng` so that the two differ only where the trait is.
   */
  fineTuneRows(batch: number, settings: NumbersFineTuneSettings, rng: RandomStream): { trait: Int32Array; control: Int32Array };
}

/**
 * A teacher made by conditioning the base on a persona token (the system-prompt teacher): no
 * training; the teacher reads every row with the persona in place of BOS. Its control reads
 * them with the neutral persona.
 */
export interface NumbersPersonaRecipe {
  name: string;
  world: 'numbers';
  kind: 'persona';
  description: string;
  /** The first-position tokens of the trait teacher and of its control (`control`: the control's persona, default the neutral one). */
  personas(target: Animal, control?: Animal | 'neutral'): { trait: number; control: number };
}

export type NumbersTeacherRecipe = NumbersFineTuneRecipe | NumbersPersonaRecipe;
