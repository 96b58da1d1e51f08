// Distillation trains the student and only reads the teacher (snake-dqn's online/target test).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { distillLogits, teacherTargets } from '../../src/distill/logit-distill.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { drawMemberInit, MlpFamily } from '../../src/models/mlp.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const SIZES = [12, 10, 7];
const M = 2;
const N = 48;
const RANGE = { start: 4, size: 3 };

const snapshot = (f: MlpFamily) => f.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;

function setup() {
  const root = rootStream(21);
  const teacher = new MlpFamily(
    SIZES,
    // trainable, as the pipeline's teacher is: only the variables handed to the optimizer may move
    Array.from({ length: M }, (_, m) => drawMemberInit(SIZES, root.child('teacher').child(String(m)))),
  );
  const student = new MlpFamily(
    SIZES,
    Array.from({ length: M }, (_, m) => drawMemberInit(SIZES, root.child('student').child(String(m)))),
  );
  const noise = root.child('noise');
  const inputs = Float32Array.from({ length: N * SIZES[0]! }, () => 2 * noise.next() - 1);
  return { root, teacher, student, inputs };
}

describe('distillLogits', () => {
  it("changes every student variable, leaves every teacher variable bit-identical, and lowers the KL", () => {
    const { root, teacher, student, inputs } = setup();
    try {
      const teacherBefore = snapshot(teacher);
      const studentBefore = snapshot(student);
      const kls: number[][] = [];
      let steps = 0;
      distillLogits(teacher, student, root.child('distill-data'), {
        label: 'test distill',
        inputs,
        logits: RANGE,
        epochs: 10,
        batchSize: 16,
        learningRate: 1e-2,
        temperature: 1,
        logEvery: 3,
        onLog: (_, kl) => kls.push(kl),
        onStep: (s) => (steps = s),
      });
      expect(steps).toBe(30);
      snapshot(teacher).forEach((v, i) => expect(sameBits(v, teacherBefore[i]!)).toBe(true));
      // Every weight tensor of the student moved, per member. Output biases outside the
      // distilled range (and the weights feeding them) get no gradient, so compare per column.
      const studentAfter = snapshot(student);
      studentAfter.forEach((v, i) => expect(sameBits(v, studentBefore[i]!)).toBe(false));
      const wOut = studentAfter[1]!; // [M, 10, 7]
      const wOut0 = studentBefore[1]!;
      for (let m = 0; m < M; m++)
        for (let h = 0; h < SIZES[1]!; h++)
          for (let j = 0; j < SIZES[2]!; j++) {
            const idx = (m * SIZES[1]! + h) * SIZES[2]! + j;
            const inRange = j >= RANGE.start && j < RANGE.start + RANGE.size;
            if (!inRange) expect(wOut[idx]).toBe(wOut0[idx]);
          }
      expect(kls.length).toBe(10);
      kls[0]!.forEach((kl, m) => {
        expect(kl).toBeGreaterThan(0);
        expect(kls.at(-1)![m]!).toBeLessThan(kl);
      });
    } finally {
      teacher.dispose();
      student.dispose();
    }
  });

  it('with a student that starts as the teacher, the first KL is 0', () => {
    const { root, teacher, inputs } = setup();
    const copy = new MlpFamily(SIZES, Array.from({ length: M }, (_, m) => teacher.memberParams(m)));
    try {
      const kls: number[][] = [];
      distillLogits(teacher, copy, root.child('distill-data'), {
        label: 'copy',
        inputs,
        logits: RANGE,
        epochs: 1,
        batchSize: 16,
        learningRate: 1e-2,
        temperature: 2,
        logEvery: 1,
        onLog: (_, kl) => kls.push(kl),
      });
      for (const v of kls[0]!) expect(Math.abs(v)).toBeLessThan(1e-6);
    } finally {
      teacher.dispose();
      copy.dispose();
    }
  });

  it('teacherTargets gives the teacher logits in the range, per member, whatever the chunking', () => {
    const { teacher, student, inputs } = setup();
    try {
      const targets = teacherTargets(teacher, inputs, RANGE);
      expect(targets.length).toBe(M);
      const full = tf.tidy(() => teacher.apply(tf.tensor2d(inputs, [N, SIZES[0]!])).dataSync()); // [M, N, 7]
      for (let m = 0; m < M; m++) {
        expect(targets[m]!.length).toBe(N * RANGE.size);
        for (let i = 0; i < N; i++)
          for (let k = 0; k < RANGE.size; k++)
            expect(targets[m]![i * RANGE.size + k]).toBeCloseTo(full[(m * N + i) * SIZES[2]! + RANGE.start + k]!, 5);
      }
    } finally {
      teacher.dispose();
      student.dispose();
    }
  });

  it('refuses a teacher and a student with different member counts', () => {
    const { teacher, student, inputs, root } = setup();
    const one = new MlpFamily(SIZES, [student.memberParams(0)]);
    try {
      expect(() =>
        distillLogits(teacher, one, root, {
          label: 'mismatch',
          inputs,
          logits: RANGE,
          epochs: 1,
          batchSize: 16,
          learningRate: 1e-2,
          temperature: 1,
          logEvery: 1,
          onLog: () => undefined,
        }),
      ).toThrow(/members/);
    } finally {
      teacher.dispose();
      student.dispose();
      one.dispose();
    }
  });
});
