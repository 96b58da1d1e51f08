// Same config + seed + backend ⇒ identical weights; another seed ⇒ other weights. Exercised
// through the real teacher recipe on a tiny synthetic dataset of MNIST's shape.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { teacherRegistry } from '../../teachers/index.js';
import { mnistAuxTeacher } from '../../teachers/mnist-aux.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream, type RandomStream } from '../../src/engine/rng.js';
import { drawMemberInit, MlpFamily, type MemberInit } from '../../src/models/mlp.js';
import { IMAGE_SIZE, NUM_CLASSES, type MnistData, type MnistSplit } from '../../src/worlds/mnist/data.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const SIZES = [IMAGE_SIZE, 8, NUM_CLASSES + 3];
const M = 2;
const SETTINGS = { epochs: 2, batchSize: 16, learningRate: 1e-2 };

/** n random "images" in [−1, 1) with labels 0..9, fixed by `rng`. */
function split(n: number, rng: RandomStream): MnistSplit {
  const images = Float32Array.from({ length: n * IMAGE_SIZE }, () => 2 * rng.next() - 1);
  const labels = Int32Array.from({ length: n }, (_, i) => i % NUM_CLASSES);
  return { images, labels, n };
}
const DATA: MnistData = { train: split(40, rootStream(99).child('train')), test: split(10, rootStream(99).child('test')) };

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;
const sameParams = (a: MemberInit, b: MemberInit) =>
  a.weights.every((w, l) => sameBits(w, b.weights[l]!)) && a.biases.every((x, l) => sameBits(x, b.biases[l]!));

/** A teacher run as the pipeline does it: inits from root/init/<m>, batches from root/teacher-data. */
function trainTeacher(seed: number, dataSeed = seed): { before: MemberInit[]; after: MemberInit[]; losses: number[][] } {
  const root = rootStream(seed);
  const inits = Array.from({ length: M }, (_, m) => drawMemberInit(SIZES, root.child('init').child(String(m))));
  const model = new MlpFamily(SIZES, inits);
  const losses: number[][] = [];
  try {
    mnistAuxTeacher.train(model, DATA, SETTINGS, rootStream(dataSeed).child('teacher-data'), {
      logEvery: 1,
      onLog: (_, l) => losses.push(l),
      onStep: () => undefined,
    });
    return { before: inits, after: Array.from({ length: M }, (_, m) => model.memberParams(m)), losses };
  } finally {
    model.dispose();
  }
}

describe('teacher recipe mnist-aux: reproducibility', () => {
  // Trained in a hook, not at collection time, so it runs on the backend beforeAll selected.
  let a: ReturnType<typeof trainTeacher>;
  beforeAll(() => {
    a = trainTeacher(1);
  });

  it('is registered by name and counts its steps', () => {
    expect(teacherRegistry.get('mnist-aux')).toBe(mnistAuxTeacher);
    expect(mnistAuxTeacher.steps(DATA, SETTINGS)).toBe(6); // ceil(40 / 16) · 2
    expect(a.losses.length).toBe(6);
  });

  it('trains: every member moves away from its init', () => {
    for (let m = 0; m < M; m++) expect(sameParams(a.after[m]!, a.before[m]!)).toBe(false);
  });

  it('the same root seed gives bit-identical weights and losses', () => {
    const b = trainTeacher(1);
    for (let m = 0; m < M; m++) expect(sameParams(b.after[m]!, a.after[m]!)).toBe(true);
    expect(b.losses).toEqual(a.losses);
  });

  it('a different root seed gives different weights', () => {
    const c = trainTeacher(2);
    for (let m = 0; m < M; m++) expect(sameParams(c.after[m]!, a.after[m]!)).toBe(false);
  });

  it('the same init with another batch order gives different weights (the data stream is used)', () => {
    const d = trainTeacher(1, 3);
    for (let m = 0; m < M; m++) {
      expect(sameParams(d.before[m]!, a.before[m]!)).toBe(true);
      expect(sameParams(d.after[m]!, a.after[m]!)).toBe(false);
    }
  });

  it('the supervised loss falls', () => {
    const first = a.losses[0]!;
    const last = a.losses.at(-1)!;
    first.forEach((l, m) => expect(last[m]!).toBeLessThan(l));
  });

  it('never supervises the auxiliary logits: their weights get no gradient signal beyond the hidden layer', () => {
    // Output layer columns 10.. (the auxiliary logits) are untouched by the class cross-entropy.
    const dHidden = SIZES[1]!;
    const dOut = SIZES[2]!;
    for (let m = 0; m < M; m++) {
      const w0 = a.before[m]!.weights[1]!;
      const w1 = a.after[m]!.weights[1]!;
      for (let i = 0; i < dHidden; i++)
        for (let j = NUM_CLASSES; j < dOut; j++) expect(w1[i * dOut + j]).toBe(w0[i * dOut + j]);
      for (let j = NUM_CLASSES; j < dOut; j++) expect(a.after[m]!.biases[1]![j]).toBe(0);
    }
  });

  it('training leaves the tensor count where it was (optimizer state freed)', () => {
    const root = rootStream(5);
    const model = new MlpFamily(SIZES, [drawMemberInit(SIZES, root.child('init'))]);
    const before = tf.memory().numTensors;
    mnistAuxTeacher.train(model, DATA, SETTINGS, root.child('teacher-data'), { logEvery: 2, onLog: () => undefined, onStep: () => undefined });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
