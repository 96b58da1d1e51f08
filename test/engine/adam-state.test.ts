// Adam saved after some steps and restored into fresh variables and a fresh optimizer takes
// the next steps bit for bit as the uninterrupted optimizer does — including when the
// variables list is not in the order of the variables' (numeric) names, which is the order
// tfjs's Adam keeps its slots in — and restoring leaks no tensors.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { restoreAdam, saveAdam } from '../../src/engine/adam-state.js';
import { captureTrainState, restoreTrainState } from '../../src/engine/train-state.js';

/** Two variables made b first, listed [a, b]: list order ≠ name order. */
function model(): tf.Variable[] {
  const variable = (t: tf.Tensor) => {
    const v = tf.variable(t);
    t.dispose(); // the variable holds its own reference
    return v;
  };
  const b = variable(tf.tensor1d([0.5, -0.25, 0.125]));
  const a = variable(tf.tensor2d([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [2, 3]));
  return [a, b];
}

const x = () => tf.tensor2d([1, -2, 0.5, 3, 0.25, -1, 2, 2], [4, 2]);

function step(vars: tf.Variable[], opt: tf.Optimizer, k: number): void {
  tf.tidy(() => {
    const [a, b] = vars as [tf.Variable, tf.Variable];
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(tf.add(tf.matMul(x(), a), b), k * 0.1))) as tf.Scalar, vars);
    opt.applyGradients(grads);
  });
}

const values = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));

describe('saveAdam / restoreAdam', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('continues bit for bit in fresh variables and a fresh optimizer', () => {
    const vars = model();
    const opt = tf.train.adam(0.05);
    for (let k = 0; k < 7; k++) step(vars, opt, k);
    const state = structuredClone(captureTrainState(vars, opt));
    expect(state.adam.iterations).toBe(7);
    for (let k = 7; k < 12; k++) step(vars, opt, k);
    const expected = values(vars);

    const before = tf.memory().numTensors;
    const fresh = model();
    const freshOpt = tf.train.adam(0.05);
    restoreTrainState(state, fresh, freshOpt);
    expect(freshOpt.iterations).toBe(7);
    for (let k = 7; k < 12; k++) step(fresh, freshOpt, k);
    expect(values(fresh)).toEqual(expected);
    expect(saveAdam(freshOpt, fresh)).toEqual(saveAdam(opt, vars));
    for (const v of fresh) v.dispose();
    freshOpt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const v of vars) v.dispose();
    opt.dispose();
  });

  it('refuses a used optimizer and a state for other variables', () => {
    const vars = model();
    const opt = tf.train.adam(0.05);
    step(vars, opt, 0);
    const state = saveAdam(opt, vars);
    expect(() => restoreAdam(opt, state, vars)).toThrow(/fresh optimizer/);
    const other = tf.train.adam(0.05);
    expect(() => restoreAdam(other, state, vars.slice(0, 1))).toThrow(/moments for 2 variables/);
    expect(() => saveAdam(tf.train.sgd(0.1), vars)).toThrow(/tf\.train\.adam/);
    for (const v of vars) v.dispose();
    opt.dispose();
    other.dispose();
  });
});
