// The digits file the PyTorch MNIST peer reads (bench/peer/export-mnist.ts): its layout, which
// bench/peer/mnist_aux_logits_e2e.py's load_digits reads back.
import { describe, expect, it } from 'vitest';
import { mnistBytes } from '../../bench/peer/export-mnist.js';

describe('mnistBytes', () => {
  it('writes a 24-byte header, then train images, labels, test images, labels, little-endian', () => {
    const train = { images: Float32Array.from([0.5, -1, 1, 0, 0.25, -0.5]), labels: Int32Array.from([3, 9]) };
    const test = { images: Float32Array.from([1, 1, -1]), labels: Int32Array.from([7]) };
    const b = mnistBytes(train, test, 3);
    expect(b.length).toBe(24 + 4 * (6 + 2 + 3 + 1));
    expect(b.subarray(0, 8).toString('latin1')).toBe('TLMNIST1');
    expect([b.readUInt32LE(8), b.readUInt32LE(12), b.readUInt32LE(16), b.readUInt32LE(20)]).toEqual([2, 1, 3, 0]);
    const floats = (at: number, n: number) => Array.from({ length: n }, (_, i) => b.readFloatLE(at + 4 * i));
    const ints = (at: number, n: number) => Array.from({ length: n }, (_, i) => b.readInt32LE(at + 4 * i));
    expect(floats(24, 6)).toEqual([0.5, -1, 1, 0, 0.25, -0.5]);
    expect(ints(48, 2)).toEqual([3, 9]);
    expect(floats(56, 3)).toEqual([1, 1, -1]);
    expect(ints(68, 1)).toEqual([7]);
  });
});
