// The members axis is a layout choice, not a change of maths: member m of a family computes
// exactly what a one-member family built from member m's init computes, whatever the input form.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { wasmKernelsActive } from '../../src/engine/wasm-kernels/instance.js';
import { drawMemberInit, MlpFamily, type MemberInit } from '../../src/models/mlp.js';
import { withWasmKernels } from '../support/wasm-kernels.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const SIZES = [10, 8, 6, 4];
const B = 5;
const initOf = (m: number): MemberInit => drawMemberInit(SIZES, rootStream(3).child('init').child(String(m)));
const inputs = (rows: number, seed: number) => {
  const rng = rootStream(seed).child('x');
  return Float32Array.from({ length: rows * SIZES[0]! }, () => rng.normal());
};

/** Float64 reference forward pass of one member on row-major x [B, d_in]. */
function referenceForward(init: MemberInit, x: Float32Array, rows: number): number[] {
  let h = Array.from(x);
  for (let l = 0; l + 1 < SIZES.length; l++) {
    const [dIn, dOut] = [SIZES[l]!, SIZES[l + 1]!];
    const next = new Array<number>(rows * dOut).fill(0);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < dOut; j++) {
        let s = init.biases[l]![j]!;
        for (let i = 0; i < dIn; i++) s += h[r * dIn + i]! * init.weights[l]![i * dOut + j]!;
        next[r * dOut + j] = l + 2 < SIZES.length ? Math.max(0, s) : s;
      }
    h = next;
  }
  return h;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number) {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Non-zero biases, so the tests see them (the published init has b = 0). */
function withBiases(init: MemberInit, m: number): MemberInit {
  return { weights: init.weights, biases: init.biases.map((b, l) => b.map((_, j) => 0.1 * (j - 2) + 0.05 * m + 0.01 * l)) };
}

describe('MlpFamily.apply', () => {
  const families: MlpFamily[] = [];
  afterAll(() => families.forEach((f) => f.dispose()));
  const family = (inits: MemberInit[]) => {
    const f = new MlpFamily(SIZES, inits);
    families.push(f);
    return f;
  };

  for (const M of [1, 3]) {
    describe(`M = ${M}`, () => {
      const inits = Array.from({ length: M }, (_, m) => withBiases(initOf(m), m));
      const x = inputs(B, 1);
      const xs = Array.from({ length: M }, (_, m) => inputs(B, 10 + m));

      it('shared input [B, d] → [M, B, out], member m = its one-member family = the float64 reference', () => {
        const fam = family(inits);
        const out = tf.tidy(() => fam.apply(tf.tensor2d(x, [B, SIZES[0]!])));
        expect(out.shape).toEqual([M, B, SIZES.at(-1)]);
        const all = out.dataSync();
        out.dispose();
        const per = B * SIZES.at(-1)!;
        inits.forEach((init, m) => {
          const single = family([init]);
          const alone = tf.tidy(() => single.apply(tf.tensor2d(x, [B, SIZES[0]!])).dataSync());
          expectClose(all.subarray(m * per, (m + 1) * per), alone, 1e-5);
          expectClose(alone, referenceForward(init, x, B), 1e-5);
        });
      });

      it('per-member input [M, B, d] → [M, B, out], member m sees only its own input', () => {
        const fam = family(inits);
        const stacked = new Float32Array(M * B * SIZES[0]!);
        xs.forEach((xm, m) => stacked.set(xm, m * B * SIZES[0]!));
        const out = tf.tidy(() => fam.apply(tf.tensor3d(stacked, [M, B, SIZES[0]!])));
        expect(out.shape).toEqual([M, B, SIZES.at(-1)]);
        const all = out.dataSync();
        out.dispose();
        const per = B * SIZES.at(-1)!;
        inits.forEach((init, m) => {
          const single = family([init]);
          const alone = tf.tidy(() => single.apply(tf.tensor2d(xs[m]!, [B, SIZES[0]!])).dataSync());
          expectClose(all.subarray(m * per, (m + 1) * per), alone, 1e-5);
          expectClose(alone, referenceForward(init, xs[m]!, B), 1e-5);
        });
      });

      it('shared input equals the same input given per member', () => {
        const fam = family(inits);
        const [a, b] = tf.tidy(() => {
          const x2 = tf.tensor2d(x, [B, SIZES[0]!]);
          return [fam.apply(x2).dataSync(), fam.apply(tf.tile(x2.expandDims(0), [M, 1, 1]) as tf.Tensor3D).dataSync()];
        });
        expectClose(a!, b!, 1e-5);
      });

      it("member m's gradients equal those of its one-member family (members train independently)", () => {
        const fam = family(inits);
        const target = (rows: number) => tf.linspace(-1, 1, rows * SIZES.at(-1)!).reshape([1, rows, SIZES.at(-1)!]);
        const lossOf = (f: MlpFamily) => () => tf.sum(tf.square(tf.sub(f.apply(tf.tensor2d(x, [B, SIZES[0]!])), target(B)))) as tf.Scalar;
        const famGrads = tf.tidy(() => {
          const { grads } = tf.variableGrads(lossOf(fam), fam.variables);
          return fam.variables.map((v) => grads[v.name]!.dataSync());
        });
        inits.forEach((init, m) => {
          const single = family([init]);
          const singleGrads = tf.tidy(() => {
            const { grads } = tf.variableGrads(lossOf(single), single.variables);
            return single.variables.map((v) => grads[v.name]!.dataSync());
          });
          singleGrads.forEach((g, i) => {
            const size = g.length;
            expectClose(famGrads[i]!.subarray(m * size, (m + 1) * size), g, 1e-4);
            expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(0);
          });
        });
      });
    });
  }

  it('applies ReLU between layers and none on the output', () => {
    // One hidden unit that copies x; output = hidden − 1. For x = −2: ReLU gives 0 → output −1.
    const init: MemberInit = { weights: [Float32Array.of(1), Float32Array.of(1)], biases: [Float32Array.of(0), Float32Array.of(-1)] };
    const fam = new MlpFamily([1, 1, 1], [init]);
    const out = tf.tidy(() => Array.from(fam.apply(tf.tensor2d([-2, 3], [2, 1])).dataSync()));
    fam.dispose();
    expect(out).toEqual([-1, 2]);
  });

  it('leaves no tensors behind', () => {
    const fam = family([initOf(0), initOf(1)]);
    const x = tf.tensor2d(inputs(B, 2), [B, SIZES[0]!]);
    const before = tf.memory().numTensors;
    fam.apply(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe("MlpFamily on wasm: the stacked layout (traitlab's kernels) against the split one (XNNPACK)", () => {
  const sameBytes = (x: Float32Array, y: Float32Array) => x.length === y.length && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  const M = 3;
  /** Logits and the gradients of every parameter and (inputGradient) of the input, as flat arrays. */
  const run = (shared: boolean, inputGradient = true) =>
    tf.tidy(() => {
      const family = new MlpFamily(SIZES, [0, 1, 2].map(initOf));
      const x = shared ? tf.tensor2d(inputs(B, 1), [B, SIZES[0]!]) : tf.tensor3d(inputs(M * B, 2), [M, B, SIZES[0]!]);
      const c = tf.tensor3d(inputs(M * B, 3).subarray(0, M * B * SIZES.at(-1)!), [M, B, SIZES.at(-1)!]);
      const f = (input: tf.Tensor, ...params: tf.Tensor[]) => {
        void params;
        return tf.sum(tf.mul(family.apply(input as tf.Tensor2D), c));
      };
      const grads = inputGradient ? tf.grads(f)([x, ...family.variables]) : tf.grads((...p: tf.Tensor[]) => f(x, ...p))(family.variables);
      const out = [family.apply(x), ...grads].map((t) => t.dataSync() as Float32Array);
      family.dispose();
      return out;
    });

  for (const shared of [true, false]) {
    it(`${shared ? 'one input batch for every member' : 'a batch per member'}: logits and every gradient (the input's too) bit for bit; training makes no Transpose or split`, async () => {
      await selectBackend('wasm');
      try {
        expect(wasmKernelsActive()).toBe(true);
        const ours = run(shared);
        const split = withWasmKernels(false, () => run(shared));
        expect(ours.length).toBe(2 + 2 * (SIZES.length - 1));
        ours.forEach((values, i) => expect(sameBytes(values, split[i]!), `output ${i}`).toBe(true));
        // (a shared input's own gradient sums over the members side by side: its operands are transposed first)
        const info = await tf.profile(() => void run(shared, false));
        const names = info.kernels.map((k) => k.name);
        expect(names.filter((k) => k === 'TraitlabMemberMatMul')).toHaveLength(2 * (SIZES.length - 1)); // the two forward passes
        for (const gone of ['Transpose', 'TraitlabUnstack0', 'Pack', 'TraitlabMatMul2d']) expect(names).not.toContain(gone);
      } finally {
        await selectBackend('cpu');
      }
    });
  }
});
