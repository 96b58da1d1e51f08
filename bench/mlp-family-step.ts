// The MLP workload of the bench, shared by bench.ts and member-worker.ts: an MlpFamily of M
// members (784-256-256-13), one Adam step of cross-entropy on the 10 class logits over a fixed
// host batch of 128 (uploaded every step, as the training loops do).
import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../src/distill/logit-losses.js';
import { adam } from '../src/engine/fused-adam.js';
import { rootStream, type RandomStream } from '../src/engine/rng.js';
import { drawMemberInit, MlpFamily } from '../src/models/mlp.js';

export const SIZES = [784, 256, 256, 13]; // 10 class logits + 3 auxiliary, as in the MNIST experiment
export const BATCH = 128;
export const LEARNING_RATE = 3e-4;

/** A fixed batch on the host; the step uploads it, as the training loops do. */
export function hostBatch(rng: RandomStream): { x: Float32Array; y: Int32Array } {
  return {
    x: Float32Array.from({ length: BATCH * SIZES[0]! }, () => 2 * rng.next() - 1),
    y: Int32Array.from({ length: BATCH }, () => rng.int(10)),
  };
}

export interface FamilyStep {
  step(): void;
  /** Reads a small tensor, so the backend has finished before the clock is read. */
  sync(): void;
  dispose(): void;
}

/** Members firstMember…firstMember+M−1 of the bench's family (member m's init depends only on m). */
export function mlpFamilyStep(members: number, firstMember = 0): FamilyStep {
  const rng = rootStream(1).child('bench');
  const init = rng.child('init');
  const model = new MlpFamily(SIZES, Array.from({ length: members }, (_, m) => drawMemberInit(SIZES, init.child(String(firstMember + m)))));
  const optimizer: tf.Optimizer = adam(LEARNING_RATE);
  const { x, y } = hostBatch(rng.child('batch'));
  return {
    step: () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const xs = tf.tensor2d(x, [BATCH, SIZES[0]!]);
          const labels = tf.tensor1d(y, 'int32');
          const classLogits = tf.slice(model.apply(xs), [0, 0, 0], [-1, -1, 10]) as tf.Tensor3D; // [M, B, 10]
          return tf.sum(crossEntropy(classLogits, labels)) as tf.Scalar;
        }, model.variables);
        optimizer.applyGradients(grads);
      }),
    sync: () => void model.biases.at(-1)!.dataSync(),
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}
