// wasm's Sum over middle axes runs traitlab's in-place kernel; it must equal tfjs-wasm's own Sum
// bit for bit (values, shapes with and without keepDims), and leave every other sum to tfjs.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { servedByOurs } from '../../src/engine/wasm-kernels/override.js';
import { middleRun } from '../../src/engine/wasm-middle-sum.js';

const middleSumsServed = () => servedByOurs(tf.Sum);

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await selectBackend('cpu');
});

describe('middleRun', () => {
  it('reads [P, R, Q] off one run of axes short of the last', () => {
    expect(middleRun([8, 768, 64], [1])).toEqual([8, 768, 64]);
    expect(middleRun([768, 64], [0])).toEqual([1, 768, 64]);
    expect(middleRun([2, 3, 4, 5], [1, 2])).toEqual([2, 12, 5]);
    expect(middleRun([2, 3, 4, 5], [-3, -2])).toEqual([2, 12, 5]);
    expect(middleRun([2, 3, 4, 5], [0, 1, 2])).toEqual([1, 24, 5]);
  });
  it('declines the innermost axis, gaps and nothing', () => {
    expect(middleRun([8, 768, 64], [2])).toBeNull();
    expect(middleRun([8, 768, 64], [1, 2])).toBeNull();
    expect(middleRun([2, 3, 4, 5], [0, 2])).toBeNull();
    expect(middleRun([2, 3], [])).toBeNull();
  });
});

/** tfjs-wasm's own Sum (transpose, then a run sum), through its stock kernel code path. */
function stockSum(x: tf.Tensor, axis: number[], keepDims: boolean): tf.Tensor {
  // moving the summed axes last ourselves, then summing the innermost axes, is exactly what the
  // stock kernel does, and our kernel declines innermost sums
  const rank = x.shape.length;
  const kept = [...Array(rank).keys()].filter((a) => !axis.includes(a));
  const moved = tf.transpose(x, [...kept, ...axis]);
  const inner = axis.map((_, i) => kept.length + i);
  const s = tf.sum(moved, inner);
  return keepDims ? tf.reshape(s, x.shape.map((n, i) => (axis.includes(i) ? 1 : n))) : s;
}

const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer);

describe('Sum over middle axes on wasm', () => {
  const cases: Array<[number[], number[]]> = [
    [[8, 768, 64], [1]], // a bias gradient at M = 8
    [[1, 768, 192], [1]],
    [[768, 13], [0]], // a tail of columns past a multiple of 4
    [[3, 5, 7, 6], [1, 2]],
    [[4, 2, 3], [0, 1]],
  ];
  for (const [shape, axis] of cases)
    for (const keepDims of [false, true])
      it(`equals tfjs's transpose-and-sum bit for bit (shape [${shape.join(', ')}], axes [${axis.join(', ')}], keepDims ${keepDims})`, () => {
        const rng = rootStream(shape.length * 31 + axis[0]!).child('sum');
        const x = tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 3), shape);
        const servedBefore = middleSumsServed();
        const mine = tf.sum(x, axis, keepDims);
        expect(middleSumsServed()).toBe(servedBefore + 1); // the in-place kernel ran
        const theirs = stockSum(x, axis, keepDims);
        expect(mine.shape).toEqual(theirs.shape);
        expect(bits(mine).equals(bits(theirs))).toBe(true);
        tf.dispose([x, mine, theirs]);
      });

  it('is not a plain float64 sum: the float32 running sum is what it reproduces', () => {
    const rng = rootStream(4).child('order');
    const vals = Float32Array.from({ length: 500 * 8 }, () => rng.normal() * 1000);
    const x = tf.tensor(vals, [500, 8]);
    const got = tf.sum(x, 0).dataSync();
    let differsFrom64 = 0;
    for (let q = 0; q < 8; q++) {
      let s32 = 0;
      let s64 = 0;
      for (let r = 0; r < 500; r++) {
        s32 = Math.fround(s32 + vals[r * 8 + q]!);
        s64 += vals[r * 8 + q]!;
      }
      expect(got[q]).toBe(s32);
      if (Math.fround(s64) !== s32) differsFrom64++;
    }
    expect(differsFrom64).toBeGreaterThan(0);
    x.dispose();
  });

  it('leaves int32 sums and every-axis sums to tfjs, with tfjs values', () => {
    const servedBefore = middleSumsServed();
    expect(tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).arraySync()).toEqual([4, 6]);
    expect(tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2])).arraySync()).toBe(10);
    expect(tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 1).arraySync()).toEqual([3, 7]);
    expect(middleSumsServed()).toBe(servedBefore);
  });

  it('leaves no tensor behind', () => {
    const x = tf.ones([4, 6, 5]);
    const before = tf.memory().numTensors;
    const s = tf.sum(x, 1);
    expect(s.arraySync()).toEqual(Array(4).fill(Array(5).fill(6)));
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
