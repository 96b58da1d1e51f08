// The MNIST auxiliary-logit teacher (Cloud et al. 2025, §MNIST): an MLP 784→…→(10 + m) trained
// with cross-entropy on the 10 class logits only. The m auxiliary logits are never supervised;
// whatever they compute is a side effect of the shared weights — the "trait" a student can
// pick up only through them.
import * as tf from '@tensorflow/tfjs';
import { epochBatches, gatherRows, stepsFor } from '../src/engine/batches.js';
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
    const batches = epochBatches(n, settings.batchSize, settings.epochs, rng);
    const optimizer = tf.train.adam(settings.learningRate);
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
          const idx = batches.next().value as Int32Array;
          const x = tf.tensor2d(gatherRows(images, IMAGE_SIZE, idx), [idx.length, IMAGE_SIZE]);
          const y = tf.tensor1d(Array.from(idx, (i) => labels[i]!), 'int32');
          const classLogits = tf.slice(model.apply(x), [0, 0, 0], [-1, -1, NUM_CLASSES]) as tf.Tensor3D; // [M, B, 10]
          return crossEntropy(classLogits, y);
        },
      });
    } finally {
      optimizer.dispose();
    }
  },
};
