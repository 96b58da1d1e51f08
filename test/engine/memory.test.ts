// Memory is owned: the training loop keeps the tensor count flat, and the guard catches a leak.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { MemoryGuard, TensorLeakError } from '../../src/engine/memory.js';
import { rootStream } from '../../src/engine/rng.js';
import { trainLoop } from '../../src/engine/train-loop.js';
import { drawMemberInit, MlpFamily } from '../../src/models/mlp.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const SIZES = [6, 8, 8, 3];

function tinyFamily(members: number, seed = 1): MlpFamily {
  const init = rootStream(seed).child('init');
  return new MlpFamily(SIZES, Array.from({ length: members }, (_, m) => drawMemberInit(SIZES, init.child(String(m)))));
}

/** A squared-error loss per member on a fresh random batch (made inside the step, freed by tidy). */
function lossOn(model: MlpFamily, step: number): tf.Tensor1D {
  const x = tf.randomNormal([4, SIZES[0]!], 0, 1, 'float32', 1000 + step) as tf.Tensor2D;
  const y = model.apply(x); // [M, 4, 3]
  return tf.mean(tf.square(tf.sub(y, 1)), [1, 2]) as tf.Tensor1D;
}

describe('trainLoop memory', () => {
  it('keeps tf.memory().numTensors flat over 50 steps (after the first step)', () => {
    const model = tinyFamily(2);
    const optimizer = tf.train.adam(1e-2);
    const counts: number[] = [];
    const logged: number[] = [];
    try {
      trainLoop({
        label: 'flat-count',
        steps: 50,
        variables: model.variables,
        optimizer,
        logEvery: 10,
        lossPerMember: (step) => lossOn(model, step),
        onLog: (step, loss) => {
          expect(loss.length).toBe(2);
          logged.push(step);
        },
        onStep: () => counts.push(tf.memory().numTensors),
      });
      expect(counts.length).toBe(50);
      expect(counts[49]).toBe(counts[0]);
      expect(Math.max(...counts)).toBe(counts[0]);
      expect(logged).toEqual([10, 20, 30, 40, 50]);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });

  it('fails with TensorLeakError naming the label when a step leaks a tensor', () => {
    const model = tinyFamily(1);
    const optimizer = tf.train.adam(1e-2);
    const leaked: tf.Tensor[] = [];
    let stepsRun = 0;
    try {
      expect(() =>
        trainLoop({
          label: 'leaky-loop',
          steps: 10,
          variables: model.variables,
          optimizer,
          logEvery: 100,
          lossPerMember: (step) => {
            leaked.push(tf.keep(tf.fill([2], step))); // survives the step's tidy: a leak
            return lossOn(model, step);
          },
          onLog: () => undefined,
          onStep: (step) => (stepsRun = step),
        }),
      ).toThrow(TensorLeakError);
      // The baseline is taken after step 1 (burn-in); the leak is caught at step 2.
      expect(stepsRun).toBe(2);
      expect(leaked.length).toBe(2);
    } finally {
      leaked.forEach((t) => t.dispose());
      optimizer.dispose();
      model.dispose();
    }
  });
});

describe('MemoryGuard', () => {
  it('names its label and the counts in the error', () => {
    const guard = new MemoryGuard('my-stage');
    const held: tf.Tensor[] = [];
    try {
      guard.check(); // burn-in: baseline
      guard.check(); // flat: fine
      held.push(tf.scalar(1));
      let error: unknown;
      try {
        guard.check();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TensorLeakError);
      expect((error as Error).message).toContain('my-stage');
      expect((error as Error).message).toMatch(/grew from \d+ to \d+ by step 3/);
    } finally {
      held.forEach((t) => t.dispose());
    }
  });

  it('allows growth during burn-in and a falling count afterwards', () => {
    const guard = new MemoryGuard('burn-in', 2);
    const held = [tf.scalar(1)];
    guard.check();
    held.push(tf.scalar(2)); // growth before the baseline is final
    guard.check();
    held.pop()!.dispose(); // fewer tensors than the baseline is fine
    expect(() => guard.check()).not.toThrow();
    held.forEach((t) => t.dispose());
  });
});
