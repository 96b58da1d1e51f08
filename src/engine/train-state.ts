// A training loop's model and optimizer between two steps, as plain data: what a checkpoint
// needs to continue the loop exactly (the loop adds its own position and streams).
import * as tf from '@tensorflow/tfjs';
import { restoreAdam, saveAdam, type AdamState } from './adam-state.js';

export interface TrainState {
  /** Every trained variable's values, in the order of the variables list. */
  params: Float32Array[];
  adam: AdamState;
}

export function captureTrainState(variables: tf.Variable[], optimizer: tf.Optimizer): TrainState {
  return { params: variables.map((v) => (v.dataSync() as Float32Array).slice()), adam: saveAdam(optimizer, variables) };
}

/** Puts a captured state back: the variables' values and a fresh optimizer's slots. */
export function restoreTrainState(state: TrainState, variables: tf.Variable[], optimizer: tf.Optimizer): void {
  if (state.params.length !== variables.length) throw new Error(`train-state: ${state.params.length} saved parameters for ${variables.length} variables`);
  variables.forEach((v, i) => {
    const values = state.params[i]!;
    if (values.length !== v.size) throw new Error(`train-state: ${v.name} has ${v.size} values, the saved one ${values.length}`);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
  });
  restoreAdam(optimizer, state.adam, variables);
}
