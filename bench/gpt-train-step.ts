// One Adam step of next-token cross-entropy on a GptFamily of M members over random tokens: the
// gpt training step bench.ts times at its fixed size and bench/curve.ts along the cost curve.
import * as tf from '@tensorflow/tfjs';
import { adam } from '../src/engine/fused-adam.js';
import { rootStream } from '../src/engine/rng.js';
import { GptFamily } from '../src/models/gpt.js';
import type { GptConfig } from '../src/models/gpt-config.js';
import { oneHotF32 } from '../src/models/layers.js';

/** Mean next-token cross-entropy per member, summed over members (each member's own gradient). */
function gptLoss(model: GptFamily, tokens: tf.Tensor3D): tf.Scalar {
  const [M, B, T] = tokens.shape;
  const V = model.vocabSize;
  const logits = tf.slice(model.logits(tokens), [0, 0, 0, 0], [M, B, T - 1, V]); // [M, B, T-1, V]
  const targets = tf.reshape(oneHotF32(tf.reshape(tf.slice(tokens, [0, 0, 1], [M, B, T - 1]), [-1]) as tf.Tensor1D, V), [M, B, T - 1, V]);
  return tf.neg(tf.sum(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1), [1, 2]))) as tf.Scalar;
}

export interface GptStep {
  step(): void;
  /** Reads a small tensor so the backend has finished before the clock is read. */
  sync(): void;
  /** The model's parameters (to compare two runs bit for bit). */
  variables(): tf.Variable[];
  dispose(): void;
}

/** The step on tokens [members, batch, config.context], drawn once from a fixed seed. */
export function gptTrainStep(config: GptConfig, members: number, batch: number, learningRate: number): GptStep {
  const rng = rootStream(1).child('bench-gpt');
  const init = rng.child('init');
  const model = GptFamily.init(config, members, (m) => init.child(String(m)));
  const optimizer: tf.Optimizer = adam(learningRate);
  const data = rng.child('batch');
  const tokens = Int32Array.from({ length: members * batch * config.context }, () => data.int(config.vocabSize));
  return {
    step: () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => gptLoss(model, tf.tensor3d(tokens, [members, batch, config.context], 'int32')), model.variables);
        optimizer.applyGradients(grads);
      }),
    sync: () => void model.variables.at(-1)!.dataSync(),
    variables: () => model.variables,
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}
