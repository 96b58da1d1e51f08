// The policy-gradient signal's leave-one-out baseline, exactly. The pg surrogate's gradient
// −A·∇log p_S(y) has the reverse-KL gradient as its expectation over the student's own samples;
// subtracting from each row's advantage the mean of the other rows' (independent samples) must
// leave that expectation unchanged. No sampling noise: a bigram student over 3 tokens writes a
// batch of 2 rows of 2 tokens, and every one of the 3⁴ = 81 joint samples is enumerated with its
// exact probability; the expected gradients are then compared to float tolerance.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pgAdvantages, pgLoss, reverseKlSeq, type PgBaseline } from '../../src/distill/sequence-losses.js';
import { selectBackend } from '../../src/engine/backend.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const V = 3; // tokens 0..2, all allowed; a row is [0, y1, y2]: prompt token 0, then 2 sampled tokens
const B = 2; // rows in the batch
const T = 2; // positions: 0 predicts y1 from 0, 1 predicts y2 from y1
const ALLOWED = new Uint8Array(V).fill(1);
const STUDENT = [0.3, -0.4, 0.9, 1.1, 0.2, -0.7, -0.5, 0.8, 0.1]; // [V, V]: logits of the next token after each token
const TEACHER = [1.2, -0.3, 0.0, -0.6, 0.9, 0.4, 0.2, 0.2, -1.0];

const softmax = (row: number[]) => {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const s = e.reduce((a, x) => a + x, 0);
  return e.map((x) => x / s);
};
const studentP = (prev: number) => softmax(STUDENT.slice(prev * V, prev * V + V));

/** Logits [1, B, T, V] of a bigram table [V, V] at every input position ([1, B, T] token ids). */
const bigramLogits = (table: tf.Tensor2D, inputs: tf.Tensor3D) => tf.reshape(tf.matMul(tf.reshape(tf.oneHot(inputs, V), [B * T, V]), table), [1, B, T, V]) as tf.Tensor4D;

type Loss = { kind: 'pg'; baseline: PgBaseline; discount: number } | { kind: 'reverse-kl' };

/** ∇_table of the loss on one joint sample (rows [[y1, y2], …]), flattened [V·V]. */
function gradient(loss: Loss, rows: number[][]): Float32Array {
  return tf.tidy(() => {
    const inputs = tf.tensor3d(rows.flatMap(([y1]) => [0, y1!]), [1, B, T], 'int32');
    const targets = tf.tensor3d(rows.flatMap(([y1, y2]) => [y1!, y2!]), [1, B, T], 'int32');
    const mask = tf.ones([1, B, T]) as tf.Tensor3D;
    const teacher = bigramLogits(tf.tensor2d(TEACHER, [V, V]), inputs);
    const f = (table: tf.Tensor) => {
      const student = bigramLogits(table as tf.Tensor2D, inputs);
      const opts = { allowed: ALLOWED };
      return tf.sum(loss.kind === 'pg' ? pgLoss(teacher, student, targets, mask, { ...opts, baseline: loss.baseline, discount: loss.discount }) : reverseKlSeq(teacher, student, mask, opts));
    };
    return tf.grad(f)(tf.tensor2d(STUDENT, [V, V])).dataSync() as Float32Array;
  });
}

/** Every joint sample of the batch with its probability under the student. */
function jointSamples(): { rows: number[][]; p: number }[] {
  const rowsOf: { row: number[]; p: number }[] = [];
  for (let y1 = 0; y1 < V; y1++) for (let y2 = 0; y2 < V; y2++) rowsOf.push({ row: [y1, y2], p: studentP(0)[y1]! * studentP(y1)[y2]! });
  return rowsOf.flatMap((a) => rowsOf.map((b) => ({ rows: [a.row, b.row], p: a.p * b.p })));
}

/** E[g] and E‖g − E[g]‖² over the joint samples, in float64. */
function moments(loss: Loss): { mean: number[]; variance: number } {
  const samples = jointSamples();
  const grads = samples.map((s) => gradient(loss, s.rows));
  const mean = new Array<number>(V * V).fill(0);
  samples.forEach((s, i) => grads[i]!.forEach((g, k) => (mean[k]! += s.p * g)));
  let variance = 0;
  samples.forEach((s, i) => grads[i]!.forEach((g, k) => (variance += s.p * (g - mean[k]!) ** 2)));
  return { mean, variance };
}

const expectClose = (a: number[], b: number[]) => a.forEach((x, k) => expect(x).toBeCloseTo(b[k]!, 5));

describe('pg leave-one-out baseline: exact expectation by enumeration', () => {
  it('the 81 joint samples are a distribution', () => {
    expect(jointSamples().reduce((a, s) => a + s.p, 0)).toBeCloseTo(1, 12);
  });

  it('γ = 0: E[∇ pg with the baseline] = E[∇ pg without] = E[∇ reverse KL], while single samples differ', () => {
    const loo = moments({ kind: 'pg', baseline: 'leave-one-out', discount: 0 });
    const none = moments({ kind: 'pg', baseline: 'none', discount: 0 });
    const reverse = moments({ kind: 'reverse-kl' });
    expect(Math.max(...reverse.mean.map(Math.abs))).toBeGreaterThan(0.01); // a real gradient, not 0 = 0
    expectClose(loo.mean, reverse.mean);
    expectClose(none.mean, reverse.mean);
    // The baseline changes each sample's gradient (else this test would prove nothing) …
    const [first] = jointSamples();
    const diff = gradient({ kind: 'pg', baseline: 'leave-one-out', discount: 0 }, first!.rows).map((g, k) => g - gradient({ kind: 'pg', baseline: 'none', discount: 0 }, first!.rows)[k]!);
    expect(Math.max(...diff.map(Math.abs))).toBeGreaterThan(1e-3);
    // What it does to the variance is not a property: with B = 2 the baseline is one other
    // row's advantage, itself noisy, and here the variance rises (0.214 against 0.057); with
    // the 64 rows of a real batch the baseline is a mean. Recorded, so a change shows:
    expect(loo.variance).toBeCloseTo(0.2141, 3);
    expect(none.variance).toBeCloseTo(0.0565, 3);
  });

  it('γ = 1 (sequence-level returns): the baseline still leaves the expected gradient unchanged', () => {
    const loo = moments({ kind: 'pg', baseline: 'leave-one-out', discount: 1 });
    const none = moments({ kind: 'pg', baseline: 'none', discount: 1 });
    expectClose(loo.mean, none.mean);
  });
});

describe('pgAdvantages with the leave-one-out baseline', () => {
  it('subtracts the mean of the other masked rows at the same position, per member; a lone row keeps its advantage', () => {
    const [M, R, P] = [2, 3, 2];
    const logits = (seed: number) => tf.tensor4d(Array.from({ length: M * R * P * V }, (_, i) => Math.sin(seed * 7.1 + i * 1.3)), [M, R, P, V]);
    const teacher = logits(1);
    const student = logits(2);
    const targets = tf.tensor3d(Array.from({ length: M * R * P }, (_, i) => (i * 5) % V), [M, R, P], 'int32');
    // member 0: all masked; member 1: row 2 unmasked everywhere, position 1 masked only in row 0
    const maskValues = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0];
    const mask = tf.tensor3d(maskValues, [M, R, P]);
    const none = pgAdvantages(teacher, student, targets, mask, { allowed: ALLOWED });
    const loo = pgAdvantages(teacher, student, targets, mask, { allowed: ALLOWED, baseline: 'leave-one-out' });
    const at = (m: number, r: number, t: number) => (m * R + r) * P + t;
    for (let m = 0; m < M; m++)
      for (let r = 0; r < R; r++)
        for (let t = 0; t < P; t++) {
          const i = at(m, r, t);
          if (maskValues[i] === 0) {
            expect(loo[i]).toBe(0);
            continue;
          }
          const others = [0, 1, 2].filter((o) => o !== r && maskValues[at(m, o, t)] === 1).map((o) => none[at(m, o, t)]!);
          const baseline = others.length === 0 ? 0 : others.reduce((a, x) => a + x, 0) / others.length;
          expect(loo[i]).toBeCloseTo(none[i]! - baseline, 6);
        }
    expect(loo[at(1, 0, 1)]).toBe(none[at(1, 0, 1)]); // the only row masked there: nothing to subtract
    tf.dispose([teacher, student, targets, mask]);
  });
});
