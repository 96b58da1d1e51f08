// Shared model layers: the wasm heap-copy unstack and the stack with its gradient equal tfjs's
// own ops in value and gradient; oneHotF32 is a float one-hot on wasm (tfjs-wasm's own float32
// oneHot writes int bits); gelu and tanhViaSigmoid equal their closed forms.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { gelu } from '../../src/models/gelu.js';
import { oneHotF32, stackMembers, tanhViaSigmoid, unstackMembers } from '../../src/models/layers.js';
import { maxAbsDiff } from '../support/lm-helpers.js';

afterAll(async () => {
  await selectBackend('cpu');
});

const rng = rootStream(4).child('layers');
const xVals = Float32Array.from({ length: 3 * 5 * 4 }, () => rng.normal());
const wVals = Float32Array.from({ length: 3 * 5 * 4 }, () => rng.normal());

/** Value of f(x) and the gradient of Σ w ⊙ f(x) with respect to x [3, 5, 4]. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor): { y: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor3d(xVals, [3, 5, 4]);
    const w = tf.tensor3d(wVals, [3, 5, 4]);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), w)))(x);
    return { y: Float32Array.from(f(x).dataSync()), dx: Float32Array.from(dx.dataSync()) };
  });
}

describe.each(['wasm', 'cpu'] as const)('on %s', (backend) => {
  it('unstackMembers / stackMembers equal tf.unstack / tf.stack in value and gradient; no leak', async () => {
    await selectBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    // scale each member differently so a member mix-up shows
    const ours = (x: tf.Tensor) => stackMembers(unstackMembers(x).map((t, m) => tf.mul(t, m + 1)));
    const stock = (x: tf.Tensor) => tf.stack(tf.unstack(x).map((t, m) => tf.mul(t, m + 1)));
    const a = valueAndGrad(ours);
    const b = valueAndGrad(stock);
    expect(maxAbsDiff(a.y, b.y)).toBe(0);
    expect(maxAbsDiff(a.dx, b.dx)).toBe(0);
    const before = tf.memory().numTensors;
    valueAndGrad(ours);
    expect(tf.memory().numTensors).toBe(before);
    // int32 and a leading axis of 1
    const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    expect(unstackMembers(ints).map((t) => Array.from(t.dataSync()))).toEqual([[1, 2], [3, 4], [5, 6]]);
    const one = tf.tensor3d([1, 2, 3, 4], [1, 2, 2]);
    expect(unstackMembers(one)[0]!.shape).toEqual([2, 2]);
    tf.dispose([ints, one]);
  });

  it('oneHotF32 is a float32 one-hot', async () => {
    await selectBackend(backend);
    const t = oneHotF32(tf.tensor1d([2, 0, 1], 'int32'), 3);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it('gelu is the tanh approximation; tanhViaSigmoid is tanh', async () => {
    await selectBackend(backend);
    const xs = Array.from({ length: 41 }, (_, i) => (i - 20) / 4);
    const x = tf.tensor1d(xs);
    const c = Math.sqrt(2 / Math.PI);
    const geluRef = xs.map((v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3))));
    expect(maxAbsDiff(gelu(x).dataSync(), geluRef)).toBeLessThan(1e-5);
    expect(maxAbsDiff(tanhViaSigmoid(x).dataSync(), xs.map(Math.tanh))).toBeLessThan(1e-6);
  });
});
