// Numeric faults and the divergence watch: the pieces (checkFinite, NumericFault across a thread
// boundary, LossWatch) and the training loop that uses them.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { injectNan } from '../../src/engine/inject-nan.js';
import { checkFinite, firstNonFinite, LossWatch, NumericFault, temperatureOrLearningRate } from '../../src/engine/numeric.js';
import { rootStream } from '../../src/engine/rng.js';
import { trainLoop } from '../../src/engine/train-loop.js';
import { drawMemberInit, MlpFamily } from '../../src/models/mlp.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const ctx = { stage: 'student-aux', setting: 'distill.temperature' };

describe('checkFinite', () => {
  it('passes finite values and names stage, step and setting of the first NaN or ±Inf', () => {
    expect(() => checkFinite([0, -3.5, 1e30], { ...ctx, step: 4, what: 'loss' })).not.toThrow();
    expect(firstNonFinite(new Float32Array([1, Infinity, NaN]))).toBe(Infinity);
    let fault: unknown;
    try {
      checkFinite([0.5, NaN], { ...ctx, step: 40, what: 'loss' });
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(NumericFault);
    const f = fault as NumericFault;
    expect([f.stage, f.setting, f.step, f.what, f.value]).toEqual(['student-aux', 'distill.temperature', 40, 'loss', NaN]);
    expect(f.message).toBe('numeric fault: the loss of stage student-aux is NaN at step 40; the setting most likely responsible is distill.temperature (change it and run again)');
    expect(f.message).not.toContain('\n');
    expect(() => checkFinite([-Infinity], { ...ctx, step: 1, what: 'probe' })).toThrow('the probe of stage student-aux is -Infinity at step 1');
  });

  it('a fault survives structured cloning (postMessage) as its data, and nothing else revives as one', () => {
    const f = new NumericFault({ stage: 'teacher', setting: 'teacher.learningRate', step: 7, what: 'logits', value: -Infinity });
    const back = NumericFault.fromData(structuredClone(f.toData()));
    expect(back).toBeInstanceOf(NumericFault);
    expect(back!.toData()).toEqual(f.toData());
    expect(back!.message).toBe(f.message);
    expect(NumericFault.fromData(undefined)).toBeNull();
    expect(NumericFault.fromData({ stage: 'x', setting: 'y', step: '3', what: 'loss', value: NaN })).toBeNull();
  });
});

describe('LossWatch', () => {
  it('takes the first losses as reference and warns once, at the first loss above 10 × max(|first|, 1)', () => {
    const w = new LossWatch({ stage: 'teacher', setting: 'teacher.learningRate' });
    expect(w.wantsReference).toBe(true);
    expect(w.observe(1, [2.3, 0.2])).toBeNull();
    expect(w.wantsReference).toBe(false);
    expect(w.observe(2, [23, 9.9])).toBeNull(); // 23 is not above 10 × 2.3; 9.9 is not above 10 × max(0.2, 1)
    expect(w.observe(3, [1, 10.5])).toBe('the loss of stage teacher (member 1) rose to 10.5 at step 3, over 10× its first 0.2: training is diverging; lower teacher.learningRate');
    expect(w.observe(4, [1e6, 1e6])).toBeNull(); // once per stage
  });

  it('compares magnitudes: a negative first loss (e.g. a policy-gradient loss) is its absolute value', () => {
    const w = new LossWatch({ stage: 'arm', setting: 'distill.learningRate' });
    w.observe(1, [-5]);
    expect(w.observe(2, [49])).toBeNull();
    expect(w.observe(3, [51])).toContain('rose to 51 at step 3, over 10× its first -5');
  });

  it('check: finite losses pass through with the warning they give; a NaN throws naming the step, after the test hook', () => {
    const w = new LossWatch({ stage: 'arm', setting: 'distill.learningRate' });
    expect(w.check(1, [2, 3])).toEqual({ losses: [2, 3], warning: null });
    expect(w.check(2, [25, 3]).warning).toContain('rose to 25 at step 2');
    expect(() => w.check(3, [1, Infinity])).toThrow(/the loss of stage arm is Infinity at step 3; the setting most likely responsible is distill\.learningRate/);
    process.env.TRAITLAB_INJECT_NAN = 'arm@4';
    try {
      expect(() => w.check(4, [1, 1])).toThrow(/the loss of stage arm is NaN at step 4/);
    } finally {
      delete process.env.TRAITLAB_INJECT_NAN;
    }
  });
});

describe('temperatureOrLearningRate', () => {
  const fields = { temperature: 'distill.temperature', learningRate: 'distill.learningRate' };
  it('blames a temperature below 1 unless the learning rate is itself 0.1 or more', () => {
    expect(temperatureOrLearningRate(0.5, 0.001, fields)).toBe('distill.temperature');
    expect(temperatureOrLearningRate(0.5, 0.1, fields)).toBe('distill.learningRate');
    expect(temperatureOrLearningRate(1, 0.001, fields)).toBe('distill.learningRate');
  });
});

describe('injectNan (test hook)', () => {
  const saved = process.env.TRAITLAB_INJECT_NAN;
  afterEach(() => {
    if (saved === undefined) delete process.env.TRAITLAB_INJECT_NAN;
    else process.env.TRAITLAB_INJECT_NAN = saved;
  });

  it('changes nothing unset, and member 0 of the named stage and step when set', () => {
    delete process.env.TRAITLAB_INJECT_NAN;
    expect(injectNan('teacher', 2, [1, 2])).toEqual([1, 2]);
    process.env.TRAITLAB_INJECT_NAN = 'pretrain@3@a@5';
    expect(injectNan('pretrain@3@a', 5, [1, 2])).toEqual([NaN, 2]);
    expect(injectNan('pretrain@3@a', 4, [1, 2])).toEqual([1, 2]);
    expect(injectNan('teacher', 5, [1, 2])).toEqual([1, 2]);
  });
});

const SIZES = [6, 8, 3];

function tinyFamily(): MlpFamily {
  const init = rootStream(1).child('init');
  return new MlpFamily(SIZES, [0, 1].map((m) => drawMemberInit(SIZES, init.child(String(m)))));
}

/** Squared error per member [2], times `scale` of step `step` (a loss made to blow up or go NaN). */
function scaledLoss(model: MlpFamily, step: number, scale: (step: number) => number): tf.Tensor1D {
  const x = tf.randomNormal([4, SIZES[0]!], 0, 1, 'float32', 1000 + step) as tf.Tensor2D;
  return tf.mul(tf.mean(tf.square(tf.sub(model.apply(x), 1)), [1, 2]), scale(step)) as tf.Tensor1D;
}

describe('trainLoop', () => {
  it('stops at the first logged step whose loss is NaN, naming the stage, setting and step; the tensor count is where it was', () => {
    const model = tinyFamily();
    const optimizer = tf.train.adam(1e-2);
    const logged: number[] = [];
    const before = tf.memory().numTensors;
    try {
      let fault: unknown;
      try {
        trainLoop({
          label: 'loop',
          steps: 20,
          variables: model.variables,
          optimizer,
          logEvery: 5,
          numeric: { stage: 'teacher', setting: 'teacher.learningRate' },
          // NaN from step index 7 on (0-based): the loop reads it at the next logged step, 10.
          lossPerMember: (step) => scaledLoss(model, step, (s) => (s >= 7 ? NaN : 1)),
          onLog: (step) => logged.push(step),
        });
      } catch (e) {
        fault = e;
      }
      expect(fault).toBeInstanceOf(NumericFault);
      expect((fault as NumericFault).toData()).toEqual({ stage: 'teacher', setting: 'teacher.learningRate', step: 10, what: 'loss', value: NaN });
      expect(logged).toEqual([5]);
      expect(tf.memory().numTensors - before).toBe(2 * model.variables.length); // Adam's two moments per variable: nothing leaked
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });

  it('warns once when the loss explodes, against step 1 even when step 1 is not logged, and logs what it logged before', () => {
    const model = tinyFamily();
    const optimizer = tf.train.adam(1e-3);
    const logged: number[] = [];
    const warnings: [number, string][] = [];
    try {
      trainLoop({
        label: 'loop',
        steps: 12,
        variables: model.variables,
        optimizer,
        logEvery: 4,
        numeric: { stage: 'pretrain', setting: 'pretrain.learningRate' },
        // The loss jumps 1000-fold after step 2: the first logged loss (step 4) is already exploded.
        lossPerMember: (step) => scaledLoss(model, step, (s) => (s >= 2 ? 1000 : 1)),
        onLog: (step) => logged.push(step),
        onWarning: (step, message) => warnings.push([step, message]),
      });
      expect(logged).toEqual([4, 8, 12]);
      expect(warnings.length).toBe(1);
      expect(warnings[0]![0]).toBe(4);
      expect(warnings[0]![1]).toMatch(/^the loss of stage pretrain \(member \d\) rose to [0-9.e+]+ at step 4, over 10× its first [0-9.]+: training is diverging; lower pretrain\.learningRate$/);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });

  it('a normal loss gives no warning', () => {
    const model = tinyFamily();
    const optimizer = tf.train.adam(1e-3);
    const warnings: string[] = [];
    try {
      trainLoop({ label: 'loop', steps: 10, variables: model.variables, optimizer, logEvery: 2, lossPerMember: (step) => scaledLoss(model, step, () => 1), onLog: () => {}, onWarning: (_, m) => warnings.push(m) });
      expect(warnings).toEqual([]);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });
});
