// LayerNorm with its passes fused on wasm must give tfjs's ops' values and gradients bit for
// bit — x's gradient included when x has another use (the residual), whose term tfjs's tape adds
// to x's gradient before LayerNorm's three.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { layerNorm, layerNormOps } from '../../src/models/layer-norm.js';
import { withWasmKernels } from '../support/wasm-kernels.js';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await selectBackend('cpu');
});

const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer);

function data(shape: [number, number, number], seed: number) {
  const rng = rootStream(seed).child('ln');
  const [M, , d] = shape;
  const n = shape.reduce((a, b) => a * b, 1);
  const t = (len: number, s: number[], f: () => number) => tf.tensor(Float32Array.from({ length: len }, f), s);
  return {
    // rows offset from 0 and of different scales, so the mean and variance terms matter
    x: t(n, shape, () => rng.normal() * 3 + 1.5),
    g: t(M * d, [M, d], () => 1 + 0.3 * rng.normal()) as tf.Tensor2D,
    b: t(M * d, [M, d], () => 0.2 * rng.normal()) as tf.Tensor2D,
    w1: t(n, shape, () => rng.normal()),
    w2: t(n, shape, () => rng.normal()),
  };
}

type Ln = (x: tf.Tensor, g: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor;

/** The value, and the gradients at x, g, b of sum((x + ln(x)·w1)·w2) (residual) or sum(ln(x)·w1). */
function run(ln: Ln, v: ReturnType<typeof data>, residual: boolean): tf.Tensor[] {
  const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const y = tf.mul(ln(x, g as tf.Tensor2D, b as tf.Tensor2D), v.w1);
    return tf.sum(residual ? tf.mul(tf.add(x, y), v.w2) : y) as tf.Scalar;
  };
  const grads = tf.grads(f)([v.x, v.g, v.b]);
  return [tf.tidy(() => ln(v.x, v.g, v.b)), ...grads];
}

describe('layerNorm on wasm with traitlab kernels', () => {
  const shapes: Array<[number, number, number]> = [[1, 3, 4], [2, 5, 7], [8, 96, 64], [3, 12, 32]];
  for (const shape of shapes)
    for (const residual of [false, true])
      it(`equals tfjs's ops bit for bit: value, dx, dg, db (shape [${shape.join(', ')}]${residual ? ', x also in a residual' : ''})`, () => {
        const v = data(shape, shape[1] + shape[2]);
        const ours = run(layerNorm, v, residual);
        const theirs = run(layerNormOps, v, residual);
        ['value', 'dx', 'dg', 'db'].forEach((what, i) => {
          expect(ours[i]!.shape, what).toEqual(theirs[i]!.shape);
          expect(bits(ours[i]!).equals(bits(theirs[i]!)), what).toBe(true);
        });
        tf.dispose([...ours, ...theirs, ...Object.values(v)]);
      });

  it('normalises: each row of (out − b)/g has mean 0 and variance 1 − ε-ish', () => {
    const v = data([2, 4, 16], 1);
    const ones = tf.ones([2, 16]) as tf.Tensor2D;
    const zeros = tf.zeros([2, 16]) as tf.Tensor2D;
    const y = layerNorm(v.x, ones, zeros);
    const { mean, variance } = tf.moments(y, -1);
    for (const m of mean.dataSync()) expect(Math.abs(m)).toBeLessThan(1e-5);
    for (const s of variance.dataSync()) expect(s).toBeCloseTo(1, 3);
    tf.dispose([y, mean, variance, ones, zeros, ...Object.values(v)]);
  });

  it('runs 4 kernels forward (about 14 as ops) and falls back to the ops with the kernels off or for other ranks', async () => {
    const v = data([2, 6, 8], 2);
    const names = async (f: () => tf.Tensor) => (await tf.profile(f)).kernels.map((k) => k.name).filter((n) => n !== '');
    expect(await names(() => layerNorm(v.x, v.g, v.b))).toEqual(['TraitlabLnStats', 'Add', 'Rsqrt', 'TraitlabLnApply']);
    const off = await withWasmKernels(false, () => names(() => layerNorm(v.x, v.g, v.b)));
    expect(off).toContain('Mean');
    expect(off).not.toContain('TraitlabLnStats');
    const x4 = tf.reshape(v.x, [2, 2, 3, 8]);
    expect(await names(() => layerNorm(x4, v.g, v.b))).toContain('Mean');
    tf.dispose([x4, ...Object.values(v)]);
  });

  it('leaves no tensor behind', () => {
    const v = data([2, 3, 4], 3);
    const before = tf.memory().numTensors;
    tf.dispose(run(layerNorm, v, true));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(v));
  });
});
