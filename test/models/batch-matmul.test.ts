// batchMatMul on wasm runs the hand-written SIMD kernel; its values and gradients must equal
// tfjs-wasm's own tf.matMul bit for bit, in all four transpose cases and past one k-block.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { wasmKernelsActive } from '../../src/engine/wasm-kernels/instance.js';
import { batchMatMul } from '../../src/models/batch-matmul.js';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await selectBackend('cpu');
});

type Mm = (a: tf.Tensor3D, b: tf.Tensor3D, tA: boolean, tB: boolean) => tf.Tensor3D;
const stock: Mm = (a, b, tA, tB) => tf.matMul(a, b, tA, tB);

/** Value and both gradients of sum(w ⊙ a·b), as flat arrays. */
function valueAndGrads(mm: Mm, [batch, m, K, n]: number[], tA: boolean, tB: boolean, seed: number): Float32Array[] {
  const rng = rootStream(seed).child('bmm');
  const draw = (count: number) => Array.from({ length: count }, () => rng.normal());
  return tf.tidy(() => {
    const a = tf.tensor3d(draw(batch! * m! * K!), tA ? [batch!, K!, m!] : [batch!, m!, K!]);
    const b = tf.tensor3d(draw(batch! * K! * n!), tB ? [batch!, n!, K!] : [batch!, K!, n!]);
    const w = tf.tensor3d(draw(batch! * m! * n!), [batch!, m!, n!]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x as tf.Tensor3D, y as tf.Tensor3D, tA, tB), w));
    const [da, db] = tf.grads(f)([a, b]);
    return [mm(a, b, tA, tB), da!, db!].map((t) => t.dataSync() as Float32Array);
  });
}

const shapes = [
  [8, 12, 12, 12], // attention scores at T 12, dh 12: [B·H, T, dh]·[B·H, dh, T]
  [6, 13, 12, 10], // EM's longer rows, a column tail
  [4, 1, 16, 9], // one query row (KV-cache sampling)
  [2, 7, 100, 5], // the shared dimension over three of tfjs-wasm's k-blocks
];

describe('batchMatMul on wasm', () => {
  it('runs the SIMD kernel here (so the comparisons below compare two different kernels)', () => {
    expect(wasmKernelsActive()).toBe(true);
  });

  for (const shape of shapes)
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const)
      it(`equals tf.matMul bit for bit, value and gradients ([batch, m, k, n] = [${shape.join(', ')}], transposeA ${tA}, transposeB ${tB})`, () => {
        const mine = valueAndGrads(batchMatMul, shape, tA, tB, shape[1]!);
        const theirs = valueAndGrads(stock, shape, tA, tB, shape[1]!);
        for (let i = 0; i < 3; i++) {
          expect(mine[i]!.length).toBe(theirs[i]!.length);
          expect(Buffer.from(mine[i]!.buffer).equals(Buffer.from(theirs[i]!.buffer))).toBe(true);
        }
        expect(mine[0]!.some((v) => v !== 0)).toBe(true);
      });

  it('falls back to tfjs for batches that broadcast, with tfjs values', () => {
    const [mine, theirs] = [batchMatMul, stock].map((mm) =>
      tf.tidy(() => mm(tf.ones([1, 2, 3]) as tf.Tensor3D, tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]), false, false).arraySync()),
    );
    expect(mine).toEqual(theirs);
    expect(mine).toEqual([[[9, 12]], [[27, 30]]].map((r) => [r[0], r[0]]));
  });

  it('leaves no tensor behind', () => {
    const a = tf.ones([3, 4, 5]) as tf.Tensor3D;
    const b = tf.ones([3, 6, 5]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const out = batchMatMul(a, b, false, true);
    expect(out.shape).toEqual([3, 4, 6]);
    expect(out.dataSync()[0]).toBe(5);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    tf.dispose([a, b]);
  });
});
