// matMulTransposedA (Aᵀ·B) on wasm runs traitlab's kernel, which reads A untransposed; its every
// output must be the bits of transposing A and running XNNPACK's product (traitlab's kernels off),
// over shapes with row and column tails, with zeros, infinities and NaN, and inside matMul2d's
// gradient, which then needs no Transpose for dB.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { wasmKernelsActive } from '../../src/engine/wasm-kernels/instance.js';
import { matMul2d, matMulTransposedA } from '../../src/models/matmul.js';
import { withWasmKernels } from '../support/wasm-kernels.js';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await selectBackend('cpu');
});

const sameBytes = (x: Float32Array, y: Float32Array) => x.length === y.length && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

// values placed in A's first rows (as [row, column]) by the specials test: a NaN, ±∞, ±0, a subnormal, the largest floats
const SPECIALS: Array<[number, number, number]> = [[0, 0, NaN], [1, 1, Infinity], [2, 2, -Infinity], [3, 3, -0], [3, 4, 0], [4, 5, 1e-40], [5, 6, 3.4e38], [5, 7, -3.4e38]];

function draw(shape: [number, number], seed: number, special = false): tf.Tensor2D {
  const rng = rootStream(seed).child('tn');
  const values = Array.from({ length: shape[0] * shape[1] }, () => rng.normal());
  if (special) for (const [row, col, v] of SPECIALS) values[row * shape[1] + col] = v;
  return tf.tensor2d(values, shape);
}

/** Aᵀ·B on traitlab's kernel and on tfjs-wasm's (Transpose, then XNNPACK), as flat arrays. */
function bothWays(r: number, m: number, n: number, seed: number, special = false): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const a = draw([r, m], seed, special);
    const b = draw([r, n], seed + 1, special);
    const ours = matMulTransposedA(a, b).dataSync() as Float32Array;
    const stock = withWasmKernels(false, () => matMulTransposedA(a, b).dataSync() as Float32Array);
    return [ours, stock];
  });
}

describe('matMulTransposedA on wasm', () => {
  it("runs here (wasm with SIMD), so the comparisons below compare traitlab's kernel with XNNPACK", () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelsActive()).toBe(true);
  });

  // [r, m, n]: A [r, m], B [r, n]
  const shapes: Array<{ rmn: [number, number, number]; why: string }> = [
    { rmn: [768, 64, 256], why: "the gpt step's first MLP weight: 4-row and 8-column tiles only" },
    { rmn: [768, 37, 64], why: 'the unembedding: a row tail of 1' },
    { rmn: [128, 784, 13], why: "the MNIST head's input rows, 13 columns: an 8-, a 4- and a 1-column tail" },
    { rmn: [33, 9, 17], why: 'tails everywhere' },
    { rmn: [300, 5, 150], why: 'B in blocks of 48 columns, the last of 6 (a 4-column panel and 2 single columns)' },
    { rmn: [5, 3, 6], why: 'fewer rows than one tile' },
    { rmn: [1, 1, 1], why: 'one term' },
    { rmn: [300, 6, 2], why: 'a long sum into 2 columns (scalar code only)' },
  ];
  for (const { rmn, why } of shapes) {
    it(`Aᵀ·B for A [${rmn[0]}, ${rmn[1]}], B [${rmn[0]}, ${rmn[2]}] is XNNPACK's, bit for bit (${why})`, () => {
      const [ours, stock] = bothWays(...rmn, rmn.reduce((x, y) => x + y, 0));
      expect(ours.length).toBe(rmn[1] * rmn[2]);
      expect(sameBytes(ours, stock)).toBe(true);
    });
  }

  it('zeros of either sign, infinities, NaN and subnormals come out as XNNPACK makes them', () => {
    const [ours, stock] = bothWays(6, 9, 11, 5, true);
    // the specials reached the outputs: NaN (from A's column 0), +∞ and −∞ (columns 1 and 2), finite values elsewhere
    expect(ours.some(Number.isNaN)).toBe(true);
    expect(ours.some((v) => v === Infinity) && ours.some((v) => v === -Infinity)).toBe(true);
    expect(ours.some((v) => Number.isFinite(v))).toBe(true);
    expect(sameBytes(ours, stock)).toBe(true);
    // a sum of -0 terms starts from +0, as XNNPACK's does
    const zero = tf.tidy(() => matMulTransposedA(tf.tensor2d([-0], [1, 1]), tf.tensor2d([1], [1, 1])).dataSync()[0]);
    expect(Object.is(zero, 0)).toBe(true);
  });

  it("is one kernel (no Transpose); with traitlab's kernels off, a Transpose and XNNPACK's product", async () => {
    const kernelsOf = async (ours: boolean) =>
      withWasmKernels(ours, async () => {
        const a = draw([12, 5], 1);
        const b = draw([12, 7], 2);
        const info = await tf.profile(() => tf.dispose(matMulTransposedA(a, b)));
        tf.dispose([a, b]);
        return info.kernels.map((k) => k.name);
      });
    expect(await kernelsOf(true)).toEqual(['TraitlabGemm']);
    expect(await kernelsOf(false)).toEqual(['Transpose', 'TraitlabMatMul2d']);
  });

  it('refuses A and B with different numbers of rows, naming both shapes', () => {
    const a = draw([4, 3], 1);
    const b = draw([5, 2], 2);
    expect(() => matMulTransposedA(a, b)).toThrow('matMulTransposedA: A [4, 3] and B [5, 2] must have the same number of rows');
    tf.dispose([a, b]);
  });

  it("matMul2d's gradient: dA and dB through traitlab's kernel, equal to tfjs-wasm's path bit for bit, nothing left behind", async () => {
    const grads = () =>
      tf.tidy(() => {
        const a = draw([70, 20], 3);
        const b = draw([20, 12], 4);
        const w = draw([70, 12], 5);
        const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul2d(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
        return [da!, db!].map((t) => t.dataSync() as Float32Array);
      });
    const ours = grads();
    const stock = withWasmKernels(false, grads);
    expect(sameBytes(ours[0]!, stock[0]!)).toBe(true);
    expect(sameBytes(ours[1]!, stock[1]!)).toBe(true);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => void grads());
    expect(tf.memory().numTensors).toBe(before);
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((k) => k === 'TraitlabGemm')).toHaveLength(2); // dA and dB
    expect(names.filter((k) => k === 'TraitlabMatMul2d')).toHaveLength(1); // the forward product
    expect(names).not.toContain('Transpose');
  });
});
