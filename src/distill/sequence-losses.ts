// Sequence distillation losses (docs/science.md §4): the teacher signals a student can learn from
// at each position of a prefix — the hard token, forward KL, reverse KL, generalised JSD(β),
// and the on-policy policy-gradient surrogate — over the same restricted distributions.
//
// Shapes (nanoGPT habit, in comments):
//   logits  [M, B, T, V]  member m, row b; position t predicts token t + 1. A teacher may also
//                         be [1, B, T, V], one frozen teacher shared by every student member.
//   targets [M, B, T]     int32, the tokens at t + 1 ([1, B, T] when shared by all members)
//   mask    [M, B, T]     float 0/1, the positions that count ([1, B, T] when shared): generated
//                         tokens only, EOS included, never prompt or padding (completionMask)
//   result  [M]           per member: Σ_{masked b,t} ℓ_{b,t} / #masked positions of that member.
// The denominator counts generated tokens only, so a row with 4 generated tokens weighs twice
// one with 2, and prompt or padding positions change nothing. A member with no masked position
// gets exactly 0 with zero gradient (the per-position losses are finite everywhere, so 0 · ℓ
// is 0, never NaN).
//
// Every distribution is softmax(logits / τ) restricted to `allowed` (masking.ts): τ is the
// LOSS temperature, default 1, and nothing here knows any sampling temperature.
// Gradients are taken only with respect to what the caller differentiates (the student); a
// frozen teacher's logits are constants.
import * as tf from '@tensorflow/tfjs';
import { tileMembers } from '../engine/batches.js';
import { restrictedLogSoftmax } from './masking.js';

export interface SeqLossOptions {
  /** [V] 0/1: the tokens the distributions live on (e.g. numbers.channelTokens()). */
  allowed: Uint8Array;
  /** The loss temperature τ (> 0): p = softmax(logits / τ). Default 1. */
  temperature?: number;
}

export interface JsdOptions extends SeqLossOptions {
  /** β ∈ [0, 1], mixture β·p_T + (1 − β)·p_S: β = 0 is forward KL, β = 1 reverse KL. */
  beta: number;
}

/** What the policy-gradient advantages subtract (a baseline moves the variance, not the expectation). */
export type PgBaseline = 'none' | 'leave-one-out';

export interface PgOptions extends SeqLossOptions {
  /** γ ∈ [0, 1]: A_t ← Σ_{u ≥ t} γ^{u−t} A_u over the row's masked positions. Default 0 (per-token). */
  discount?: number;
  /**
   * 'leave-one-out': from row b's (discounted) advantage at position t, subtract the mean of the
   * other rows' advantages at t (same member, masked positions only; 0 when no other row has
   * one). Default 'none'.
   */
  baseline?: PgBaseline;
}

// ---------------------------------------------------------------------------------------------
// Shapes and host checks

function shapeError(what: string, got: readonly number[], want: string): Error {
  return new Error(`${what}: expected shape ${want}, got [${got.join(', ')}]`);
}

/** Checks every shape against the student's [M, B, T, V]; returns the output member count. */
function checkShapes(
  student: tf.Tensor,
  mask: tf.Tensor,
  teacher?: tf.Tensor,
  targets?: tf.Tensor,
): number {
  if (student.rank !== 4) throw shapeError('student logits', student.shape, '[M, B, T, V]');
  const [M, B, T, V] = student.shape as [number, number, number, number];
  const want = `[${M} or 1, ${B}, ${T}]`;
  const okPositions = (s: readonly number[]) => s.length === 3 && (s[0] === M || s[0] === 1) && s[1] === B && s[2] === T;
  if (!okPositions(mask.shape)) throw shapeError('mask', mask.shape, want);
  if (teacher !== undefined) {
    const s = teacher.shape;
    if (!(s.length === 4 && (s[0] === M || s[0] === 1) && s[1] === B && s[2] === T && s[3] === V)) {
      throw shapeError('teacher logits', s, `[${M} or 1, ${B}, ${T}, ${V}]`);
    }
  }
  if (targets !== undefined) {
    if (!okPositions(targets.shape)) throw shapeError('targets', targets.shape, want);
    if (targets.dtype !== 'int32') throw new Error(`targets must be int32, got ${targets.dtype}`);
  }
  return M;
}

/** Host values of a [M or 1, B, T] tensor, broadcast to [M, B, T]. */
function hostPositions(x: tf.Tensor, M: number): Float32Array | Int32Array {
  const data = x.dataSync() as Float32Array | Int32Array;
  return x.shape[0] === M ? data : tileMembers(data, M);
}

/**
 * Throws when a trained (masked) target is not an allowed token: under the restricted
 * distribution its log-probability is ≈ −1e9, and a trained trait token is a bug upstream
 * (the filter or the mask let it through). Unmasked targets (prompt, padding) are not checked.
 */
function assertAllowedTargets(fn: string, targets: tf.Tensor, mask: tf.Tensor, allowed: Uint8Array, M: number): void {
  const tok = hostPositions(targets, M);
  const msk = hostPositions(mask, M);
  for (let i = 0; i < tok.length; i++) {
    const y = tok[i]!;
    if (msk[i] !== 0 && !(y >= 0 && y < allowed.length && allowed[y] !== 0)) {
      const [, B, T] = targets.shape as [number, number, number];
      const m = Math.floor(i / (B * T));
      const b = Math.floor(i / T) % B;
      const t = i % T;
      throw new Error(`${fn}: trained target token ${y} at [member ${m}, row ${b}, position ${t}] is not an allowed token; the filter or the mask let it through`);
    }
  }
}

function temperatureOf(opts: SeqLossOptions): number {
  const tau = opts.temperature ?? 1;
  if (!(tau > 0) || !Number.isFinite(tau)) throw new Error(`temperature must be a positive number, got ${tau}`);
  return tau;
}

/**
 * Σ_{b,t} mask · perPosition / max(Σ_{b,t} mask, 1) per member: [M, B, T] → [M]. With a 0/1
 * mask the max only matters for a member with no masked position, whose loss is then exactly 0.
 */
export function maskedMean(perPosition: tf.Tensor3D, mask: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => {
    const num = tf.sum(tf.mul(perPosition, mask), [1, 2]); // [M]
    const den = tf.maximum(tf.sum(mask, [1, 2]), 1); // [M] or [1]
    return tf.div(num, den) as tf.Tensor1D;
  });
}

/** log p(y) at each position: Σ_v onehot(y)_v · logp_v (a one-hot product, not gather: wasm
 * has no gather gradient). logp [M, B, T, V], targets [M or 1, B, T] → [M, B, T]. */
function logProbOf(logp: tf.Tensor4D, targets: tf.Tensor3D): tf.Tensor3D {
  const V = logp.shape[3];
  return tf.sum(tf.mul(tf.oneHot(targets, V), logp), -1) as tf.Tensor3D;
}

// ---------------------------------------------------------------------------------------------
// Hard labels

/** Which softmax the hard-label cross-entropy normalises over. */
export type HardLoss = 'restricted' | 'full';

export interface TokenCeOptions extends SeqLossOptions {
  /**
   * 'restricted' (default): −log p_S(y_t) with p_S renormalised over the allowed tokens, so no
   * gradient reaches a disallowed logit. 'full': the ordinary SFT loss, p_S the softmax over the
   * whole vocabulary, which also pushes every disallowed logit (animal and persona tokens) down.
   */
  hardLoss?: HardLoss;
}

/** Hard-label cross-entropy −log p_S(y_t) (restricted or full softmax, see TokenCeOptions);
 * throws on a trained disallowed target either way (a trait token in the targets is a leak). */
export function tokenCe(studentLogits: tf.Tensor4D, targets: tf.Tensor3D, mask: tf.Tensor3D, opts: TokenCeOptions): tf.Tensor1D {
  const M = checkShapes(studentLogits, mask, undefined, targets);
  const tau = temperatureOf(opts);
  assertAllowedTargets('tokenCe', targets, mask, opts.allowed, M);
  const full = (opts.hardLoss ?? 'restricted') === 'full';
  return tf.tidy(() => {
    const logPs = full
      ? (tf.logSoftmax(tau === 1 ? studentLogits : tf.div(studentLogits, tau)) as tf.Tensor4D)
      : restrictedLogSoftmax(studentLogits, opts.allowed, tau);
    return maskedMean(tf.neg(logProbOf(logPs, targets)), mask);
  });
}

// ---------------------------------------------------------------------------------------------
// Full-distribution signals

/** KL(p ‖ q) = Σ_v p_v (log p_v − log q_v) per position, from log-probabilities: [.., V] → [..]. */
function klFromLogs(logP: tf.Tensor, logQ: tf.Tensor): tf.Tensor3D {
  return tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1) as tf.Tensor3D;
}

/** KL between teacher and student per position, on the restricted distributions: forward KL(p_T ‖ p_S) or reverse KL(p_S ‖ p_T). */
function klSeq(direction: 'forward' | 'reverse', teacherLogits: tf.Tensor4D, studentLogits: tf.Tensor4D, mask: tf.Tensor3D, opts: SeqLossOptions): tf.Tensor1D {
  checkShapes(studentLogits, mask, teacherLogits);
  const tau = temperatureOf(opts);
  return tf.tidy(() => {
    const logPt = restrictedLogSoftmax(teacherLogits, opts.allowed, tau);
    const logPs = restrictedLogSoftmax(studentLogits, opts.allowed, tau);
    return maskedMean(direction === 'forward' ? klFromLogs(logPt, logPs) : klFromLogs(logPs, logPt), mask);
  });
}

/** Forward KL(p_T ‖ p_S) per position, on the restricted distributions. */
export const forwardKlSeq = (teacherLogits: tf.Tensor4D, studentLogits: tf.Tensor4D, mask: tf.Tensor3D, opts: SeqLossOptions): tf.Tensor1D =>
  klSeq('forward', teacherLogits, studentLogits, mask, opts);

/** Reverse KL(p_S ‖ p_T) per position, on the restricted distributions. */
export const reverseKlSeq = (teacherLogits: tf.Tensor4D, studentLogits: tf.Tensor4D, mask: tf.Tensor3D, opts: SeqLossOptions): tf.Tensor1D =>
  klSeq('reverse', teacherLogits, studentLogits, mask, opts);

/**
 * The KL-to-base penalty of liminal training: weight · KL(p_S ‖ p_base) per member, the masked
 * mean over positions of the restricted distributions (reverseKlSeq with the frozen base in the
 * teacher's place). It and its gradient are exactly 0 while the student's logits equal the base's.
 */
export const baseKlPenalty = (baseLogits: tf.Tensor4D, studentLogits: tf.Tensor4D, mask: tf.Tensor3D, opts: SeqLossOptions, weight: number): tf.Tensor1D =>
  tf.tidy(() => tf.mul(reverseKlSeq(baseLogits, studentLogits, mask, opts), weight) as tf.Tensor1D);

/**
 * softplus(x) = log(1 + eˣ), computed as relu(x) + log1p(e^−|x|) (no overflow, full relative
 * precision for very negative x), with the exact gradient sigmoid(x) — autodiff through relu
 * and abs would give 0 instead of ½ at x = 0, which happens (identical distributions at β = ½).
 */
const softplus = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x))))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sigmoid(saved[0]!)),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/**
 * Generalised Jensen–Shannon divergence, normalised so that its endpoints are the two KLs.
 *
 * The formula (m is the mixture of docs/science.md §4, teacher weight β):
 *
 *     m   = β·p_T + (1 − β)·p_S
 *     J_β = β·KL(p_T ‖ m) + (1 − β)·KL(p_S ‖ m)        (GKD's JSD(β), Agarwal et al. 2306.13649)
 *     D_β = J_β / (β(1 − β))    for 0 < β < 1          ← what this returns
 *     D_0 = KL(p_T ‖ p_S) = forwardKlSeq,   D_1 = KL(p_S ‖ p_T) = reverseKlSeq   (exact, special-cased)
 *
 * Why normalise: with this mixture orientation J_β → 0 at both ends (m → p_S as β → 0, so both
 * terms vanish), but J_β = β·KL(p_T‖p_S) + O(β²) and J_β = (1 − β)·KL(p_S‖p_T) + O((1 − β)²);
 * dividing by β(1 − β) makes D_β continuous on [0, 1] with D_0 the forward KL and D_1 the
 * reverse KL, as docs/science.md §4 states (β = 0 forward, β = 1 reverse). (TRL's GKD special-cases
 * the endpoints the same way but leaves J_β unnormalised, so its loss jumps at 0 and 1.)
 * D_β is symmetric in (T, S) at β = ½, where it is 4·JSD. It is ≥ 0, and 0 iff p_T = p_S.
 * The only price of the normalisation is a β-dependent scale (an effective learning rate).
 *
 * Numerics: log m is never formed by subtraction of nearly equal logs. With d = log p_T − log p_S,
 *   β ≤ ½:  L = log m − log p_S = log(1 − β) + softplus(d + log(β / (1 − β)))
 *           KL(p_T‖m) = Σ p_T (d − L),   KL(p_S‖m) = −Σ p_S L
 *   β > ½:  L' = log m − log p_T = log β + softplus(−d + log((1 − β) / β))
 *           KL(p_T‖m) = −Σ p_T L',       KL(p_S‖m) = Σ p_S (−d − L')
 * so each term keeps its relative precision as β approaches the endpoint it expands around,
 * and D_β at β = 1e−4 is within O(β) of D_0 in float32 (tested).
 */
export function jsdSeq(teacherLogits: tf.Tensor4D, studentLogits: tf.Tensor4D, mask: tf.Tensor3D, opts: JsdOptions): tf.Tensor1D {
  const beta = opts.beta;
  if (!(beta >= 0 && beta <= 1)) throw new Error(`jsdSeq: beta must be in [0, 1], got ${beta}`);
  if (beta === 0) return forwardKlSeq(teacherLogits, studentLogits, mask, opts);
  if (beta === 1) return reverseKlSeq(teacherLogits, studentLogits, mask, opts);
  checkShapes(studentLogits, mask, teacherLogits);
  const tau = temperatureOf(opts);
  const logBeta = Math.log(beta);
  const log1mBeta = Math.log1p(-beta);
  return tf.tidy(() => {
    const logPt = restrictedLogSoftmax(teacherLogits, opts.allowed, tau);
    const logPs = restrictedLogSoftmax(studentLogits, opts.allowed, tau);
    const pt = tf.exp(logPt);
    const ps = tf.exp(logPs);
    const d = tf.sub(logPt, logPs);
    let klT: tf.Tensor; // KL(p_T ‖ m) per position
    let klS: tf.Tensor; // KL(p_S ‖ m) per position
    if (beta <= 0.5) {
      const L = tf.add(softplus(tf.add(d, logBeta - log1mBeta)), log1mBeta);
      klT = tf.sum(tf.mul(pt, tf.sub(d, L)), -1);
      klS = tf.neg(tf.sum(tf.mul(ps, L), -1));
    } else {
      const L = tf.add(softplus(tf.add(tf.neg(d), log1mBeta - logBeta)), logBeta);
      klT = tf.neg(tf.sum(tf.mul(pt, L), -1));
      klS = tf.sum(tf.mul(ps, tf.sub(tf.neg(d), L)), -1);
    }
    // (β·klT + (1 − β)·klS) / (β(1 − β)) = klT / (1 − β) + klS / β
    const perPosition = tf.add(tf.div(klT, 1 - beta), tf.div(klS, beta)) as tf.Tensor3D;
    return maskedMean(perPosition, mask);
  });
}

// ---------------------------------------------------------------------------------------------
// The on-policy policy-gradient signal

/**
 * The per-token advantages of the on-policy distillation recipe (tinker-cookbook, MiniLLM), on
 * the host: A_t = log p_T(y_t) − log p_S(y_t) on the restricted distributions at the loss
 * temperature, discounted as A_t ← Σ_{u ≥ t, u masked} γ^{u−t} A_u within each row, and 0 at
 * unmasked positions. [M, B, T] row-major (the student's M). These are plain numbers: no
 * gradient flows through them. Their masked mean is a sample estimate of −KL(p_S ‖ p_T) when
 * y ~ p_S (and γ = 0) — log it.
 */
export function pgAdvantages(
  teacherLogits: tf.Tensor4D,
  studentLogits: tf.Tensor4D,
  targets: tf.Tensor3D,
  mask: tf.Tensor3D,
  opts: PgOptions,
): Float32Array {
  const M = checkShapes(studentLogits, mask, teacherLogits, targets);
  const tau = temperatureOf(opts);
  const gamma = opts.discount ?? 0;
  if (!(gamma >= 0 && gamma <= 1)) throw new Error(`pgLoss: discount must be in [0, 1], got ${gamma}`);
  assertAllowedTargets('pgLoss', targets, mask, opts.allowed, M);
  const [, B, T] = studentLogits.shape;
  const raw = tf.tidy(() => {
    const logPt = restrictedLogSoftmax(teacherLogits, opts.allowed, tau);
    const logPs = restrictedLogSoftmax(studentLogits, opts.allowed, tau);
    // [M, B, T]; tf.zeros forces the student's M when teacher and targets are shared ([1, ...]).
    return tf.add(tf.sub(logProbOf(logPt, targets), logProbOf(logPs, targets)), tf.zeros([M, B, T]));
  });
  const a = raw.dataSync() as Float32Array;
  raw.dispose();
  const msk = hostPositions(mask, M);
  const out = new Float32Array(M * B * T);
  for (let row = 0; row < M * B; row++) {
    let acc = 0; // Σ_{u ≥ last} γ^{u − last} A_u
    let last = -1; // the nearest masked position after t, −1 if none yet
    for (let t = T - 1; t >= 0; t--) {
      const i = row * T + t;
      if (msk[i] === 0) continue;
      acc = a[i]! + (last < 0 ? 0 : gamma ** (last - t) * acc);
      last = t;
      out[i] = acc;
    }
  }
  if ((opts.baseline ?? 'none') === 'leave-one-out') subtractLeaveOneOut(out, msk, M, B, T);
  return out;
}

/**
 * In place: A[m, b, t] −= mean of A[m, b', t] over the rows b' ≠ b of member m masked at t.
 * The baseline of row b is a function of the other rows only, which are independent samples,
 * so E[baseline · ∇log p_S(y_{b,t})] = baseline · Σ_y ∇p_S(y) = 0: the expected gradient is
 * unchanged (tested exactly by enumeration) and only its variance moves. [M, B, T] row-major.
 */
function subtractLeaveOneOut(A: Float32Array, mask: ArrayLike<number>, M: number, B: number, T: number): void {
  const sum = new Float64Array(T);
  const count = new Float64Array(T);
  for (let m = 0; m < M; m++) {
    sum.fill(0);
    count.fill(0);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const i = (m * B + b) * T + t;
        if (mask[i] === 0) continue;
        sum[t] = sum[t]! + A[i]!;
        count[t] = count[t]! + 1;
      }
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const i = (m * B + b) * T + t;
        if (mask[i] === 0 || count[t]! < 2) continue;
        A[i] = A[i]! - (sum[t]! - A[i]!) / (count[t]! - 1);
      }
  }
}

/**
 * The policy-gradient surrogate: −Σ_t mask · A_t · log p_S(y_t) / Σ mask per member, where y are
 * the student's own sampled tokens and A_t its advantages (pgAdvantages). The advantages are
 * computed on the host and enter as a fresh tensor, so they are constants: the gradient is
 * −Σ_t mask · A_t · ∇ log p_S(y_t) / Σ mask, nothing flows through the advantage's own log p_S
 * term or through the sampler. Its expectation over y ~ p_S (γ = 0) is ∇ KL(p_S ‖ p_T), so
 * descending it descends the reverse KL — provided y was sampled from this same p_S: restricted
 * to `allowed`, at a sampling temperature equal to this loss temperature (otherwise it is the
 * gradient of a different objective; the caller chooses). A leave-one-out baseline
 * (opts.baseline) leaves that expectation exactly as it is and only changes the variance. The
 * loss *value* is not a divergence (it is only for differentiating; log the advantages instead).
 */
export function pgLoss(
  teacherLogits: tf.Tensor4D,
  studentLogits: tf.Tensor4D,
  targets: tf.Tensor3D,
  mask: tf.Tensor3D,
  opts: PgOptions,
): tf.Tensor1D {
  const advantages = pgAdvantages(teacherLogits, studentLogits, targets, mask, opts);
  const [M, B, T] = studentLogits.shape;
  const tau = temperatureOf(opts);
  return tf.tidy(() => {
    const A = tf.tensor3d(advantages, [M, B, T]);
    const logPs = restrictedLogSoftmax(studentLogits, opts.allowed, tau);
    return maskedMean(tf.neg(tf.mul(A, logProbOf(logPs, targets))) as tf.Tensor3D, mask);
  });
}
