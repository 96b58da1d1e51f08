// wasm's BatchMatMul runs traitlab's SIMD kernel where tfjs-wasm would run its scalar loop; its
// values and gradients must equal tfjs-wasm's own kernel (traitlab's switched off) bit for bit, in
// all four transpose cases and past one k-block, and the untransposed batch of 1 stays XNNPACK's.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { servedBatchMatMul } from '../../src/engine/wasm-batch-matmul.js';
import { setWasmKernelsEnabled, wasmKernelsActive } from '../../src/engine/wasm-kernels/instance.js';
import { servedByOurs } from '../../src/engine/wasm-kernels/override.js';
import { withWasmKernels } from '../support/wasm-kernels.js';

const productsServed = () => servedByOurs(tf.BatchMatMul);

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  setWasmKernelsEnabled(true);
  await selectBackend('cpu');
});

/** Value and both gradients of sum(w ⊙ a·b) for a, b of `batch` (leading axes), as flat arrays. */
function valueAndGrads([m, K, n]: number[], batch: number[], tA: boolean, tB: boolean, seed: number): Float32Array[] {
  const rng = rootStream(seed).child('bmm');
  const size = (dims: number[]) => dims.reduce((x, y) => x * y, 1);
  const draw = (shape: number[]) => tf.tensor(Array.from({ length: size(shape) }, () => rng.normal()), shape);
  return tf.tidy(() => {
    const a = draw([...batch, ...(tA ? [K!, m!] : [m!, K!])]);
    const b = draw([...batch, ...(tB ? [n!, K!] : [K!, n!])]);
    const w = draw([...batch, m!, n!]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, tA, tB), w));
    const [da, db] = tf.grads(f)([a, b]);
    return [tf.matMul(a, b, tA, tB), da!, db!].map((t) => t.dataSync() as Float32Array);
  });
}

// tfjs-core's BatchMatMul gradient: the transposes of the products giving dA and dB, per case
const GRADIENT_TRANSPOSES: Record<string, Array<[boolean, boolean]>> = {
  'false,false': [[false, true], [true, false]],
  'false,true': [[false, false], [true, false]],
  'true,false': [[false, true], [false, false]],
  'true,true': [[true, true], [true, true]],
};

const sameBytes = (x: Float32Array, y: Float32Array) => x.length === y.length && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

// [m, k, n] after the batch axes
const cases: Array<{ batch: number[]; mkn: number[]; why: string }> = [
  { batch: [8], mkn: [12, 12, 12], why: 'attention scores at T 12, dh 12: [B·H, T, dh]·[B·H, dh, T]' },
  { batch: [6], mkn: [13, 12, 10], why: "EM's longer rows, a column tail" },
  { batch: [4], mkn: [1, 16, 9], why: 'one query row (KV-cache sampling)' },
  { batch: [2], mkn: [7, 100, 5], why: "the shared dimension over three of tfjs-wasm's k-blocks" },
  { batch: [2, 3], mkn: [5, 6, 7], why: 'two batch axes' },
  { batch: [1], mkn: [9, 11, 6], why: 'a batch of 1 (transposed products only are ours)' },
];

describe('servedBatchMatMul', () => {
  const plain = { transposeA: false, transposeB: false };
  it('serves same-batch products, as [batch, m, K, n]', () => {
    expect(servedBatchMatMul([8, 12, 4], [8, 4, 12], plain)).toEqual([8, 12, 4, 12]);
    expect(servedBatchMatMul([8, 4, 12], [8, 12, 4], { transposeA: true, transposeB: true })).toEqual([8, 12, 4, 12]);
    expect(servedBatchMatMul([2, 3, 5, 6], [2, 3, 6, 7], plain)).toEqual([6, 5, 6, 7]);
    expect(servedBatchMatMul([20, 3], [20, 5], { transposeA: true, transposeB: false })).toEqual([1, 3, 20, 5]);
  });
  it("declines the untransposed batch of 1 (XNNPACK's), broadcast batches, mismatched or empty shapes", () => {
    expect(servedBatchMatMul([64, 32], [32, 96], plain)).toBeNull();
    expect(servedBatchMatMul([1, 64, 32], [1, 32, 96], plain)).toBeNull();
    expect(servedBatchMatMul([1, 2, 3], [2, 3, 2], plain)).toBeNull();
    expect(servedBatchMatMul([2, 2, 3], [2, 4, 2], plain)).toBeNull();
    expect(servedBatchMatMul([2, 0, 3], [2, 3, 2], plain)).toBeNull();
    expect(servedBatchMatMul([2, 3], [2, 2, 3], plain)).toBeNull();
  });
});

describe('BatchMatMul on wasm', () => {
  it("runs traitlab's kernel here (so the comparisons below compare two different kernels)", () => {
    expect(wasmKernelsActive()).toBe(true);
  });

  for (const { batch, mkn, why } of cases)
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const)
      it(`equals tfjs-wasm's own bit for bit, value and gradients (batch [${batch.join(', ')}], [m, k, n] = [${mkn.join(', ')}], transposeA ${tA}, transposeB ${tB}: ${why})`, () => {
        const seed = mkn[0]! + 10 * batch.length;
        const before = productsServed();
        const mine = withWasmKernels(true, () => valueAndGrads(mkn, batch, tA, tB, seed));
        const servedHere = productsServed() - before;
        const theirs = withWasmKernels(false, () => valueAndGrads(mkn, batch, tA, tB, seed));
        expect(productsServed() - before).toBe(servedHere); // none served with the kernels off
        // the forward product twice and both gradients, but at a batch of 1 the untransposed ones keep XNNPACK
        const products = [[tA, tB], [tA, tB], ...GRADIENT_TRANSPOSES[`${tA},${tB}`]!];
        expect(servedHere).toBe(products.filter(([x, y]) => batch.some((d) => d > 1) || x || y).length);
        for (let i = 0; i < 3; i++) expect(sameBytes(mine[i]!, theirs[i]!)).toBe(true);
        expect(mine[0]!.some((v) => v !== 0)).toBe(true);
      });

  it('leaves a broadcast batch to tfjs, with tfjs values', () => {
    const before = productsServed();
    const out = tf.tidy(() => tf.matMul(tf.ones([1, 2, 3]), tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2])).arraySync());
    expect(productsServed()).toBe(before);
    expect(out).toEqual([[[9, 12], [9, 12]], [[27, 30], [27, 30]]]);
  });

  it('leaves no tensor or byte behind (a transposed B is copied to a scratch tensor and freed)', () => {
    const a = tf.ones([3, 4, 5]);
    const b = tf.ones([3, 6, 5]);
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const out = tf.matMul(a, b, false, true);
    expect(out.shape).toEqual([3, 4, 6]);
    expect(out.dataSync()[0]).toBe(5);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    tf.dispose([a, b]);
  });
});
