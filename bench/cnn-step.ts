// `node dist/bench/cnn-step.js [channels…]`: the time of one distillation step (batch 256, KL on
// the 3 auxiliary logits, Adam) of a 5-member CNN student family against the MNIST MLP student
// on tfjs-wasm, with all layers trained and with only the output layer trained (frozen body).
// Medians of timed steps after warm-up; one process, one thread.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/engine/backend.js';
import { adam } from '../src/engine/fused-adam.js';
import { rootStream } from '../src/engine/rng.js';
import { forwardKl } from '../src/distill/logit-losses.js';
import { drawMemberInit, MlpFamily } from '../src/models/mlp.js';
import { CnnFamily, drawCnnMember } from '../src/models/cnn.js';

const M = 5;
const B = 256;
const K = 13;
const WARM = 5;
const TIMED = 30;

interface Net {
  variables: tf.Variable[];
  headVariables: tf.Variable[];
  apply(x: tf.Tensor2D): tf.Tensor3D;
  dispose(): void;
}

function timeSteps(net: Net, trained: tf.Variable[]): number {
  const rng = rootStream(1).child('bench');
  const x = Float32Array.from({ length: B * 784 }, () => 2 * rng.next() - 1);
  const target = Float32Array.from({ length: M * B * 3 }, () => rng.normal());
  const optimizer: tf.Optimizer = adam(3e-4);
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const logits = tf.slice(net.apply(tf.tensor2d(x, [B, 784])), [0, 0, 10], [-1, -1, 3]) as tf.Tensor3D;
        return tf.sum(forwardKl(tf.tensor3d(target, [M, B, 3]), logits, 1)) as tf.Scalar;
      }, trained);
      optimizer.applyGradients(grads);
    });
  const times: number[] = [];
  for (let i = 0; i < WARM + TIMED; i++) {
    const t0 = performance.now();
    step();
    trained[0]!.dataSync().length;
    if (i >= WARM) times.push(performance.now() - t0);
  }
  optimizer.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

await selectBackend('wasm');
const init = rootStream(2).child('init');
const sizes = [784, 256, 256, K];
const mlp = new MlpFamily(sizes, Array.from({ length: M }, (_, m) => drawMemberInit(sizes, init.child(String(m)))));
const mlpNet: Net = { variables: mlp.variables, headVariables: [mlp.weights.at(-1)!, mlp.biases.at(-1)!], apply: (x) => mlp.apply(x), dispose: () => mlp.dispose() };
console.log(`MLP 784-256-256-13, ${M} members, batch ${B}: all layers ${timeSteps(mlpNet, mlpNet.variables).toFixed(1)} ms, head only ${timeSteps(mlpNet, mlpNet.headVariables).toFixed(1)} ms`);
mlp.dispose();
for (const channels of process.argv.slice(2).map(Number).concat(process.argv.length > 2 ? [] : [4, 8])) {
  const shape = { side: 28, kernel: 3, channels, dense: 256, outputs: K };
  const cnn = new CnnFamily(shape, Array.from({ length: M }, (_, m) => drawCnnMember(shape, init.child(`cnn-${m}`))));
  console.log(`CNN conv3×3×${channels}-stride2-256-13, ${M} members, batch ${B}: all layers ${timeSteps(cnn, cnn.variables).toFixed(1)} ms, head only ${timeSteps(cnn, cnn.headVariables).toFixed(1)} ms · tensors ${tf.memory().numTensors}`);
  cnn.dispose();
}
