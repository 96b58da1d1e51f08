// memberMatMul and the products of its gradient run on traitlab's gemm kernel on wasm: every
// member's x·W, dY·Wᵀ and Xᵀ·dY must be the bits of the per-member path they replace (split,
// XNNPACK's product per member with traitlab's kernels off, join), over shapes with row tails,
// column tails inside and past the 8-column panels, and B in several column blocks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { wasmKernelsActive } from '../../src/engine/wasm-kernels/instance.js';
import { matMul2d } from '../../src/models/matmul.js';
import { gemmProduct, memberMatMul, gemmServed } from '../../src/models/member-matmul.js';
import { withWasmKernels } from '../support/wasm-kernels.js';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await selectBackend('cpu');
});

const sameBytes = (x: Float32Array, y: Float32Array) => x.length === y.length && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

function draw(shape: number[], seed: number): tf.Tensor {
  const rng = rootStream(seed).child('member-matmul');
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

/** The per-member path: member m's 2-D product on XNNPACK (traitlab's kernels off), stacked. */
function perMember(x: tf.Tensor, w: tf.Tensor, product: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D): Float32Array {
  return withWasmKernels(false, () =>
    tf.tidy(() => {
      const xs = x.rank === 3 ? tf.unstack(x) : null;
      const ws = tf.unstack(w);
      return tf.stack(ws.map((wm, m) => product((xs?.[m] ?? x) as tf.Tensor2D, wm as tf.Tensor2D))).dataSync() as Float32Array;
    }),
  );
}

// [M, N, k, n]: x [M, N, k], W [M, k, n]
const shapes: Array<{ dims: [number, number, number, number]; why: string }> = [
  { dims: [4, 768, 64, 256], why: "the gpt step's MLP weight, 4 members" },
  { dims: [2, 768, 64, 37], why: 'the unembedding: a 5-column tail past four whole panels' },
  { dims: [3, 33, 9, 17], why: 'row and column tails' },
  { dims: [1, 5, 300, 20], why: 'a long shared dimension, fewer rows than one tile' },
  { dims: [2, 70, 300, 150], why: "x·W's B (300 rows) in column blocks of 48, 48, 48 and 6" },
  { dims: [1, 1, 1, 1], why: 'one term' },
];

describe('memberMatMul on wasm', () => {
  it("runs here (wasm with SIMD), so the comparisons below compare traitlab's kernel with XNNPACK", () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelsActive()).toBe(true);
  });

  for (const { dims, why } of shapes) {
    const [M, N, k, n] = dims;
    it(`x [${M}, ${N}, ${k}] · W [${M}, ${k}, ${n}], dY·Wᵀ and Xᵀ·dY are the per-member XNNPACK products, bit for bit (${why})`, () => {
      tf.tidy(() => {
        const x = draw([M, N, k], 1);
        const w = draw([M, k, n], 2);
        const dy = draw([M, N, n], 3);
        expect(sameBytes(memberMatMul(x as tf.Tensor3D, w as tf.Tensor3D).dataSync() as Float32Array, perMember(x, w, matMul2d))).toBe(true);
        const nt = gemmProduct('nt', dy, w).dataSync() as Float32Array;
        expect(nt.length).toBe(M * N * k);
        expect(sameBytes(nt, perMember(dy, w, (a, b) => matMul2d(a, tf.transpose(b))))).toBe(true);
        const tn = gemmProduct('tn', x, dy).dataSync() as Float32Array;
        expect(tn.length).toBe(M * k * n);
        // Xᵀ·dY per member: member m's x and dY
        const ref = withWasmKernels(false, () => tf.tidy(() => tf.stack(tf.unstack(x).map((xm, m) => matMul2d(tf.transpose(xm) as tf.Tensor2D, tf.unstack(dy)[m] as tf.Tensor2D))).dataSync() as Float32Array));
        expect(sameBytes(tn, ref)).toBe(true);
      });
    });
  }

  it('an input shared by every member (2-D x, the MLP on one batch of images): each member its own product', () => {
    tf.tidy(() => {
      const x = draw([20, 13], 4);
      const w = draw([3, 13, 10], 5);
      const ours = gemmProduct('nn', x, w);
      expect(ours.shape).toEqual([3, 20, 10]);
      expect(sameBytes(ours.dataSync() as Float32Array, perMember(x, w, matMul2d))).toBe(true);
    });
  });

  it("its gradients are the per-member path's, bit for bit, with one kernel each and nothing left behind", async () => {
    const grads = (ours: boolean) =>
      tf.tidy(() => {
        const x = draw([3, 40, 12], 6) as tf.Tensor3D;
        const w = draw([3, 12, 9], 7) as tf.Tensor3D;
        const c = draw([3, 40, 9], 8);
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(ours ? memberMatMul(a as tf.Tensor3D, b as tf.Tensor3D) : tf.stack(tf.unstack(b).map((bm, m) => matMul2d(tf.unstack(a)[m] as tf.Tensor2D, bm as tf.Tensor2D))), c));
        return tf.grads(f)([x, w]).map((g) => g.dataSync() as Float32Array);
      });
    const [dx, dw] = grads(true);
    const [sx, sw] = withWasmKernels(false, () => grads(false));
    expect(sameBytes(dx!, sx!)).toBe(true);
    expect(sameBytes(dw!, sw!)).toBe(true);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => void grads(true));
    expect(tf.memory().numTensors).toBe(before);
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((k) => k === 'TraitlabMemberMatMul')).toHaveLength(1);
    expect(names.filter((k) => k === 'TraitlabGemm')).toHaveLength(2); // dX and dW
    expect(names).not.toContain('Transpose');
    expect(names).not.toContain('Pack');
  });

  it('a data input (not differentiated) costs no dX', async () => {
    const x = draw([2, 10, 4], 9) as tf.Tensor3D;
    const w = tf.variable(draw([2, 4, 3], 10));
    const info = await tf.profile(() => tf.dispose(tf.variableGrads(() => tf.sum(memberMatMul(x, w as unknown as tf.Tensor3D)) as tf.Scalar, [w])));
    tf.dispose([x, w]);
    expect(info.kernels.filter((k) => k.name === 'TraitlabGemm')).toHaveLength(1);
  });

  it('refuses operands whose members or inner dimensions differ, naming the shapes', () => {
    tf.tidy(() => {
      expect(() => memberMatMul(draw([2, 5, 3], 1) as tf.Tensor3D, draw([3, 3, 4], 2) as tf.Tensor3D)).toThrow('memberMatMul: x [2, 5, 3] and W [3, 3, 4] have different numbers of members');
      expect(() => memberMatMul(draw([2, 5, 3], 1) as tf.Tensor3D, draw([2, 4, 4], 2) as tf.Tensor3D)).toThrow('memberMatMul (nn): a [2, 5, 3] and b [2, 4, 4] do not share their inner dimension');
    });
  });

  it('is served only for float32 on wasm with its kernels', () => {
    tf.tidy(() => {
      const x = draw([1, 2, 2], 1);
      expect(gemmServed(x, x)).toBe(true);
      expect(withWasmKernels(false, () => gemmServed(x, x))).toBe(false);
      expect(gemmServed(tf.cast(x, 'int32'), x)).toBe(false);
    });
  });
});
