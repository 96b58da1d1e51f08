// The MNIST auxiliary-logit teacher (Cloud et al. 2025, §MNIST): an MLP 784→…→(10 + m) trained
// with cross-entropy on the 10 class logits only. The m auxiliary logits are never supervised;
// whatever they compute is a side effect of the shared weights — the "trait" a student can
// pick up only through them.
import * as tf from '@tensorflow/tfjs';
import { concatRows, epochBatches, gatherRows, stepsFor } from '../src/engine/batches.js';
import { adam } from '../src/engine/fused-adam.js';
import { trainLoop } from '../src/engine/train-loop.js';
import { crossEntropy } from '../src/distill/logit-losses.js';
import { IMAGE_SIZE, NUM_CLASSES } from '../src/worlds/mnist/data.js';
import type { MnistTeacherRecipe } from './recipe.js';

export const mnistAuxTeacher: MnistTeacherRecipe = {
  name: 'mnist-aux',
  world: 'mnist',
  description: 'MLP trained on the 10 MNIST class logits only; its auxiliary logits are never supervised',
  steps: (data, s) => stepsFor(data.train.n, s.batchSize, s.epochs),
  train(model, data, settings, rng, progress) {
    const { images, labels, n } = data.train;
    // One batch order shared by every member, or one per member (each seed its own order).
    const orders = (Array.isArray(rng) ? rng : [rng]).map((r) => epochBatches(n, settings.batchSize, settings.epochs, r));
    if (orders.length !== 1 && orders.length !== model.members) throw new Error(`${orders.length} data streams for ${model.members} teacher members`);
    const optimizer = adam(settings.learningRate); // tfjs's Adam, its update one kernel per variable on wasm
    try {
      trainLoop({
        label: 'teacher mnist-aux',
        steps: stepsFor(n, settings.batchSize, settings.epochs),
        variables: model.variables,
        optimizer,
        logEvery: progress.logEvery,
        onLog: progress.onLog,
        onStep: progress.onStep,
        numeric: progress.numeric,
        onWarning: progress.onWarning,
        lossPerMember: () => {
          const batch = orders.map((o) => o.next().value as Int32Array);
          const B = batch[0]!.length;
          // Shared: x [B, 784], y [B]. Per member: x [M, B, 784], y [M, B] (member m's rows).
          const x = batch.length === 1 ? tf.tensor2d(gatherRows(images, IMAGE_SIZE, batch[0]!), [B, IMAGE_SIZE]) : tf.tensor3d(concatRows(batch.map((idx) => gatherRows(images, IMAGE_SIZE, idx))), [batch.length, B, IMAGE_SIZE]);
          const ys = Int32Array.from(batch.flatMap((idx) => Array.from(idx, (i) => labels[i]!)));
          const y = batch.length === 1 ? tf.tensor1d(ys, 'int32') : tf.tensor2d(ys, [batch.length, B], 'int32');
          const classLogits = tf.slice(model.apply(x), [0, 0, 0], [-1, -1, NUM_CLASSES]) as tf.Tensor3D; // [M, B, 10]
          return crossEntropy(classLogits, y);
        },
      });
    } finally {
      optimizer.dispose();
    }
  },
};
