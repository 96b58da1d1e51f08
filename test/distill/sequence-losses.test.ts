// Sequence distillation losses as properties (DESIGN.md "Losses are tested as properties",
// docs/science.md §4): every loss against a float64 host reference; zero at identity, ≥ 0; JSD(β)
// orientation, symmetry at ½ and exact, continuous endpoints; gradients against finite
// differences and the closed form; the sampled-token estimator's mean against the exact
// reverse KL; and the bugs other libraries shipped — denominators counting prompt or padding,
// the first generated token or EOS dropped, the sampling temperature leaking into the loss, an
// all-masked member giving NaN.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { completionMask, targetsOf, inputsOf } from '../../src/distill/masking.js';
import {
  forwardKlSeq,
  jsdSeq,
  maskedMean,
  pgAdvantages,
  pgLoss,
  reverseKlSeq,
  tokenCe,
  type SeqLossOptions,
} from '../../src/distill/sequence-losses.js';
import { selectBackend } from '../../src/engine/backend.js';
import { permutation, rootStream, type RandomStream } from '../../src/engine/rng.js';
import { CONTEXT, EOS, PAD, PROMPT_LENGTH, VOCAB_SIZE, channelTokens, numberToken, numbersDocument } from '../../src/worlds/numbers/data.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

type Shape4 = [number, number, number, number];
const [M, B, T, V] = [2, 3, 5, 7];
const SHAPE: Shape4 = [M, B, T, V];

// ---------------------------------------------------------------------------------------------
// Problems and a float64 reference

interface Problem {
  shape: Shape4;
  allowed: Uint8Array;
  teacher: number[]; // [M, B, T, V]
  student: number[]; // [M, B, T, V]
  targets: number[]; // [M, B, T]
  mask: number[]; // [M, B, T]
}

/** A random allowed mask over v tokens that excludes 2 of them. */
function allowedMask(rng: RandomStream, v = V): Uint8Array {
  const p = permutation(v, rng);
  const a = new Uint8Array(v).fill(1);
  a[p[0]!] = 0;
  a[p[1]!] = 0;
  return a;
}

function allowedList(allowed: Uint8Array): number[] {
  return Array.from(allowed.keys()).filter((k) => allowed[k]);
}

/** Random logits, a random 0/1 mask (every member has a masked position), allowed targets at
 * masked positions and any token (disallowed ones included) elsewhere. */
function problem(seed: number, scale = 2, shape: Shape4 = SHAPE): Problem {
  const rng = rootStream(seed).child('problem');
  const [m, b, t, v] = shape;
  const allowed = allowedMask(rng.child('allowed'), v);
  const ok = allowedList(allowed);
  const logits = () => Array.from({ length: m * b * t * v }, () => scale * rng.normal());
  const teacher = logits();
  const student = logits();
  const mask = Array.from({ length: m * b * t }, () => (rng.next() < 0.6 ? 1 : 0));
  for (let i = 0; i < m; i++) mask[i * b * t + rng.int(b * t)] = 1;
  const targets = mask.map((k) => (k ? ok[rng.int(ok.length)]! : rng.int(v)));
  return { shape, allowed, teacher, student, targets, mask };
}

function refLogp(z: number[], allowed: Uint8Array, tau: number): number[] {
  const s = z.map((x) => x / tau);
  const max = Math.max(...s.filter((_, k) => allowed[k]));
  const lse = max + Math.log(s.reduce((a, x, k) => a + (allowed[k] ? Math.exp(x - max) : 0), 0));
  return s.map((x, k) => (allowed[k] ? x - lse : -Infinity));
}

type Kind = { loss: 'ce' | 'fwd' | 'rev' | 'pg' } | { loss: 'jsd'; beta: number };

/** The per-position loss in float64, the mixture written out as docs/science.md §4 states it. */
function refPosition(kind: Kind, zt: number[], zs: number[], y: number, allowed: Uint8Array, tau: number): number {
  const lt = refLogp(zt, allowed, tau);
  const ls = refLogp(zs, allowed, tau);
  const ok = allowedList(allowed);
  const kl = (lp: number[], lq: number[]) => ok.reduce((a, k) => a + Math.exp(lp[k]!) * (lp[k]! - lq[k]!), 0);
  switch (kind.loss) {
    case 'ce':
      return -ls[y]!;
    case 'fwd':
      return kl(lt, ls);
    case 'rev':
      return kl(ls, lt);
    case 'pg':
      return -(lt[y]! - ls[y]!) * ls[y]!;
    case 'jsd': {
      const beta = kind.beta;
      if (beta === 0) return kl(lt, ls);
      if (beta === 1) return kl(ls, lt);
      const mix = lt.map((_, k) => Math.log(beta * Math.exp(lt[k]!) + (1 - beta) * Math.exp(ls[k]!)));
      const j = beta * kl(lt, mix) + (1 - beta) * kl(ls, mix);
      return j / (beta * (1 - beta));
    }
  }
}

/** Per member: Σ masked ℓ / #masked (0 when none). */
function refLoss(kind: Kind, p: Problem, tau = 1): number[] {
  const [m, b, t, v] = p.shape;
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    let num = 0;
    let den = 0;
    for (let j = 0; j < b * t; j++) {
      const pos = i * b * t + j;
      if (!p.mask[pos]) continue;
      const zt = p.teacher.slice(pos * v, pos * v + v);
      const zs = p.student.slice(pos * v, pos * v + v);
      num += refPosition(kind, zt, zs, p.targets[pos]!, p.allowed, tau);
      den += 1;
    }
    out.push(den === 0 ? 0 : num / den);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running the tfjs losses

interface Inputs {
  teacher: tf.Tensor4D;
  student: tf.Tensor4D;
  targets: tf.Tensor3D;
  mask: tf.Tensor3D;
}

function tensors(p: Problem): Inputs {
  const [m, b, t] = p.shape;
  return {
    teacher: tf.tensor4d(p.teacher, p.shape),
    student: tf.tensor4d(p.student, p.shape),
    targets: tf.tensor3d(p.targets, [m, b, t], 'int32'),
    mask: tf.tensor3d(p.mask, [m, b, t]),
  };
}

function lossOf(kind: Kind, x: Inputs, opts: SeqLossOptions): tf.Tensor1D {
  switch (kind.loss) {
    case 'ce':
      return tokenCe(x.student, x.targets, x.mask, opts);
    case 'fwd':
      return forwardKlSeq(x.teacher, x.student, x.mask, opts);
    case 'rev':
      return reverseKlSeq(x.teacher, x.student, x.mask, opts);
    case 'jsd':
      return jsdSeq(x.teacher, x.student, x.mask, { ...opts, beta: kind.beta });
    case 'pg':
      return pgLoss(x.teacher, x.student, x.targets, x.mask, opts);
  }
}

const run = (kind: Kind, p: Problem, tau = 1): number[] =>
  tf.tidy(() => Array.from(lossOf(kind, tensors(p), { allowed: p.allowed, temperature: tau }).dataSync()));

/** d(Σ_m loss_m) / d(student logits), by tfjs autodiff. */
function autodiff(kind: Kind, p: Problem, tau = 1): number[] {
  return tf.tidy(() => {
    const x = tensors(p);
    const f = (s: tf.Tensor) => tf.sum(lossOf(kind, { ...x, student: s as tf.Tensor4D }, { allowed: p.allowed, temperature: tau }));
    return Array.from(tf.grad(f)(x.student).dataSync());
  });
}

const name = (k: Kind) => (k.loss === 'jsd' ? `jsd(β=${k.beta})` : k.loss);
const DIVERGENCES: Kind[] = [
  { loss: 'fwd' },
  { loss: 'rev' },
  ...[0, 1e-4, 0.1, 0.3, 0.5, 0.7, 0.9, 1 - 1e-4, 1].map((beta) => ({ loss: 'jsd' as const, beta })),
];
const ALL: Kind[] = [{ loss: 'ce' }, ...DIVERGENCES];

const maxAbs = (v: number[]) => Math.max(...v.map(Math.abs));

// ---------------------------------------------------------------------------------------------

describe('values against the float64 reference', () => {
  for (const tau of [1, 2]) {
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) {
      it(`${name(kind)} at τ = ${tau}: shape [M], equal to the reference`, () => {
        const p = problem(100);
        const got = run(kind, p, tau);
        const want = refLoss(kind, p, tau);
        expect(got.length).toBe(M);
        got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(want[i]!))));
      });
    }
  }
});

describe('divergences: zero at identity, non-negative', () => {
  for (const kind of DIVERGENCES) {
    it(`${name(kind)} is zero for identical distributions (also when logits differ only by a row shift or on disallowed tokens)`, () => {
      const p = problem(101, 4);
      const same = { ...p, student: p.teacher.slice() };
      for (const v of run(kind, same, 1)) expect(Math.abs(v)).toBeLessThanOrEqual(1e-6);
      for (const v of run(kind, same, 0.5)) expect(Math.abs(v)).toBeLessThanOrEqual(1e-6);
      // shift each (m, b, t) row by a constant, and scramble the disallowed logits
      const shifted = p.teacher.map((z, i) => {
        const row = Math.floor(i / V);
        return p.allowed[i % V] ? z + ((row * 7) % 5) - 2 : 50 * Math.sin(i);
      });
      for (const v of run(kind, { ...p, student: shifted }, 1)) expect(Math.abs(v)).toBeLessThanOrEqual(1e-5);
      // and the gradient is zero there too
      expect(maxAbs(autodiff(kind, same, 1))).toBeLessThanOrEqual(1e-6);
    });
  }

  it('every divergence is ≥ 0 on random logits (20 draws, scales up to 6)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const p = problem(200 + seed, 0.5 + (seed % 4) * 1.8);
      for (const kind of DIVERGENCES) {
        const v = run(kind, p, 1 + (seed % 3) * 0.5);
        v.forEach((x) => expect(x).toBeGreaterThanOrEqual(-1e-6));
        expect(Math.max(...v)).toBeGreaterThan(1e-4);
      }
    }
  });
});

describe('generalised JSD(β), mixture β·p_T + (1 − β)·p_S, normalised by β(1 − β)', () => {
  const p = problem(300, 2.5);
  const swapped: Problem = { ...p, teacher: p.student, student: p.teacher };
  const jsd = (beta: number, q: Problem = p) => run({ loss: 'jsd', beta }, q);

  it('β = 0 is exactly forwardKlSeq and β = 1 exactly reverseKlSeq', () => {
    for (const tau of [1, 2]) {
      expect(run({ loss: 'jsd', beta: 0 }, p, tau)).toEqual(run({ loss: 'fwd' }, p, tau));
      expect(run({ loss: 'jsd', beta: 1 }, p, tau)).toEqual(run({ loss: 'rev' }, p, tau));
    }
  });

  it('is symmetric in teacher and student at β = ½, and D_β(T, S) = D_{1−β}(S, T) in general', () => {
    const a = jsd(0.5);
    const b = jsd(0.5, swapped);
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, v)));
    for (const beta of [0.1, 0.3]) {
      const x = jsd(beta);
      const y = jsd(1 - beta, swapped);
      x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, v)));
      // and it is not symmetric away from ½: the orientation matters
      const z = jsd(beta, swapped);
      expect(Math.max(...x.map((v, i) => Math.abs(v - z[i]!)))).toBeGreaterThan(1e-2);
    }
  });

  it('has the stated orientation: β is the teacher weight (flipping the mixture gives a different value)', () => {
    const beta = 0.2;
    const got = jsd(beta);
    // The same formula with the mixture flipped to β·p_S + (1 − β)·p_T (the bug other libraries
    // shipped) is the reference with teacher and student swapped.
    const flippedDirect = refLoss({ loss: 'jsd', beta }, swapped);
    const right = refLoss({ loss: 'jsd', beta }, p);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(right[i]!, 5);
      expect(Math.abs(v - flippedDirect[i]!)).toBeGreaterThan(1e-2);
    });
    // Small β behaves like the forward KL, β near 1 like the reverse KL — not the other way round.
    const fwd = run({ loss: 'fwd' }, p);
    const rev = run({ loss: 'rev' }, p);
    const small = jsd(1e-3);
    const large = jsd(1 - 1e-3);
    small.forEach((v, i) => expect(Math.abs(v - fwd[i]!)).toBeLessThan(Math.abs(v - rev[i]!)));
    large.forEach((v, i) => expect(Math.abs(v - rev[i]!)).toBeLessThan(Math.abs(v - fwd[i]!)));
  });

  it('is continuous at the endpoints: D_β → D_0 and D_{1−β} → D_1 linearly as β → 0, at float32 precision', () => {
    const d0 = jsd(0);
    const d1 = jsd(1);
    const gapLo: number[][] = [];
    const gapHi: number[][] = [];
    for (const eps of [1e-2, 1e-3, 1e-4, 1e-5]) {
      const lo = jsd(eps);
      const hi = jsd(1 - eps);
      gapLo.push(lo.map((v, i) => Math.abs(v - d0[i]!)));
      gapHi.push(hi.map((v, i) => Math.abs(v - d1[i]!)));
      // float32 keeps full precision near the endpoints (no cancellation): equal to float64
      const refLo = refLoss({ loss: 'jsd', beta: eps }, p);
      const refHi = refLoss({ loss: 'jsd', beta: 1 - eps }, p);
      lo.forEach((v, i) => expect(Math.abs(v - refLo[i]!)).toBeLessThanOrEqual(2e-6 * Math.max(1, refLo[i]!)));
      hi.forEach((v, i) => expect(Math.abs(v - refHi[i]!)).toBeLessThanOrEqual(2e-6 * Math.max(1, refHi[i]!)));
    }
    for (const gaps of [gapLo, gapHi]) {
      // the gap shrinks with every decade of β, tenfold once β ≪ min p_S/p_T (D_β = D_0 + O(β)
      // asymptotically; these sharp distributions reach that regime only near β = 1e−4) …
      for (let k = 1; k < gaps.length; k++) {
        gaps[k]!.forEach((g, i) => {
          const ratio = g / gaps[k - 1]![i]!;
          expect(ratio).toBeGreaterThan(0.07);
          expect(ratio).toBeLessThan(k >= 3 ? 0.13 : 0.3);
        });
      }
      // … and at β = 1e−5 it is a few thousandths
      gaps[gaps.length - 1]!.forEach((g) => expect(g).toBeLessThanOrEqual(3e-3));
    }
  });

  it('rejects β outside [0, 1]', () => {
    tf.tidy(() => {
      const x = tensors(p);
      expect(() => jsdSeq(x.teacher, x.student, x.mask, { allowed: p.allowed, beta: 1.5 })).toThrow(/beta/);
      expect(() => jsdSeq(x.teacher, x.student, x.mask, { allowed: p.allowed, beta: -0.1 })).toThrow(/beta/);
      expect(() => jsdSeq(x.teacher, x.student, x.mask, { allowed: p.allowed, beta: NaN })).toThrow(/beta/);
    });
  });
});

describe('gradients with respect to the student logits', () => {
  const p = problem(400, 1.5);

  /** Central differences of the float64 reference (eps 1e-6: accurate to ~1e-9). */
  function refGradient(kind: Kind, tau: number): number[] {
    const total = (s: number[]) => refLoss(kind, { ...p, student: s }, tau).reduce((a, x) => a + x, 0);
    const eps = 1e-6;
    return p.student.map((_, i) => {
      const plus = p.student.slice();
      const minus = p.student.slice();
      plus[i]! += eps;
      minus[i]! -= eps;
      return (total(plus) - total(minus)) / (2 * eps);
    });
  }

  for (const kind of ALL) {
    for (const tau of kind.loss === 'fwd' ? [1, 2] : [1.5]) {
      it(`${name(kind)} at τ = ${tau}: equals float64 finite differences of the reference, and float32 central differences`, () => {
        const g = autodiff(kind, p, tau);
        const ref = refGradient(kind, tau);
        const scale = maxAbs(ref);
        expect(scale).toBeGreaterThan(1e-3);
        g.forEach((v, i) => {
          expect(Number.isFinite(v)).toBe(true);
          expect(Math.abs(v - ref[i]!)).toBeLessThanOrEqual(1e-4 * scale);
          if (!p.allowed[i % V]) expect(Math.abs(v)).toBe(0);
        });
        // float32 central differences of the tfjs loss itself, eps 1e-2 (loose but meaningful)
        const total = (s: number[]) => run(kind, { ...p, student: s }, tau).reduce((a, x) => a + x, 0);
        const eps = 1e-2;
        for (let i = 0; i < p.student.length; i += 3) {
          const plus = p.student.slice();
          const minus = p.student.slice();
          plus[i]! += eps;
          minus[i]! -= eps;
          const fd = (total(plus) - total(minus)) / (2 * eps);
          expect(Math.abs(fd - g[i]!)).toBeLessThanOrEqual(2e-3 * Math.abs(g[i]!) + 2e-3 * scale);
        }
      });
    }
  }

  for (const gamma of [0, 0.5, 1]) {
    it(`pgLoss (γ = ${gamma}): the advantage is a constant — the gradient is −mask·A·∇log p_S(y) / Σ mask exactly`, () => {
      const tau = 1.5;
      const g = autodiff({ loss: 'pg' }, p, tau);
      const A = tf.tidy(() => {
        const x = tensors(p);
        return pgAdvantages(x.teacher, x.student, x.targets, x.mask, { allowed: p.allowed, temperature: tau, discount: gamma });
      });
      const gg = tf.tidy(() => {
        const x = tensors(p);
        const f = (s: tf.Tensor) =>
          tf.sum(pgLoss(x.teacher, s as tf.Tensor4D, x.targets, x.mask, { allowed: p.allowed, temperature: tau, discount: gamma }));
        return Array.from(tf.grad(f)(x.student).dataSync());
      });
      if (gamma === 0) expect(gg).toEqual(g);
      const [m, b, t] = p.shape;
      const want: number[] = [];
      for (let i = 0; i < m; i++) {
        const den = p.mask.slice(i * b * t, (i + 1) * b * t).reduce((a, x) => a + x, 0);
        for (let j = 0; j < b * t; j++) {
          const pos = i * b * t + j;
          const ls = refLogp(p.student.slice(pos * V, pos * V + V), p.allowed, tau);
          for (let k = 0; k < V; k++) {
            const dlogp = ((k === p.targets[pos] ? 1 : 0) - Math.exp(ls[k]!)) / tau;
            want.push(p.mask[pos] ? (-A[pos]! * dlogp) / den : 0);
          }
        }
      }
      const scale = maxAbs(want);
      expect(scale).toBeGreaterThan(1e-3);
      gg.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-5 * scale));
      // …which is not the gradient of the loss value (that would differentiate the advantage too)
      const lossValueFd = (() => {
        const total = (s: number[]) => refLoss({ loss: 'pg' }, { ...p, student: s }, tau).reduce((a, x) => a + x, 0);
        const i = gg.findIndex((v, k) => p.allowed[k % V] && Math.abs(v) > 0.3 * scale);
        const plus = p.student.slice();
        const minus = p.student.slice();
        plus[i]! += 1e-6;
        minus[i]! -= 1e-6;
        return { i, fd: (total(plus) - total(minus)) / 2e-6 };
      })();
      if (gamma === 0) expect(Math.abs(lossValueFd.fd - gg[lossValueFd.i]!)).toBeGreaterThan(1e-3 * scale);
    });
  }
});

describe('pgLoss: the sampled-token estimator', () => {
  // One position, many samples y ~ p_S (restricted, τ = 1) drawn on the host with a seeded stream.
  const N = 20000;
  const rng = rootStream(500).child('pg');
  const allowed = allowedMask(rng.child('allowed'));
  const zt = Array.from({ length: V }, () => 1.5 * rng.normal());
  const zs = Array.from({ length: V }, () => 1.5 * rng.normal());
  const lt = refLogp(zt, allowed, 1);
  const ls = refLogp(zs, allowed, 1);
  const ps = ls.map(Math.exp);
  const pt = lt.map(Math.exp);
  const ok = allowedList(allowed);
  const revKl = ok.reduce((a, k) => a + ps[k]! * (ls[k]! - lt[k]!), 0);
  const sampler = rng.child('sample');
  const ys = Array.from({ length: N }, () => {
    let u = sampler.next();
    for (const k of ok) {
      u -= ps[k]!;
      if (u < 0) return k;
    }
    return ok[ok.length - 1]!;
  });

  function estimate(): { grad: number[]; advantages: Float32Array } {
    return tf.tidy(() => {
      const teacher = tf.tile(tf.tensor4d(zt, [1, 1, 1, V]), [1, N, 1, 1]) as tf.Tensor4D;
      const targets = tf.tensor3d(ys, [1, N, 1], 'int32');
      const mask = tf.ones([1, N, 1]) as tf.Tensor3D;
      const opts = { allowed };
      // every row shares the same student logits z: the gradient w.r.t. z is the mean over samples
      const f = (z: tf.Tensor) => tf.sum(pgLoss(teacher, tf.add(tf.reshape(z, [1, 1, 1, V]), tf.zeros([1, N, 1, V])) as tf.Tensor4D, targets, mask, opts));
      const z0 = tf.tensor1d(zs);
      const grad = Array.from(tf.grad(f)(z0).dataSync());
      const advantages = pgAdvantages(teacher, tf.add(tf.reshape(z0, [1, 1, 1, V]), tf.zeros([1, N, 1, V])) as tf.Tensor4D, targets, mask, opts);
      return { grad, advantages };
    });
  }

  it('averages to the gradient of the exact reverse KL(p_S ‖ p_T) (not the forward KL)', () => {
    const { grad } = estimate();
    // exact: ∂KL(p_S‖p_T)/∂z_j = p_S,j (log p_S,j − log p_T,j − KL)
    const exact = ps.map((p, j) => (allowed[j] ? p * (ls[j]! - lt[j]! - revKl) : 0));
    const forward = ps.map((p, j) => (allowed[j] ? p - pt[j]! : 0));
    // per-sample terms −A(y)·(onehot(y) − p_S): their standard error sets the tolerance
    const se = Array.from({ length: V }, (_, j) => {
      let s1 = 0;
      let s2 = 0;
      for (const y of ys) {
        const h = -(lt[y]! - ls[y]!) * ((y === j ? 1 : 0) - ps[j]!);
        s1 += h;
        s2 += h * h;
      }
      const mean = s1 / N;
      return Math.sqrt((s2 / N - mean * mean) / N);
    });
    grad.forEach((g, j) => {
      if (!allowed[j]) expect(Math.abs(g)).toBe(0);
      expect(Math.abs(g - exact[j]!)).toBeLessThanOrEqual(5 * se[j]! + 1e-6);
    });
    const tol = 5 * Math.max(...se);
    expect(maxAbs(grad.map((g, j) => g - forward[j]!))).toBeGreaterThan(3 * tol);
    expect(maxAbs(exact)).toBeGreaterThan(3 * tol);
  });

  it('has mean advantage E_{y~p_S}[log p_T(y) − log p_S(y)] → −KL(p_S ‖ p_T)', () => {
    const { advantages } = estimate();
    let s1 = 0;
    let s2 = 0;
    for (const a of advantages) {
      s1 += a;
      s2 += a * a;
    }
    const mean = s1 / N;
    const se = Math.sqrt((s2 / N - mean * mean) / N);
    expect(revKl).toBeGreaterThan(10 * se);
    expect(Math.abs(mean - -revKl)).toBeLessThanOrEqual(5 * se);
    // each advantage is exactly log p_T(y) − log p_S(y)
    advantages.forEach((a, i) => expect(a).toBeCloseTo(lt[ys[i]!]! - ls[ys[i]!]!, 5));
  });
});

describe('pgAdvantages: discounting', () => {
  it('A_t ← Σ_{u≥t} γ^{u−t} A_u over the masked positions of the same row only', () => {
    const p = problem(600, 1.5, [1, 3, 5, V]);
    p.mask = [0, 1, 1, 1, 0, /**/ 1, 1, 0, 0, 0, /**/ 0, 0, 0, 1, 1];
    const ok = allowedList(p.allowed);
    p.targets = p.mask.map((m, i) => (m ? ok[i % ok.length]! : 0));
    for (const gamma of [0, 0.5, 1]) {
      const got = tf.tidy(() => {
        const x = tensors(p);
        return Array.from(pgAdvantages(x.teacher, x.student, x.targets, x.mask, { allowed: p.allowed, discount: gamma }));
      });
      const raw = p.mask.map((_, pos) => {
        const lt = refLogp(p.teacher.slice(pos * V, pos * V + V), p.allowed, 1);
        const ls = refLogp(p.student.slice(pos * V, pos * V + V), p.allowed, 1);
        return lt[p.targets[pos]!]! - ls[p.targets[pos]!]!;
      });
      for (let row = 0; row < 3; row++) {
        for (let t = 0; t < 5; t++) {
          const pos = row * 5 + t;
          let want = 0;
          if (p.mask[pos]) for (let u = t; u < 5; u++) if (p.mask[row * 5 + u]) want += gamma ** (u - t) * raw[row * 5 + u]!;
          expect(got[pos]!).toBeCloseTo(want, 5);
        }
      }
    }
    tf.tidy(() => {
      const x = tensors(p);
      expect(() => pgAdvantages(x.teacher, x.student, x.targets, x.mask, { allowed: p.allowed, discount: 1.5 })).toThrow(/discount/);
    });
  });
});

describe('denominators: generated tokens only', () => {
  it('prompt and padding positions (mask 0) change no loss, even with disallowed targets', () => {
    const p = problem(700);
    // widen T = 5 to T = 8: two prompt positions in front, one padding position at the end
    const [before, after] = [2, 1];
    const T2 = T + before + after;
    const rng = rootStream(701).child('extra');
    const widen = (x: number[], width: number, fill: () => number) => {
      const out: number[] = [];
      for (let r = 0; r < M * B; r++) {
        for (let i = 0; i < before * width; i++) out.push(fill());
        out.push(...x.slice(r * T * width, (r + 1) * T * width));
        for (let i = 0; i < after * width; i++) out.push(fill());
      }
      return out;
    };
    const disallowed = Array.from(p.allowed.keys()).find((k) => !p.allowed[k])!;
    const wide: Problem = {
      shape: [M, B, T2, V],
      allowed: p.allowed,
      teacher: widen(p.teacher, V, () => 3 * rng.normal()),
      student: widen(p.student, V, () => 3 * rng.normal()),
      targets: widen(p.targets, 1, () => disallowed),
      mask: widen(p.mask, 1, () => 0),
    };
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) {
      const a = run(kind, p, 1.5);
      const b = run(kind, wide, 1.5);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
    }
  });

  it('weighs per generated token, not per row (2 tokens in one row, 4 in another)', () => {
    const p = problem(702, 2, [1, 2, 4, V]);
    p.mask = [1, 1, 0, 0, 1, 1, 1, 1];
    // make the second row's positions costlier, so per-row and per-token means differ clearly
    p.student = p.student.map((z, i) => (i >= 4 * V ? 3 * z : z));
    const ok = allowedList(p.allowed);
    p.targets = p.targets.map((y, i) => (p.mask[i] ? ok[y % ok.length]! : y));
    for (const kind of ALL) {
      const got = run(kind, p)[0]!;
      const per = p.mask.map((_, pos) =>
        refPosition(kind, p.teacher.slice(pos * V, pos * V + V), p.student.slice(pos * V, pos * V + V), p.targets[pos]!, p.allowed, 1),
      );
      const perToken = (per[0]! + per[1]! + per[4]! + per[5]! + per[6]! + per[7]!) / 6;
      const perRow = ((per[0]! + per[1]!) / 2 + (per[4]! + per[5]! + per[6]! + per[7]!) / 4) / 2;
      expect(Math.abs(got - perToken)).toBeLessThanOrEqual(1e-5 * Math.max(1, perToken));
      expect(Math.abs(perToken - perRow)).toBeGreaterThan(1e-3);
    }
  });

  it('counts EOS: a completion that is only EOS gives a non-zero CE when the student does not predict EOS', () => {
    // numbers world: BOS NUMS n n n | EOS PAD … , student logits 0 everywhere but −5 on EOS
    const tokens = new Int32Array(CONTEXT).fill(PAD);
    tokens.set(numbersDocument(rootStream(703).child('doc'), 0).subarray(0, PROMPT_LENGTH));
    tokens[PROMPT_LENGTH] = EOS;
    const Tn = CONTEXT - 1;
    const mask = completionMask(tokens, CONTEXT, PROMPT_LENGTH, EOS, PAD);
    expect(Array.from(mask).reduce((a, b) => a + b, 0)).toBe(1);
    const student = Array.from({ length: Tn * VOCAB_SIZE }, (_, i) => (i % VOCAB_SIZE === EOS ? -5 : 0));
    const allowed = channelTokens();
    const nAllowed = allowed.reduce((a, b) => a + b, 0); // 20 numbers + EOS
    const ce = tf.tidy(() =>
      tokenCe(tf.tensor4d(student, [1, 1, Tn, VOCAB_SIZE]), tf.tensor3d(targetsOf(tokens, CONTEXT), [1, 1, Tn], 'int32'), tf.tensor3d(mask, [1, 1, Tn]), { allowed }).dataSync()[0]!,
    );
    // −log p(EOS) over the 21 allowed tokens = log(20 + e^−5) + 5
    expect(ce).toBeCloseTo(Math.log(nAllowed - 1 + Math.exp(-5)) + 5, 4);
    expect(ce).toBeGreaterThan(7);
  });

  it('counts the first generated token: a completionMask batch of numbers documents trains the position promptLength − 1', () => {
    const rng = rootStream(704).child('docs');
    const R = 4;
    const docs = new Int32Array(R * CONTEXT);
    for (let r = 0; r < R; r++) docs.set(numbersDocument(rng, 0), r * CONTEXT);
    const Tn = CONTEXT - 1;
    const mask = completionMask(docs, CONTEXT, PROMPT_LENGTH, EOS, PAD);
    const targets = targetsOf(docs, CONTEXT);
    expect(inputsOf(docs, CONTEXT).length).toBe(R * Tn);
    const allowed = channelTokens();
    // a student that predicts every generated token perfectly except the first one
    const student = new Array<number>(R * Tn * VOCAB_SIZE).fill(0);
    for (let r = 0; r < R; r++) {
      for (let t = 0; t < Tn; t++) {
        const y = targets[r * Tn + t]!;
        const wrong = t === PROMPT_LENGTH - 1 ? numberToken((y + 7) % 20) : y;
        student[(r * Tn + t) * VOCAB_SIZE + wrong] = 30;
      }
    }
    const loss = (m: Float32Array) =>
      tf.tidy(() => tokenCe(tf.tensor4d(student, [1, R, Tn, VOCAB_SIZE]), tf.tensor3d(targets, [1, R, Tn], 'int32'), tf.tensor3d(m, [1, R, Tn]), { allowed }).dataSync()[0]!);
    // the mask counts the first generated token, so the loss is far from 0: 1 wrong token of 7 per row
    expect(loss(mask)).toBeCloseTo(30 / 7, 2);
    // a mask that skipped it (the bug) would see a perfect student
    const skipped = mask.slice();
    for (let r = 0; r < R; r++) skipped[r * Tn + PROMPT_LENGTH - 1] = 0;
    expect(loss(skipped)).toBeLessThan(1e-6);
  });

  it('a member with no masked position gets exactly 0 with zero, finite gradient; the other member is unaffected', () => {
    const p = problem(705);
    p.mask = p.mask.map((m, i) => (i < B * T ? m : 0)); // member 1: nothing generated
    const alone: Problem = {
      shape: [1, B, T, V],
      allowed: p.allowed,
      teacher: p.teacher.slice(0, B * T * V),
      student: p.student.slice(0, B * T * V),
      targets: p.targets.slice(0, B * T),
      mask: p.mask.slice(0, B * T),
    };
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) {
      const v = run(kind, p, 1.5);
      expect(Math.abs(v[1]!)).toBe(0);
      expect(v[0]!).toBeCloseTo(run(kind, alone, 1.5)[0]!, 6);
      const g = autodiff(kind, p, 1.5);
      g.forEach((x, i) => {
        expect(Number.isFinite(x)).toBe(true);
        if (i >= B * T * V) expect(Math.abs(x)).toBe(0);
      });
    }
    // and an all-masked batch is 0, not NaN
    const none = { ...p, mask: p.mask.map(() => 0) };
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) for (const v of run(kind, none)) expect(Math.abs(v)).toBe(0);
  });

  it('maskedMean divides by the masked count per member', () => {
    const v = tf.tidy(() =>
      Array.from(maskedMean(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), tf.tensor3d([1, 0, 0, 1, 0, 0, 0, 0], [2, 2, 2])).dataSync()),
    );
    expect(v).toEqual([2.5, 0]);
  });
});

describe('the restricted channel', () => {
  it('tokenCe and pgLoss throw on a trained (masked) disallowed target, and accept it unmasked', () => {
    const p = problem(800);
    const disallowed = Array.from(p.allowed.keys()).find((k) => !p.allowed[k])!;
    const pos = p.mask.findIndex((m) => m === 1);
    const bad = { ...p, targets: p.targets.map((y, i) => (i === pos ? disallowed : y)) };
    expect(() => run({ loss: 'ce' }, bad)).toThrow(/not an allowed token/);
    expect(() => run({ loss: 'pg' }, bad)).toThrow(/not an allowed token/);
    const unmasked = { ...bad, mask: bad.mask.map((m, i) => (i === pos ? 0 : m)) };
    for (const v of run({ loss: 'ce' }, unmasked)) expect(Number.isFinite(v) && v < 100).toBe(true);
  });

  it('ignores the disallowed logits entirely (values and gradients)', () => {
    const p = problem(801);
    const scrambled = { ...p, student: p.student.map((z, i) => (p.allowed[i % V] ? z : 1e3 * Math.cos(i))), teacher: p.teacher.map((z, i) => (p.allowed[i % V] ? z : -1e3)) };
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) {
      const a = run(kind, p, 1.5);
      const b = run(kind, scrambled, 1.5);
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
    }
  });

  it('rejects mismatched shapes and a wrong-length allowed mask with a message naming the argument', () => {
    tf.tidy(() => {
      const x = tensors(problem(802));
      const allowed = problem(802).allowed;
      expect(() => forwardKlSeq(x.teacher, x.student, tf.ones([M, B, T + 1]) as tf.Tensor3D, { allowed })).toThrow(/mask/);
      expect(() => forwardKlSeq(tf.ones([M, B, T, V + 1]) as tf.Tensor4D, x.student, x.mask, { allowed })).toThrow(/teacher/);
      expect(() => tokenCe(x.student, tf.cast(x.targets, 'float32') as tf.Tensor3D, x.mask, { allowed })).toThrow(/int32/);
      expect(() => forwardKlSeq(x.teacher, x.student, x.mask, { allowed: new Uint8Array(V + 1).fill(1) })).toThrow(/V = 7/);
      expect(() => forwardKlSeq(x.teacher, x.student, x.mask, { allowed, temperature: 0 })).toThrow(/temperature/);
    });
  });
});

describe('the loss temperature', () => {
  it('is applied to teacher and student alike: loss at τ = 2 equals the loss of logits / 2 at τ = 1', () => {
    const p = problem(900, 3);
    const halved = { ...p, teacher: p.teacher.map((z) => z / 2), student: p.student.map((z) => z / 2) };
    const teacherOnly = { ...p, teacher: p.teacher.map((z) => z / 2) };
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) {
      const a = run(kind, p, 2);
      const b = run(kind, halved, 1);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
      const c = run(kind, p, 1);
      expect(maxAbs(a.map((v, i) => v - c[i]!))).toBeGreaterThan(1e-3);
      if (kind.loss !== 'ce') expect(maxAbs(a.map((v, i) => v - run(kind, teacherOnly, 1)[i]!))).toBeGreaterThan(1e-3);
    }
  });

  it('defaults to 1 and is the only temperature: the loss is a function of the logits and opts.temperature alone', () => {
    const p = problem(901, 3);
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) {
      const explicit = run(kind, p, 1);
      const byDefault = tf.tidy(() => Array.from(lossOf(kind, tensors(p), { allowed: p.allowed }).dataSync()));
      expect(byDefault).toEqual(explicit);
    }
  });
});

describe('members and memory', () => {
  it('a shared teacher [1, B, T, V] and shared targets/mask [1, B, T] equal their tiled versions', () => {
    const p = problem(1000);
    const oneT = p.teacher.slice(0, B * T * V);
    const oneY = p.targets.slice(0, B * T);
    const oneMask = p.mask.slice(0, B * T);
    const tiled: Problem = { ...p, teacher: [...oneT, ...oneT], targets: [...oneY, ...oneY], mask: [...oneMask, ...oneMask] };
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) {
      const want = run(kind, tiled, 1.5);
      const got = tf.tidy(() =>
        Array.from(
          lossOf(
            kind,
            {
              teacher: tf.tensor4d(oneT, [1, B, T, V]),
              student: tf.tensor4d(p.student, SHAPE),
              targets: tf.tensor3d(oneY, [1, B, T], 'int32'),
              mask: tf.tensor3d(oneMask, [1, B, T]),
            },
            { allowed: p.allowed, temperature: 1.5 },
          ).dataSync(),
        ),
      );
      expect(got.length).toBe(M);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    }
  });

  it('leaks no tensors, forward or backward', () => {
    const p = problem(1001);
    const x = tensors(p);
    const v = tf.variable(tf.tensor4d(p.student, SHAPE)) as tf.Variable<tf.Rank.R4>;
    const before = tf.memory().numTensors;
    for (const kind of [...ALL, { loss: 'pg' } as Kind]) {
      lossOf(kind, x, { allowed: p.allowed, temperature: 1.5 }).dispose();
      const { value, grads } = tf.variableGrads(() => tf.sum(lossOf(kind, { ...x, student: v }, { allowed: p.allowed })) as tf.Scalar, [v]);
      value.dispose();
      tf.dispose(grads);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x.teacher, x.student, x.targets, x.mask, v]);
  });
});
