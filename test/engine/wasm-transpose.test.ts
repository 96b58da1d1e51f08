// wasm's Transpose runs traitlab's tiled and run-copying kernels where the permutation reduces to
// one they serve; the bytes must be exactly tfjs-wasm's own, and other permutations stay tfjs's.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { setWasmKernelsEnabled } from '../../src/engine/wasm-kernels/instance.js';
import { servedByOurs } from '../../src/engine/wasm-kernels/override.js';
import { reducePermutation } from '../../src/engine/wasm-transpose.js';
import { withWasmKernels } from '../support/wasm-kernels.js';

const transposesServed = () => servedByOurs(tf.Transpose);

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  setWasmKernelsEnabled(true);
  await selectBackend('cpu');
});

describe('reducePermutation', () => {
  it('drops size-1 axes and merges axes that stay neighbours', () => {
    expect(reducePermutation([8, 12, 4, 16], [0, 2, 1, 3])).toEqual({ shape: [8, 12, 4, 16], perm: [0, 2, 1, 3] });
    expect(reducePermutation([6144, 3, 64], [1, 0, 2])).toEqual({ shape: [6144, 3, 64], perm: [1, 0, 2] });
    expect(reducePermutation([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], perm: [0] });
    expect(reducePermutation([2, 3, 4, 5], [0, 3, 1, 2])).toEqual({ shape: [2, 12, 5], perm: [0, 2, 1] });
    expect(reducePermutation([2, 1, 4, 5], [0, 2, 1, 3])).toEqual({ shape: [40], perm: [0] });
    expect(reducePermutation([768, 256], [1, 0])).toEqual({ shape: [768, 256], perm: [1, 0] });
    expect(reducePermutation([2, 3, 4, 5], [3, 2, 1, 0])).toEqual({ shape: [2, 3, 4, 5], perm: [3, 2, 1, 0] });
  });
});

/** The transpose's bytes with traitlab's kernels on or off (tfjs-wasm's own kernel). */
function bytesOf(x: tf.Tensor, perm: number[], ours: boolean): Buffer {
  return withWasmKernels(ours, () => {
    const y = tf.transpose(x, perm);
    const data = y.dataSync() as Float32Array | Int32Array;
    const bytes = Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    y.dispose();
    return bytes;
  });
}

describe('Transpose on wasm', () => {
  const served: Array<[number[], number[]]> = [
    [[768, 256], [1, 0]], // a weight's transpose in matMul2d's gradient
    [[13, 7], [1, 0]], // rows and columns past a multiple of 4
    [[3, 9, 6], [0, 2, 1]], // batched 2-D
    [[2, 5, 3, 4], [0, 3, 1, 2]], // reduces to batched 2-D
    [[16, 12, 4, 16], [0, 2, 1, 3]], // attention heads
    [[4, 3, 5, 6], [0, 2, 1, 3]], // runs of 6: a tail past a multiple of 4
    [[96, 3, 64], [1, 0, 2]], // q, k, v apart
  ];
  for (const [shape, perm] of served)
    it(`moves tfjs-wasm's bytes exactly (shape [${shape.join(', ')}], perm [${perm.join(', ')}])`, () => {
      const rng = rootStream(shape.length + perm[0]!).child('transpose');
      const size = shape.reduce((a, b) => a * b, 1);
      const vals = Float32Array.from({ length: size }, () => rng.normal());
      vals[1] = NaN;
      vals[2] = -0;
      const x = tf.tensor(vals, shape);
      const before = transposesServed();
      const ours = bytesOf(x, perm, true);
      expect(transposesServed()).toBe(before + 1); // our kernel ran
      const theirs = bytesOf(x, perm, false);
      expect(transposesServed()).toBe(before + 1);
      expect(ours.equals(theirs)).toBe(true);
      // and it is a transpose: the element at the first output position's source index
      expect(ours.readFloatLE(4 * 0)).toBe(vals[0]);
      x.dispose();
    });

  it('moves int32 too, and leaves bool and unserved permutations to tfjs', () => {
    const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const before = transposesServed();
    expect(tf.transpose(ints).arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(transposesServed()).toBe(before + 1);
    expect(tf.transpose(tf.tensor2d([true, false, false, true, true, false], [2, 3], 'bool')).arraySync()).toEqual([[1, 1], [0, 1], [0, 0]]);
    const x = tf.tensor(Float32Array.from({ length: 120 }, (_, i) => i), [2, 3, 4, 5]);
    expect(bytesOf(x, [3, 2, 1, 0], true).equals(bytesOf(x, [3, 2, 1, 0], false))).toBe(true);
    expect(transposesServed()).toBe(before + 1);
    tf.dispose([ints, x]);
  });
});
