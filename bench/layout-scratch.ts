import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/engine/backend.js';
import { rootStream } from '../src/engine/rng.js';
import { MlpFamily, drawMemberInit } from '../src/models/mlp.js';
const backend = (process.argv[2] ?? 'wasm') as 'wasm';
await selectBackend(backend);
for (const [M, B] of [[1, 128], [5, 128], [20, 128], [1, 1024], [5, 1024]] as const) {
  const rng = rootStream(1);
  const sizes = [784, 256, 256, 13];
  const fam = new MlpFamily(sizes, Array.from({ length: M }, () => drawMemberInit(sizes, rng)));
  const opt = tf.train.adam(3e-4);
  const x = tf.randomUniform([B, 784], -1, 1);
  const y = tf.randomUniform([M, B, 13]);
  const step = () => tf.tidy(() => { opt.minimize(() => tf.mean(tf.square(tf.sub(fam.apply(x as tf.Tensor2D), y))) as tf.Scalar, false, fam.variables); });
  for (let i = 0; i < 3; i++) step();
  const n = 10; const t0 = performance.now();
  for (let i = 0; i < n; i++) step();
  await tf.ready(); (tf.tidy(() => fam.weights[0]!.sum()) ).dataSync();
  const ms = (performance.now() - t0) / n;
  console.log(`M=${M} B=${B}: ${ms.toFixed(1)} ms/step, ${(ms / M).toFixed(1)} ms/member`);
}
