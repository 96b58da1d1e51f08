// Minibatch bookkeeping: every example once per epoch, reshuffled, last batch partial.
import { describe, expect, it } from 'vitest';
import { epochBatches, gatherRows, stepsFor } from '../../src/engine/batches.js';
import { rootStream } from '../../src/engine/rng.js';

describe('epochBatches / stepsFor', () => {
  it('covers every index once per epoch, keeps the partial last batch, and reshuffles per epoch', () => {
    const n = 23;
    const batchSize = 5;
    const epochs = 3;
    const batches = [...epochBatches(n, batchSize, epochs, rootStream(4).child('data'))];
    expect(batches.length).toBe(stepsFor(n, batchSize, epochs));
    expect(batches.map((b) => b.length)).toEqual([5, 5, 5, 5, 3, 5, 5, 5, 5, 3, 5, 5, 5, 5, 3]);
    const perEpoch = [0, 1, 2].map((e) => batches.slice(e * 5, e * 5 + 5).flatMap((b) => Array.from(b)));
    for (const order of perEpoch) expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(perEpoch[0]).not.toEqual(perEpoch[1]);
    const again = [...epochBatches(n, batchSize, epochs, rootStream(4).child('data'))].flatMap((b) => Array.from(b));
    expect(again).toEqual(batches.flatMap((b) => Array.from(b)));
  });

  it('stepsFor counts whole and partial batches', () => {
    expect(stepsFor(1024, 1024, 5)).toBe(5);
    expect(stepsFor(1025, 1024, 2)).toBe(4);
    expect(stepsFor(8000, 128, 1)).toBe(63);
  });
});

describe('gatherRows', () => {
  it('copies the chosen rows in order', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i); // [4, 3]
    expect(Array.from(gatherRows(data, 3, [2, 0, 2]))).toEqual([6, 7, 8, 0, 1, 2, 6, 7, 8]);
    expect(gatherRows(data, 3, []).length).toBe(0);
  });
});
