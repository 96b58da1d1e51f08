// matMul2d: on wasm a registered kernel whose gradient uses only plain (untransposed) 2D
// matmuls, evaluated only for the inputs that need one. Its value and gradients must equal
// tf.matMul's exactly in maths.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { matMul2d } from '../../src/models/matmul.js';

beforeAll(async () => {
  await selectBackend('cpu');
});
afterAll(async () => {
  await selectBackend('cpu');
});

const [R, Kd, C] = [6, 9, 4];
const rng = rootStream(9).child('matmul');
const aVals = Array.from({ length: R * Kd }, () => rng.normal());
const bVals = Array.from({ length: Kd * C }, () => rng.normal());
const wVals = Array.from({ length: R * C }, () => rng.normal()); // weights the output, so dY is not all ones

type MatMul = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

function valueAndGrads(mm: MatMul): { y: Float32Array; da: Float32Array; db: Float32Array } {
  return tf.tidy(() => {
    const a = tf.tensor2d(aVals, [R, Kd]);
    const b = tf.tensor2d(bVals, [Kd, C]);
    const w = tf.tensor2d(wVals, [R, C]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x as tf.Tensor2D, y as tf.Tensor2D), w));
    const [da, db] = tf.grads(f)([a, b]);
    return { y: mm(a, b).dataSync() as Float32Array, da: da!.dataSync() as Float32Array, db: db!.dataSync() as Float32Array };
  });
}

function maxDiff(x: Float32Array, y: Float32Array): number {
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst;
}

describe('matMul2d', () => {
  it('on wasm (transpose-free gradient): value and gradients equal tf.matMul', async () => {
    await selectBackend('wasm');
    try {
      expect(tf.getBackend()).toBe('wasm');
      const ours = valueAndGrads(matMul2d);
      const stock = valueAndGrads((a, b) => tf.matMul(a, b));
      expect(maxDiff(ours.y, stock.y)).toBeLessThan(1e-5);
      expect(maxDiff(ours.da, stock.da)).toBeLessThan(1e-5);
      expect(maxDiff(ours.db, stock.db)).toBeLessThan(1e-5);
      // and against the closed forms dA = W·Bᵀ, dB = Aᵀ·W (float64)
      const da = Array.from({ length: R * Kd }, (_, idx) => {
        const [r, k] = [Math.floor(idx / Kd), idx % Kd];
        let s = 0;
        for (let c = 0; c < C; c++) s += wVals[r * C + c]! * bVals[k * C + c]!;
        return s;
      });
      const db = Array.from({ length: Kd * C }, (_, idx) => {
        const [k, c] = [Math.floor(idx / C), idx % C];
        let s = 0;
        for (let r = 0; r < R; r++) s += aVals[r * Kd + k]! * wVals[r * C + c]!;
        return s;
      });
      expect(maxDiff(ours.da, Float32Array.from(da))).toBeLessThan(1e-4);
      expect(maxDiff(ours.db, Float32Array.from(db))).toBeLessThan(1e-4);
      // and it leaves nothing behind
      const before = tf.memory().numTensors;
      valueAndGrads(matMul2d);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await selectBackend('cpu');
    }
    expect(tf.getBackend()).toBe('cpu');
  });

  it("on wasm: a data input costs no gradient matmul (only the forward one and dB = Aᵀ·dY run; the gradients' products are TraitlabGemm)", async () => {
    await selectBackend('wasm');
    try {
      const matmulRuns = async (wantA: boolean) => {
        const a = tf.tensor2d(aVals, [R, Kd]);
        const b = tf.variable(tf.tensor2d(bVals, [Kd, C]));
        const info = await tf.profile(() => {
          // a is data (not a variable): only dB is asked for
          tf.dispose(tf.variableGrads(() => tf.sum(matMul2d(a, b)) as tf.Scalar, [b]));
          if (wantA) tf.dispose(tf.grads((x: tf.Tensor) => tf.sum(matMul2d(x as tf.Tensor2D, b)))([a]));
        });
        tf.dispose([a, b]);
        const runs = (name: string) => info.kernels.filter((k) => k.name === name).length;
        return [runs('TraitlabMatMul2d'), runs('TraitlabGemm')];
      };
      // b alone: forward + dB (Aᵀ·dY). With a as well (a second pass): forward + dA (dY·Bᵀ) again.
      expect(await matmulRuns(false)).toEqual([1, 1]);
      expect(await matmulRuns(true)).toEqual([2, 2]);
    } finally {
      await selectBackend('cpu');
    }
  });

  it('on cpu: value and gradients equal tf.matMul', () => {
    const ours = valueAndGrads(matMul2d);
    const stock = valueAndGrads((a, b) => tf.matMul(a, b));
    expect(maxDiff(ours.y, stock.y)).toBe(0);
    expect(maxDiff(ours.da, stock.da)).toBe(0);
    expect(maxDiff(ours.db, stock.db)).toBe(0);
  });
});
