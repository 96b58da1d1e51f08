// The CNN family computes a stride-2 'same'-padded convolution, ReLU, dense, ReLU and output
// layer, member by member, as a plain float64 loop does; its members axis is a layout, not maths.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { CnnFamily, cnnParamSpecs, drawCnnMember, type CnnShape } from '../../src/models/cnn.js';

const SHAPE: CnnShape = { side: 6, kernel: 3, channels: 2, dense: 5, outputs: 4 };
const M = 3;
const B = 2;

/** Member params with non-zero biases, so the check sees them. */
const memberParams = (m: number) =>
  drawCnnMember(SHAPE, rootStream(4).child(String(m))).map((p, i) => (i % 2 === 1 ? p.map((_, j) => 0.1 * (j + 1) - 0.05 * m) : p));

/** Float64 forward of one member on one image (row-major side²). */
function reference(p: Float32Array[], image: Float32Array): number[] {
  const { side, kernel: k, channels: C, dense, outputs } = SHAPE;
  const half = side / 2;
  const r = (k - 1) / 2;
  const features: number[] = [];
  for (let i = 0; i < half; i++)
    for (let j = 0; j < half; j++)
      for (let c = 0; c < C; c++) {
        let s = p[1]![c]!;
        for (let dy = 0; dy < k; dy++)
          for (let dx = 0; dx < k; dx++) {
            const [y, x] = [2 * i + dy - r, 2 * j + dx - r];
            if (y >= 0 && y < side && x >= 0 && x < side) s += image[y * side + x]! * p[0]![(dy * k + dx) * C + c]!;
          }
        features.push(Math.max(0, s));
      }
  const h = Array.from({ length: dense }, (_, o) => Math.max(0, features.reduce((s, f, i) => s + f * p[2]![i * dense + o]!, p[3]![o]!)));
  return Array.from({ length: outputs }, (_, o) => h.reduce((s, v, i) => s + v * p[4]![i * outputs + o]!, p[5]![o]!));
}

describe.each(['cpu', 'wasm'] as const)('CnnFamily on %s', (backend) => {
  const made: CnnFamily[] = [];
  afterAll(() => made.forEach((f) => f.dispose()));
  it('matches a float64 loop member by member, and copies parameters in and out exactly', async () => {
    await selectBackend(backend);
    const params = Array.from({ length: M }, (_, m) => memberParams(m));
    const family = new CnnFamily(SHAPE, params);
    made.push(family);
    const rng = rootStream(8).child('x');
    const images = Float32Array.from({ length: B * 36 }, () => 2 * rng.next() - 1);
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => family.apply(tf.tensor2d(images, [B, 36])));
    expect(logits.shape).toEqual([M, B, SHAPE.outputs]);
    const got = logits.dataSync();
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (let m = 0; m < M; m++)
      for (let b = 0; b < B; b++) {
        const want = reference(params[m]!, images.subarray(b * 36, (b + 1) * 36));
        want.forEach((w, o) => expect(got[(m * B + b) * SHAPE.outputs + o]).toBeCloseTo(w, 5));
      }
    expect(family.memberParams(1)).toEqual(params[1]);
    expect(cnnParamSpecs(SHAPE).map((s) => s.name)).toEqual(['conv.w', 'conv.b', 'dense.w', 'dense.b', 'head.w', 'head.b']);
    expect(family.headVariables.map((v) => v.shape)).toEqual([
      [M, SHAPE.dense, SHAPE.outputs],
      [M, SHAPE.outputs],
    ]);
  });
});
