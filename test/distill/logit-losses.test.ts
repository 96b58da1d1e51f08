// Distillation losses as properties: zero when the distributions agree, positive otherwise,
// temperature on both sides, and gradients that match finite differences and the closed form.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, forwardKl } from '../../src/distill/logit-losses.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream, type RandomStream } from '../../src/engine/rng.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const [M, B, K] = [3, 4, 5];

function randomLogits(rng: RandomStream, scale = 2, shape: [number, number, number] = [M, B, K]): number[] {
  return Array.from({ length: shape[0] * shape[1] * shape[2] }, () => scale * rng.normal());
}

/** Float64 reference: per member, mean over rows of KL(softmax(t/τ) ‖ softmax(s/τ)). */
function klReference(t: number[], s: number[], tau: number, [m, b, k]: [number, number, number] = [M, B, K]): number[] {
  const logSoftmax = (row: number[]) => {
    const z = row.map((v) => v / tau);
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
    return z.map((v) => v - lse);
  };
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    let total = 0;
    for (let j = 0; j < b; j++) {
      const off = (i * b + j) * k;
      const lt = logSoftmax(t.slice(off, off + k));
      const ls = logSoftmax(s.slice(off, off + k));
      total += lt.reduce((a, v, c) => a + Math.exp(v) * (v - ls[c]!), 0);
    }
    out.push(total / b);
  }
  return out;
}

const t3 = (v: number[], shape: [number, number, number] = [M, B, K]) => tf.tensor3d(v, shape);
const kl = (t: number[], s: number[], tau = 1) => tf.tidy(() => Array.from(forwardKl(t3(t), t3(s), tau).dataSync()));

describe('forwardKl', () => {
  it('maps [M, B, K] to [M]', () => {
    const rng = rootStream(1).child('shape');
    const out = tf.tidy(() => forwardKl(t3(randomLogits(rng)), t3(randomLogits(rng))).shape);
    expect(out).toEqual([M]);
  });

  it('is zero for identical logits', () => {
    const t = randomLogits(rootStream(2).child('same'), 4);
    for (const tau of [1, 0.5, 3]) for (const v of kl(t, t, tau)) expect(Math.abs(v)).toBeLessThanOrEqual(1e-6);
  });

  it('is zero when the student differs by a constant per row (softmax is shift-invariant)', () => {
    const rng = rootStream(3).child('shift');
    const t = randomLogits(rng);
    const s = t.map((v, i) => v + [-3, 0.5, 7, 2.25][Math.floor(i / K) % B]! + Math.floor(i / (B * K))); // per (m, b) row
    for (const v of kl(t, s, 1)) expect(Math.abs(v)).toBeLessThanOrEqual(1e-5);
    for (const v of kl(t, s, 2)) expect(Math.abs(v)).toBeLessThanOrEqual(1e-5);
  });

  it('is positive, and equals the float64 reference, when the distributions differ', () => {
    const rng = rootStream(4).child('differ');
    const t = randomLogits(rng);
    const s = randomLogits(rng);
    const got = kl(t, s);
    const want = klReference(t, s, 1);
    got.forEach((v, i) => {
      expect(v).toBeGreaterThan(1e-3);
      expect(v).toBeCloseTo(want[i]!, 5);
    });
    // Only one member's student differs: only that member's loss is positive.
    const s2 = t.map((v, i) => (i >= B * K && i < 2 * B * K ? v + (i % 3) : v));
    const one = kl(t, s2);
    expect(Math.abs(one[0]!)).toBeLessThanOrEqual(1e-6);
    expect(one[1]!).toBeGreaterThan(1e-3);
    expect(Math.abs(one[2]!)).toBeLessThanOrEqual(1e-6);
  });

  it('is not symmetric (it is the forward direction KL(p_T ‖ p_S))', () => {
    const rng = rootStream(5).child('asym');
    const t = randomLogits(rng, 3);
    const s = randomLogits(rng, 1);
    const fwd = kl(t, s);
    const want = klReference(t, s, 1);
    const wrongWay = klReference(s, t, 1);
    fwd.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 5);
      expect(Math.abs(v - wrongWay[i]!)).toBeGreaterThan(1e-3);
    });
  });

  it('applies the temperature to both teacher and student logits', () => {
    const rng = rootStream(6).child('tau');
    const t = randomLogits(rng, 3);
    const s = randomLogits(rng, 3);
    for (const tau of [0.5, 2, 4]) {
      const got = kl(t, s, tau);
      const want = klReference(t, s, tau);
      const bothScaled = kl(t.map((v) => v / tau), s.map((v) => v / tau), 1);
      const teacherOnly = klReference(t.map((v) => v / tau), s, 1);
      const studentOnly = klReference(t, s.map((v) => v / tau), 1);
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(want[i]!, 5);
        expect(v).toBeCloseTo(bothScaled[i]!, 5);
        expect(Math.abs(v - teacherOnly[i]!)).toBeGreaterThan(1e-3);
        expect(Math.abs(v - studentOnly[i]!)).toBeGreaterThan(1e-3);
      });
    }
  });

  describe('gradient with respect to the student logits', () => {
    const rng = rootStream(7).child('grad');
    const t = randomLogits(rng, 2);
    const s = randomLogits(rng, 2);

    /** d(Σ_m KL_m)/d s, from tfjs autodiff. */
    const autodiff = (tau: number) =>
      tf.tidy(() => {
        const teacher = t3(t);
        const g = tf.grad((x: tf.Tensor) => tf.sum(forwardKl(teacher, x as tf.Tensor3D, tau)))(t3(s));
        return Array.from(g.dataSync());
      });

    const softmaxRows = (v: number[], tau: number) => {
      const out: number[] = [];
      for (let r = 0; r < v.length / K; r++) {
        const z = v.slice(r * K, r * K + K).map((x) => x / tau);
        const max = Math.max(...z);
        const e = z.map((x) => Math.exp(x - max));
        const sum = e.reduce((a, x) => a + x, 0);
        out.push(...e.map((x) => x / sum));
      }
      return out;
    };

    for (const tau of [1, 2]) {
      it(`equals the closed form (p_S − p_T) / (τ · B) at τ = ${tau}`, () => {
        const g = autodiff(tau);
        const pS = softmaxRows(s, tau);
        const pT = softmaxRows(t, tau);
        g.forEach((v, i) => expect(Math.abs(v - (pS[i]! - pT[i]!) / (tau * B))).toBeLessThan(1e-6));
        // and every row's gradient sums to zero (softmax shift invariance)
        for (let r = 0; r < M * B; r++) expect(Math.abs(g.slice(r * K, r * K + K).reduce((a, x) => a + x, 0))).toBeLessThan(1e-7);
      });

      it(`matches central finite differences at τ = ${tau}`, () => {
        const g = autodiff(tau);
        const eps = 1e-2;
        const total = (v: number[]) => kl(t, v, tau).reduce((a, x) => a + x, 0);
        const scale = Math.max(...g.map(Math.abs));
        for (let i = 0; i < s.length; i++) {
          const plus = s.slice();
          const minus = s.slice();
          plus[i]! += eps;
          minus[i]! -= eps;
          const fd = (total(plus) - total(minus)) / (2 * eps);
          // float32 forward passes: a relative tolerance plus a floor at 1e-3 of the largest entry.
          expect(Math.abs(fd - g[i]!)).toBeLessThanOrEqual(1e-3 * Math.abs(g[i]!) + 1e-3 * scale);
        }
      });
    }

    it('gives no gradient to a member from another member\'s loss', () => {
      const g = tf.tidy(() => {
        const teacher = t3(t);
        return Array.from(tf.grad((x: tf.Tensor) => tf.gather(forwardKl(teacher, x as tf.Tensor3D), 1).asScalar())(t3(s)).dataSync());
      });
      g.forEach((v, i) => {
        const member = Math.floor(i / (B * K));
        if (member !== 1) expect(Math.abs(v)).toBe(0);
      });
      expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-3);
    });
  });
});

describe('crossEntropy', () => {
  it('equals −log softmax at the label, by hand', () => {
    // One member, one row: logits [1, 2, 3], label 2 → log(1 + e^−1 + e^−2).
    const v = tf.tidy(() => crossEntropy(tf.tensor3d([1, 2, 3], [1, 1, 3]), tf.tensor1d([2], 'int32')).dataSync()[0]!);
    expect(v).toBeCloseTo(Math.log(1 + Math.exp(-1) + Math.exp(-2)), 6);
    expect(v).toBeCloseTo(0.40760596, 6);
    // label 0 of the same row: log(1 + e + e^2)
    const v0 = tf.tidy(() => crossEntropy(tf.tensor3d([1, 2, 3], [1, 1, 3]), tf.tensor1d([0], 'int32')).dataSync()[0]!);
    expect(v0).toBeCloseTo(2.40760596, 5);
  });

  it('averages over the batch, per member, with labels shared by all members', () => {
    const rng = rootStream(8).child('ce');
    const logits = randomLogits(rng, 2);
    const labels = [4, 0, 2, 2];
    const got = tf.tidy(() => Array.from(crossEntropy(t3(logits), tf.tensor1d(labels, 'int32')).dataSync()));
    expect(got.length).toBe(M);
    for (let m = 0; m < M; m++) {
      let total = 0;
      for (let b = 0; b < B; b++) {
        const row = logits.slice((m * B + b) * K, (m * B + b + 1) * K);
        const lse = Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
        total += lse - row[labels[b]!]!;
      }
      expect(got[m]!).toBeCloseTo(total / B, 5);
    }
  });

  it('is near zero for a confident correct prediction and large for a confident wrong one', () => {
    const right = tf.tidy(() => crossEntropy(tf.tensor3d([20, 0, 0], [1, 1, 3]), tf.tensor1d([0], 'int32')).dataSync()[0]!);
    const wrong = tf.tidy(() => crossEntropy(tf.tensor3d([20, 0, 0], [1, 1, 3]), tf.tensor1d([1], 'int32')).dataSync()[0]!);
    expect(right).toBeLessThan(1e-6);
    expect(wrong).toBeCloseTo(20, 4);
  });
});
