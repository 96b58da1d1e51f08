// The MNIST world: the fixed 80/20 per-class split of the mnist package's 10,000 digits,
// scaled to [−1, 1], and seeded uniform noise.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootStream } from '../../../src/engine/rng.js';
import { IMAGE_SIZE, noiseImages, NUM_CLASSES } from '../../../src/worlds/mnist/data.js';
import { loadMnist } from '../../../src/worlds/mnist/digit-files.js';

/** The package's raw digits of class c, read independently of src/worlds. */
function rawDigits(c: number): number[] {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits', `${c}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
}

describe('loadMnist', () => {
  const data = loadMnist();
  const raw = Array.from({ length: NUM_CLASSES }, (_, c) => rawDigits(c));
  const nc = raw.map((r) => r.length / IMAGE_SIZE);

  it('has 8000 train and 2000 test digits', () => {
    expect(nc.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(data.train.n).toBe(8000);
    expect(data.test.n).toBe(2000);
    expect(data.train.images.length).toBe(8000 * IMAGE_SIZE);
    expect(data.test.images.length).toBe(2000 * IMAGE_SIZE);
    expect(data.train.labels.length).toBe(8000);
    expect(data.test.labels.length).toBe(2000);
  });

  it('has pixels in [−1, 1] with both ends attained, in both splits', () => {
    for (const s of [data.train, data.test]) {
      let min = Infinity;
      let max = -Infinity;
      for (const v of s.images) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect(min).toBe(-1);
      expect(max).toBe(1);
    }
  });

  it('puts round(0.8 · n_c) of every class in train and the rest in test', () => {
    const count = (labels: Int32Array) => {
      const k = new Array<number>(NUM_CLASSES).fill(0);
      for (const l of labels) k[l]!++;
      return k;
    };
    const train = count(data.train.labels);
    const test = count(data.test.labels);
    for (let c = 0; c < NUM_CLASSES; c++) {
      expect(nc[c]!).toBeGreaterThan(0);
      expect(train[c]).toBe(Math.round(0.8 * nc[c]!));
      expect(test[c]).toBe(nc[c]! - Math.round(0.8 * nc[c]!));
      expect(test[c]).toBeGreaterThan(0);
    }
  });

  it('keeps the package order: class c train = its first digits, test = the rest, pixels 2p − 1', () => {
    let trainRow = 0;
    let testRow = 0;
    for (let c = 0; c < NUM_CLASSES; c++) {
      const nTrain = Math.round(0.8 * nc[c]!);
      const pick = (rows: number[]) => rows.filter((r) => r >= 0 && r < nc[c]!);
      // first, last and a middle digit of each part
      for (const r of pick([0, Math.floor(nTrain / 2), nTrain - 1])) {
        expect(data.train.labels[trainRow + r]).toBe(c);
        for (const p of [0, 300, 406, 783]) expect(data.train.images[(trainRow + r) * IMAGE_SIZE + p]).toBe(Math.fround(2 * raw[c]![r * IMAGE_SIZE + p]! - 1));
      }
      for (const r of pick([nTrain, nc[c]! - 1])) {
        const row = testRow + r - nTrain;
        expect(data.test.labels[row]).toBe(c);
        for (const p of [0, 300, 406, 783]) expect(data.test.images[row * IMAGE_SIZE + p]).toBe(Math.fround(2 * raw[c]![r * IMAGE_SIZE + p]! - 1));
      }
      // a whole image matches, to be sure rows are not shifted
      const r = nTrain; // first test digit
      const got = data.test.images.subarray((testRow + r - nTrain) * IMAGE_SIZE, (testRow + r - nTrain + 1) * IMAGE_SIZE);
      expect(Array.from(got)).toEqual(raw[c]!.slice(r * IMAGE_SIZE, (r + 1) * IMAGE_SIZE).map((p) => Math.fround(2 * p - 1)));
      trainRow += nTrain;
      testRow += nc[c]! - nTrain;
    }
  });

  it('is loaded once per process', () => {
    expect(loadMnist()).toBe(data);
  });
});

describe('noiseImages', () => {
  it('gives n images of 784 values in [−1, 1) with mean ≈ 0 and variance ≈ 1/3', () => {
    const n = 50;
    const x = noiseImages(n, rootStream(1).child('noise'));
    expect(x.length).toBe(n * IMAGE_SIZE);
    let sum = 0;
    let sumSq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of x) {
      sum += v;
      sumSq += v * v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThan(1);
    expect(min).toBeLessThan(-0.99);
    expect(max).toBeGreaterThan(0.99);
    const mean = sum / x.length;
    const variance = sumSq / x.length - mean * mean;
    // Uniform on [−1, 1): σ² = 1/3, SE(mean) = √(1/3 / N), SE(σ̂²) = √((1/5 − 1/9) / N)
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(1 / 3 / x.length));
    expect(Math.abs(variance - 1 / 3)).toBeLessThan(5 * Math.sqrt((1 / 5 - 1 / 9) / x.length));
  });

  it('is reproducible per stream and differs between streams', () => {
    const a = noiseImages(3, rootStream(1).child('noise'));
    expect(Array.from(noiseImages(3, rootStream(1).child('noise')))).toEqual(Array.from(a));
    expect(Array.from(noiseImages(3, rootStream(2).child('noise')))).not.toEqual(Array.from(a));
    expect(Array.from(noiseImages(3, rootStream(1).child('other')))).not.toEqual(Array.from(a));
    // a prefix: the first image of a longer draw from the same stream is the same image
    expect(Array.from(noiseImages(1, rootStream(1).child('noise')))).toEqual(Array.from(a.subarray(0, IMAGE_SIZE)));
  });
});
