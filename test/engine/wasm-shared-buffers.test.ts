// On wasm, Identity (tf.clone, and every tensor a gradient saves) and a Cast that keeps the dtype
// share the buffer instead of copying it: no new buffer, and the result outlives its source with
// the same values. A Cast to another dtype still converts.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';

afterAll(async () => {
  await selectBackend('cpu');
});

describe('Identity on wasm', () => {
  it('a clone shares its source buffer and outlives it', async () => {
    await selectBackend('wasm');
    // numDataBuffers counts buffers (tfjs's numBytes counts every tensor's bytes, shared or not)
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor1d([1.5, -2, 3.25, 4]);
    expect(tf.memory().numDataBuffers).toBe(before + 1);
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before + 1); // the stock kernel copied: + 2
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3.25, 4]);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('a same-dtype cast shares; a cast to int32 converts', async () => {
    await selectBackend('wasm');
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor1d([1.5, -2.75, 3]);
    const same = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(before + 1);
    const ints = tf.cast(x, 'int32');
    expect(tf.memory().numDataBuffers).toBe(before + 2);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.75, 3]);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([same, ints]);
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('gradients through saved tensors are unchanged', async () => {
    await selectBackend('wasm');
    const x = tf.tensor1d([0.5, -1, 2]);
    // d/dx Σ exp(x)·x = exp(x)·(1 + x): Exp saves its output, Mul saves both inputs
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.exp(t), t)))(x);
    const want = [0.5, -1, 2].map((v) => Math.exp(v) * (1 + v));
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    tf.dispose([x, g]);
  });
});
