// Compatible-head students (MNIST): a student whose output layer is a copy of the teacher's
// initial one, a student that trains only its output layer over frozen random layers, and a CNN
// student. The copied head is the teacher's init bit for bit at step 0; frozen layers are
// bit-identical after training while the head moved; the arm leaks no tensor.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/engine/backend.js';
import { rootStream } from '../../../src/engine/rng.js';
import { CNN_HEAD, CnnFamily } from '../../../src/models/cnn.js';
import type { MemberClassifier } from '../../../src/models/member-classifier.js';
import { MlpFamily } from '../../../src/models/mlp.js';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { initContext } from '../../../src/worlds/mnist/init-context.js';
import type { MnistExperiment, StudentArm } from '../../../src/worlds/mnist/schema.js';
import { studentArmSteps, type StudentArmInput } from '../../../src/worlds/mnist/student-arm-steps.js';
import { studentNet } from '../../../src/worlds/mnist/student-nets.js';
import { drain } from '../../../src/engine/drain.js';
import { Interrupted } from '../../../src/engine/stop.js';
import type { LogitDistillState } from '../../../src/distill/logit-distill.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const SIZES = [784, 16, 13];
const M = 2;
const ROOT = 5;
const N = 64; // noise images

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;

const arm = (fields: Partial<StudentArm>): StudentArm => ({ name: 'a', kind: 'student', student: 'cross-init', logits: 'aux', ...fields }) as StudentArm;
const ctx = () => initContext(SIZES, ROOT, M);
const params = (s: MemberClassifier, m: number): Float32Array[] => (s instanceof MlpFamily ? [...s.memberParams(m).weights, ...s.memberParams(m).biases] : (s as CnnFamily).memberParams(m));
/** Output layer of member m: [weights, bias]. */
const headOf = (s: MemberClassifier, m: number): Float32Array[] => {
  const p = params(s, m);
  return s instanceof MlpFamily ? [p[s.weights.length - 1]!, p.at(-1)!] : [p[CNN_HEAD]!, p[CNN_HEAD + 1]!];
};

/** A tiny arm: N noise images, random teacher logits, 2 epochs of batch 16 (8 steps). */
function armInput(a: StudentArm): StudentArmInput {
  const rng = rootStream(9).child('data');
  const noise = Float32Array.from({ length: N * 784 }, () => 2 * rng.next() - 1);
  const teacherLogits = Array.from({ length: M }, () => Float32Array.from({ length: N * 13 }, () => 3 * rng.normal()));
  return {
    arm: a.name,
    backend: 'cpu',
    rootSeed: ROOT,
    sizes: SIZES,
    ...studentNet(a, ctx(), SIZES, ROOT),
    seedsVary: 'init',
    noise: [noise],
    teacherLogits,
    settings: { logits: { start: 10, size: 3 }, epochs: 2, batchSize: 16, learningRate: 0.01, temperature: 1, logEvery: 100 },
    probeEvery: 1000,
  };
}

const testSplit = () => {
  const rng = rootStream(9).child('test');
  return { images: Float32Array.from({ length: 20 * 784 }, () => rng.next()), labels: Int32Array.from({ length: 20 }, (_, i) => i % 10), n: 20 };
};

/** Runs the arm; returns member parameters at step 0 and at the end, and the tensor counts before and after. */
function runArm(a: StudentArm) {
  const before = tf.memory().numTensors;
  const seen: Float32Array[][][] = [];
  const accuracy = drain(studentArmSteps(armInput(a), testSplit(), { onMetrics: () => {}, onStep: () => {} }, undefined, { onProbe: (_, s) => seen.push([0, 1].map((m) => params(s, m))) }));
  return { start: seen[0]!, end: seen.at(-1)!, accuracy, leaked: tf.memory().numTensors - before };
}

describe('a student with the teacher\'s initial output layer', () => {
  it('MLP, cross-init: the head is the teacher\'s init bit for bit at step 0; the hidden layers are the cross-init seed\'s', () => {
    const c = ctx();
    const net = studentNet(arm({ head: 'teacher-init' }), c, SIZES, ROOT);
    const student = new MlpFamily(SIZES, net.inits);
    try {
      for (let m = 0; m < M; m++) {
        const [w, b] = headOf(student, m);
        expect(sameBits(w!, c.teacherInit(m).weights[1]!)).toBe(true);
        expect(sameBits(b!, c.teacherInit(m).biases[1]!)).toBe(true);
        expect(sameBits(student.memberParams(m).weights[0]!, c.initOfSeed(M + m).weights[0]!)).toBe(true);
        expect(sameBits(student.memberParams(m).weights[0]!, c.teacherInit(m).weights[0]!)).toBe(false);
      }
      // without the option: the cross-init seed's own head, not the teacher's
      const own = studentNet(arm({}), c, SIZES, ROOT);
      expect(sameBits(own.inits[0]!.weights[1]!, c.teacherInit(0).weights[1]!)).toBe(false);
      expect(own.headOnly).toBeUndefined();
    } finally {
      student.dispose();
    }
  });

  it('CNN: logits [M, B, 13]; its head is the teacher\'s initial head at step 0 (and its own without the option)', () => {
    const c = ctx();
    const cnn = { channels: 3, kernel: 3 as const };
    for (const [head, isTeacher] of [['teacher-init', true], ['own', false]] as const) {
      const net = studentNet(arm({ head, cnn }), c, SIZES, ROOT);
      expect(net.cnn!.shape).toEqual({ side: 28, kernel: 3, channels: 3, dense: 16, outputs: 13 });
      const student = new CnnFamily(net.cnn!.shape, net.cnn!.params);
      try {
        const logits = tf.tidy(() => student.apply(tf.ones([5, 784])));
        expect(logits.shape).toEqual([M, 5, 13]);
        logits.dispose();
        for (let m = 0; m < M; m++) expect(sameBits(headOf(student, m)[0]!, c.teacherInit(m).weights[1]!)).toBe(isTeacher);
      } finally {
        student.dispose();
      }
    }
  });
});

describe('training only the output layer (train: head)', () => {
  for (const [label, fields] of [
    ['MLP same-init', { student: 'same-init', train: 'head' }],
    ['MLP cross-init with the teacher\'s head', { head: 'teacher-init', train: 'head' }],
    ['CNN with the teacher\'s head', { head: 'teacher-init', train: 'head', cnn: { channels: 2, kernel: 3 } }],
  ] as const) {
    it(`${label}: every other layer is bit-identical after training, the head moved, no tensor leaked`, () => {
      const { start, end, leaked } = runArm(arm(fields as Partial<StudentArm>));
      const headAt = fields.cnn ? [CNN_HEAD, CNN_HEAD + 1] : [1, 3]; // MLP [w0, w1, b0, b1]: the head is w1, b1
      for (let m = 0; m < M; m++)
        start[m]!.forEach((p, i) => {
          if (headAt.includes(i)) {
            if (i === headAt[0]) expect(sameBits(p, end[m]![i]!)).toBe(false);
          } else expect(sameBits(p, end[m]![i]!)).toBe(true);
        });
      expect(leaked).toBe(0);
    });
  }

  it('on the auxiliary logits alone, the head\'s 10 digit rows never move (why the schema refuses train head with logits aux)', () => {
    const { start, end } = runArm(arm({ student: 'same-init', train: 'head' }));
    // MLP [w0, w1, b0, b1]; w1 is [16, 13] row-major, b1 [13]: output j is column j.
    const digitEntries = (w: Float32Array, width: number) => Float32Array.from(Array.from(w).filter((_, i) => i % width < 10));
    for (let m = 0; m < M; m++) {
      expect(sameBits(digitEntries(start[m]![1]!, 13), digitEntries(end[m]![1]!, 13))).toBe(true);
      expect(sameBits(start[m]![3]!.subarray(0, 10), end[m]![3]!.subarray(0, 10))).toBe(true);
      expect(sameBits(start[m]![3]!.subarray(10), end[m]![3]!.subarray(10))).toBe(false); // the aux rows did train
    }
  });

  it('without it (the default) every layer moves, the CNN\'s too, and no tensor leaks', () => {
    for (const fields of [{}, { cnn: { channels: 2, kernel: 3 } }] as const) {
      const { start, end, leaked, accuracy } = runArm(arm(fields as Partial<StudentArm>));
      const moved = start[0]!.map((p, i) => !sameBits(p, end[0]![i]!));
      expect(moved.filter(Boolean).length).toBe(moved.length);
      expect(accuracy).toHaveLength(M);
      expect(leaked).toBe(0);
    }
  });
});

describe('interrupt and resume', () => {
  it('a head-only CNN arm stopped after 3 steps and resumed ends where the uninterrupted arm ends', () => {
    const a = arm({ head: 'teacher-init', train: 'head', cnn: { channels: 2, kernel: 3 } });
    const whole = runArm(a);
    let steps = 0;
    let state: LogitDistillState | undefined;
    const events = { onMetrics: () => {}, onStep: () => void steps++, stopRequested: () => steps >= 3 };
    try {
      drain(studentArmSteps(armInput(a), testSplit(), events));
    } catch (e) {
      state = (e as Interrupted<LogitDistillState>).state;
    }
    expect(state?.step).toBe(3);
    const ends: Float32Array[][] = [];
    const accuracy = drain(studentArmSteps(armInput(a), testSplit(), { onMetrics: () => {}, onStep: () => {} }, state, { onProbe: (_, s) => ends.push(params(s, 0)) }));
    expect(accuracy).toEqual(whole.accuracy);
    ends.at(-1)!.forEach((p, i) => expect(sameBits(p, whole.end[0]![i]!)).toBe(true));
  });
});

describe('schema', () => {
  const file = (student: Record<string, unknown>) => ({
    name: 'x',
    world: 'mnist',
    teacher: { name: 'mnist-aux', epochs: 1, batchSize: 400, learningRate: 0.003 },
    distill: { noiseImages: 320, epochs: 1, batchSize: 16, learningRate: 0.003 },
    arms: [{ name: 's', kind: 'student', student: 'cross-init', logits: 'aux', ...student }],
  });
  it('accepts head, train and cnn (cnn defaults: 4 channels, kernel 3); absent, the arm is today\'s', () => {
    const exp = parseExperiment(file({ head: 'teacher-init', train: 'head', logits: 'all', cnn: {} })) as MnistExperiment;
    expect(exp.arms[0]).toMatchObject({ head: 'teacher-init', train: 'head', cnn: { channels: 4, kernel: 3 } });
    const plain = parseExperiment(file({})) as MnistExperiment;
    expect(Object.keys(plain.arms[0]!).sort()).toEqual(['kind', 'logits', 'name', 'student']);
  });
  it('refuses a head-only student on the auxiliary logits in one line; accepts it on all logits', () => {
    expect(() => parseExperiment(file({ train: 'head' }))).toThrow(
      'arms[0].train: a student that trains only its output layer on the auxiliary logits cannot change its digit logits (their rows get no gradient); use logits "all", or train "all"',
    );
    expect(() => parseExperiment(file({ train: 'head', logits: 'all' }))).not.toThrow();
  });
  it('rejects a CNN student that is not cross-init, a bad head source and an even kernel, naming the field', () => {
    expect(() => parseExperiment(file({ student: 'same-init', cnn: {} }))).toThrow(/arms\[0\]\.student.*cross-init/);
    expect(() => parseExperiment(file({ head: 'teacher' }))).toThrow(/arms\[0\]\.head/);
    expect(() => parseExperiment(file({ cnn: { kernel: 4 } }))).toThrow(/arms\[0\]\.cnn\.kernel/);
  });
});
