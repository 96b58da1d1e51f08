// GELU with its chains fused on wasm must give tfjs's ops' values and gradients bit for bit.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { gelu, geluOps } from '../../src/models/gelu.js';
import { withWasmKernels } from '../support/wasm-kernels.js';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await selectBackend('cpu');
});

const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer);

/** x across scales (tiny, around the bend, saturated both ways, exact zeros) and an upstream gradient. */
function inputs(shape: number[], seed: number): { x: tf.Tensor; w: tf.Tensor } {
  const rng = rootStream(seed).child('gelu');
  const n = shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n }, (_, i) => (i % 17 === 0 ? 0 : rng.normal() * 10 ** Math.floor(rng.next() * 4 - 2)));
  return { x: tf.tensor(x, shape), w: tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape) };
}

/** The value and the gradient of sum(f(x)·w) with respect to x. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, w: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => tf.sum(tf.mul(f(t), w)))(x);
  return [tf.keep(tf.tidy(() => f(x))), (value.dispose(), grad)];
}

async function kernelNames(f: () => unknown): Promise<string[]> {
  return (await tf.profile(() => f() as tf.Tensor)).kernels.map((k) => k.name);
}

describe('gelu on wasm with traitlab kernels', () => {
  for (const shape of [[1], [7], [2, 3, 5], [6, 64, 128]])
    it(`equals tfjs's ops bit for bit, value and gradient (shape [${shape.join(', ')}])`, () => {
      const { x, w } = inputs(shape, shape.length * 7 + shape[0]!);
      const [y, dx] = valueAndGrad(gelu, x, w);
      const [y0, dx0] = valueAndGrad(geluOps, x, w);
      expect(y.shape).toEqual(shape);
      expect(dx.shape).toEqual(shape);
      expect(bits(y).equals(bits(y0))).toBe(true);
      expect(bits(dx).equals(bits(dx0))).toBe(true);
      tf.dispose([x, w, y, dx, y0, dx0]);
    });

  it('is GELU: 0 at 0, x for large x, 0 for very negative x, 0.8412 at 1, slope 0.5 at 0', () => {
    const y = gelu(tf.tensor1d([0, 1, 8, -8])).dataSync();
    expect(y[0]).toBe(0);
    expect(y[1]).toBeCloseTo(0.8412, 4);
    expect(y[2]).toBeCloseTo(8, 5);
    expect(Math.abs(y[3]!)).toBeLessThan(1e-5);
    expect(tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(tf.tensor1d([0])).dataSync()[0]).toBeCloseTo(0.5, 6);
  });

  it('runs 3 kernels forward and 1 for the gradient (7 and 13+ as ops), and the ops with the kernels off', async () => {
    const { x, w } = inputs([4, 9], 3);
    const forward = await kernelNames(() => gelu(x));
    expect(forward).toEqual(['TraitlabGeluInner', 'Sigmoid', 'Multiply', '']); // '': customGrad's own node
    const backward = await kernelNames(() => tf.grad((t: tf.Tensor) => gelu(t))(x));
    expect(backward.filter((k) => k === 'TraitlabGeluGrad')).toHaveLength(1);
    expect(backward).not.toContain('Square');
    const off = await withWasmKernels(false, () => kernelNames(() => gelu(x)));
    expect(off).not.toContain('TraitlabGeluInner');
    expect(off.filter((k) => k === 'Multiply').length).toBeGreaterThanOrEqual(4);
    tf.dispose([x, w]);
  });

  it('leaves no tensor behind', () => {
    const { x, w } = inputs([3, 8], 5);
    const before = tf.memory().numTensors;
    const [y, dx] = valueAndGrad(gelu, x, w);
    tf.dispose([y, dx]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
