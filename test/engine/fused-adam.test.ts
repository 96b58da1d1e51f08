// The fused Adam must train exactly as tfjs's Adam: the same parameters, moments and bias
// corrections bit for bit after several steps, on wasm with traitlab's kernel and off it.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { adam } from '../../src/engine/fused-adam.js';
import { rootStream } from '../../src/engine/rng.js';
import { saveAdam } from '../../src/engine/adam-state.js';
import { withWasmKernels } from '../support/wasm-kernels.js';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await selectBackend('cpu');
});

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// a scalar, sizes past a multiple of 4 (the scalar tail), a gpt-sized weight, a stacked bias
const SHAPES = [[], [1], [3], [7], [4, 5], [64, 192], [8, 1, 37]];

/** Trains fresh variables of SHAPES for `steps` steps of seeded gradients; returns what Adam holds. */
function train(makeOptimizer: (lr: number) => tf.Optimizer, lr: number, steps: number, opts: { asArray?: boolean; skip?: number } = {}) {
  const rng = rootStream(11).child('adam');
  const initial = SHAPES.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
  const variables = SHAPES.map((s, i) => tf.variable(tf.tensor(initial[i]!, s, 'float32')));
  const optimizer = makeOptimizer(lr);
  const gradRng = rootStream(12).child('grads');
  for (let step = 0; step < steps; step++) {
    // gradients across magnitudes, some exactly 0, so every branch of the arithmetic is met
    const grads = variables.map((v) => tf.tensor(Float32Array.from({ length: v.size }, () => (gradRng.next() < 0.1 ? 0 : gradRng.normal() * 10 ** Math.floor(gradRng.next() * 6 - 4))), v.shape));
    // a skipped variable's gradient is null: tfjs makes its slots and leaves them (and it) as they are
    const named = variables.map((v, i) => ({ name: v.name, tensor: (i === opts.skip ? null : grads[i]!) as tf.Tensor }));
    optimizer.applyGradients(opts.asArray ? named : Object.fromEntries(named.map((g) => [g.name, g.tensor])));
    tf.dispose(grads);
  }
  const state = saveAdam(optimizer, variables);
  const params = variables.map((v) => (v.dataSync() as Float32Array).slice());
  optimizer.dispose();
  tf.dispose(variables);
  return { params, state };
}

function expectSame(a: ReturnType<typeof train>, b: ReturnType<typeof train>): void {
  expect(a.state.iterations).toBe(b.state.iterations);
  expect(a.state.accBeta1).toBe(b.state.accBeta1);
  expect(a.state.accBeta2).toBe(b.state.accBeta2);
  a.params.forEach((p, i) => expect(bits(p).equals(bits(b.params[i]!)), `parameter ${i}, shape [${SHAPES[i]}]`).toBe(true));
  a.state.firstMoment.forEach((m, i) => expect(bits(m).equals(bits(b.state.firstMoment[i]!)), `first moment ${i}`).toBe(true));
  a.state.secondMoment.forEach((v, i) => expect(bits(v).equals(bits(b.state.secondMoment[i]!)), `second moment ${i}`).toBe(true));
}

/** How many TraitlabAdam kernels ran inside f. */
async function fusedKernels(f: () => void): Promise<number> {
  const info = await tf.profile(f);
  return info.kernels.filter((k) => k.name === 'TraitlabAdam').length;
}

describe('the fused Adam on wasm', () => {
  for (const lr of [1e-3, 3e-3, 0.1])
    it(`equals tfjs's Adam bit for bit after 6 steps (learning rate ${lr})`, () => {
      const ours = train(adam, lr, 6);
      const theirs = train((r) => tf.train.adam(r), lr, 6);
      expectSame(ours, theirs);
      // the parameters did move, and not by the same amount everywhere
      expect(ours.params[5]!.some((x, j) => x !== ours.params[5]![0] && j > 0)).toBe(true);
    });

  it('equals it with the gradients as a list and with a variable left out of a step', () => {
    expectSame(train(adam, 1e-3, 4, { asArray: true }), train((r) => tf.train.adam(r), 1e-3, 4, { asArray: true }));
    const ours = train(adam, 1e-3, 4, { skip: 3 });
    expectSame(ours, train((r) => tf.train.adam(r), 1e-3, 4, { skip: 3 }));
    // the skipped variable's moments stay zero, as tfjs leaves them
    expect(Array.from(ours.state.firstMoment[3]!)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(ours.state.firstMoment[2]!.every((m) => m !== 0)).toBe(true);
  });

  it('runs one TraitlabAdam per variable on traitlab kernels, none with them off, and the same numbers', async () => {
    const v = tf.variable(tf.ones([3, 5]));
    const g = tf.fill([3, 5], 0.5);
    const optimizer = adam(1e-2);
    expect(await fusedKernels(() => optimizer.applyGradients({ [v.name]: g }))).toBe(1);
    const afterOne = (v.dataSync() as Float32Array).slice();
    expect(afterOne[0]).toBeCloseTo(1 - 1e-2, 6); // Adam's first step moves by lr·sign(g)
    expect(withWasmKernels(false, () => train(adam, 1e-3, 3))).toEqual(train((r) => tf.train.adam(r), 1e-3, 3));
    // tf.profile runs its function before its first await, so inside withWasmKernels(false)
    expect(await withWasmKernels(false, () => fusedKernels(() => optimizer.applyGradients({ [v.name]: g })))).toBe(0);
    optimizer.dispose();
    tf.dispose([v, g]);
  });

  it('refuses a gradient whose size is not the variable\'s, naming the variable', () => {
    const v = tf.variable(tf.ones([3]));
    const g = tf.ones([2]);
    const optimizer = adam(1e-3);
    expect(() => optimizer.applyGradients({ [v.name]: g })).toThrow(`adam: the gradient of variable ${v.name} is float32 [2], the variable float32 [3]; Adam needs them alike`);
    expect(Array.from(v.dataSync())).toEqual([1, 1, 1]);
    optimizer.dispose();
    tf.dispose([v, g]);
  });

  it('leaves no tensor behind', () => {
    const v = tf.variable(tf.ones([6]));
    const optimizer = adam(1e-3);
    const g = tf.ones([6]);
    optimizer.applyGradients({ [v.name]: g }); // the first step makes the two moment slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) optimizer.applyGradients({ [v.name]: g });
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([v, g]);
  });
});

describe('the fused Adam off wasm', () => {
  it('is tfjs\'s Adam on the cpu backend', async () => {
    await selectBackend('cpu');
    try {
      expectSame(train(adam, 1e-3, 3), train((r) => tf.train.adam(r), 1e-3, 3));
    } finally {
      await selectBackend('wasm');
    }
  });
});
