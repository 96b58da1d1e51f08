// What the MNIST stages need of a student network, whatever its layers: a family of M members
// mapping shared images to logits, whose output layer can be trained alone (MlpFamily, CnnFamily).
import type * as tf from '@tensorflow/tfjs';

export interface MemberClassifier {
  /** Values per input row (784 for MNIST images). */
  readonly inputSize: number;
  readonly members: number;
  /** Every parameter [M, ...]. */
  readonly variables: tf.Variable[];
  /** The output layer's parameters: weights [M, d, K] and bias [M, K]. */
  readonly headVariables: tf.Variable[];
  /** Inputs [B, inputSize], shared by all members → logits [M, B, K]. */
  apply(x: tf.Tensor2D): tf.Tensor3D;
  dispose(): void;
}
