// Initialisation as in the published MNIST experiment: W ~ N(0, 1/d_in), b = 0; and the
// family stores member m's init at index m of its [M, d_in, d_out] weights.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { drawMemberInit, MlpFamily, type MemberInit } from '../../src/models/mlp.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;

function moments(a: Float32Array): { mean: number; variance: number } {
  let sum = 0;
  for (const v of a) sum += v;
  const mean = sum / a.length;
  let sq = 0;
  for (const v of a) sq += (v - mean) ** 2;
  return { mean, variance: sq / (a.length - 1) };
}

describe('drawMemberInit', () => {
  const sizes = [784, 256, 256, 13];
  const init = drawMemberInit(sizes, rootStream(1).child('init').child('0'));

  it('has one weight matrix [d_in · d_out] and one bias [d_out] per layer', () => {
    expect(init.weights.map((w) => w.length)).toEqual([784 * 256, 256 * 256, 256 * 13]);
    expect(init.biases.map((b) => b.length)).toEqual([256, 256, 13]);
  });

  it('draws weights with mean ≈ 0 and variance ≈ 1/d_in (5 standard errors)', () => {
    init.weights.forEach((w, l) => {
      const dIn = sizes[l]!;
      const sigma2 = 1 / dIn;
      const n = w.length;
      const { mean, variance } = moments(w);
      // SE(mean) = σ/√n; SE(sample variance) = σ²·√(2/(n−1)) for a normal sample.
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(sigma2 / n));
      expect(Math.abs(variance - sigma2)).toBeLessThan(5 * sigma2 * Math.sqrt(2 / (n - 1)));
    });
  });

  it('draws normal weights: ≈ 68.3 % within one standard deviation', () => {
    const w = init.weights[0]!;
    const sigma = 1 / Math.sqrt(784);
    const inside = w.reduce((a, v) => a + (Math.abs(v) < sigma ? 1 : 0), 0) / w.length;
    const p = 0.682689;
    expect(Math.abs(inside - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / w.length));
  });

  it('sets every bias to exactly 0', () => {
    for (const b of init.biases) for (const v of b) expect(Object.is(v, 0)).toBe(true);
  });

  it('is reproducible from its stream, and different streams give different weights', () => {
    const again = drawMemberInit(sizes, rootStream(1).child('init').child('0'));
    const other = drawMemberInit(sizes, rootStream(1).child('init').child('1'));
    init.weights.forEach((w, l) => {
      expect(sameBits(w, again.weights[l]!)).toBe(true);
      expect(sameBits(w, other.weights[l]!)).toBe(false);
    });
  });
});

describe('MlpFamily storage', () => {
  const sizes = [12, 7, 5];
  const inits: MemberInit[] = [0, 1, 2].map((m) => drawMemberInit(sizes, rootStream(2).child('init').child(String(m))));

  it('holds [M, d_in, d_out] weights and [M, d_out] biases; member m is the init passed in', () => {
    const fam = new MlpFamily(sizes, inits);
    try {
      expect(fam.members).toBe(3);
      expect(fam.weights.map((w) => w.shape)).toEqual([
        [3, 12, 7],
        [3, 7, 5],
      ]);
      expect(fam.biases.map((b) => b.shape)).toEqual([
        [3, 7],
        [3, 5],
      ]);
      expect(fam.variables.length).toBe(4);
      const w0 = fam.weights[0]!.dataSync() as Float32Array;
      inits.forEach((init, m) => {
        // the raw tensor, sliced by hand
        expect(sameBits(w0.subarray(m * 12 * 7, (m + 1) * 12 * 7), init.weights[0]!)).toBe(true);
        // and through memberParams
        const p = fam.memberParams(m);
        p.weights.forEach((w, l) => expect(sameBits(w, init.weights[l]!)).toBe(true));
        p.biases.forEach((b, l) => expect(sameBits(b, init.biases[l]!)).toBe(true));
      });
      // row-major [d_in, d_out]: element (i, j) of member 1, layer 0
      const [i, j] = [5, 3];
      expect(tf.tidy(() => fam.weights[0]!.slice([1, i, j], [1, 1, 1]).dataSync()[0])).toBe(inits[1]!.weights[0]![i * 7 + j]);
    } finally {
      fam.dispose();
    }
  });

  it('memberParams returns copies: changing them leaves the family alone', () => {
    const fam = new MlpFamily(sizes, inits);
    try {
      const p = fam.memberParams(0);
      p.weights[0]![0] = 1234;
      expect(fam.memberParams(0).weights[0]![0]).toBe(inits[0]!.weights[0]![0]);
    } finally {
      fam.dispose();
    }
  });

  it('rejects an empty family', () => {
    expect(() => new MlpFamily(sizes, [])).toThrow();
  });

  // tf.variable keeps its source tensor alive unless it is disposed; a family must free both.
  it('leaves no tensors behind when disposed', () => {
    const before = tf.memory().numTensors;
    const fam = new MlpFamily(sizes, inits, false);
    expect(fam.variables.every((v) => !v.trainable)).toBe(true);
    fam.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
