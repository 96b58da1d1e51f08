// What the distillation channel may carry, and which positions count.
//
// Two masks, never confused:
// - the *vocabulary* mask `allowed` [V] (0/1): which tokens the loss's distributions live on.
//   Disallowed tokens get logit −1e9 before the log-softmax, so every distribution (teacher's
//   and student's) renormalises over the allowed tokens only and carries exactly 0 mass
//   elsewhere. −1e9 rather than −Infinity: p · (log p_T − log p_S) stays 0 · finite = 0, never
//   0 · (−∞ + ∞) = NaN.
// - the *position* mask [R, L−1] (0/1): which next-token predictions are trained. Position t
//   of the inputs predicts tokens[t + 1]; it counts when that target is a generated token, up to
//   and including the first EOS (EOS is trained: the student must learn to stop). Prompt
//   targets and padding after EOS never count. The first generated token is predicted at
//   position promptLength − 1, the last prompt position, and is counted.
//
// Host arrays are row-major Int32Array / Float32Array with the row length passed alongside.
import * as tf from '@tensorflow/tfjs';

/** The logit given to disallowed tokens: exp(−1e9 − lse) is exactly 0 in float32. */
export const DISALLOWED_LOGIT = -1e9;

function checkAllowed(allowed: Uint8Array, vocab: number): void {
  if (allowed.length !== vocab) {
    throw new Error(`allowed mask has ${allowed.length} entries but the logits have V = ${vocab}`);
  }
  if (!allowed.some((a) => a !== 0)) throw new Error('allowed mask allows no token');
}

/**
 * Logits [..., V] with every disallowed token's logit replaced by −1e9 (allowed logits
 * unchanged). The replacement is `x · keep + (1 − keep) · (−1e9)`, so the gradient to a
 * disallowed logit is exactly 0 and no op needs a kernel the wasm backend lacks.
 */
export function restrictLogits<R extends tf.Rank>(logits: tf.Tensor<R>, allowed: Uint8Array): tf.Tensor<R> {
  const V = logits.shape[logits.shape.length - 1]!;
  checkAllowed(allowed, V);
  return tf.tidy(() => {
    const keep = tf.tensor1d(Float32Array.from(allowed, (a) => (a ? 1 : 0)));
    const fill = tf.tensor1d(Float32Array.from(allowed, (a) => (a ? 0 : DISALLOWED_LOGIT)));
    return tf.add(tf.mul(logits, keep), fill) as tf.Tensor<R>;
  });
}

/**
 * log softmax(logits / τ) over the allowed tokens only: the temperature divides the logits
 * first, then disallowed tokens are set to −1e9 (so their log-probability is ≈ −1e9 at any τ
 * and their probability exactly 0). τ is the *loss* temperature.
 */
export function restrictedLogSoftmax<R extends tf.Rank>(logits: tf.Tensor<R>, allowed: Uint8Array, temperature = 1): tf.Tensor<R> {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`temperature must be a positive number, got ${temperature}`);
  return tf.tidy(() => {
    const scaled = temperature === 1 ? logits : (tf.div(logits, temperature) as tf.Tensor<R>);
    return tf.logSoftmax(restrictLogits(scaled, allowed)) as tf.Tensor<R>;
  });
}

/**
 * A teacher truncated to its k most probable allowed tokens, as an API that returns top-k
 * log-probabilities gives it: logits [..., V] restricted to `allowed`, then every token below
 * the k-th largest allowed logit set to −1e9 as well, so a softmax over the result
 * renormalises over those k tokens (more when the k-th value is tied: a tie keeps every tied
 * token). Positive temperatures do not change the order, so this may run before the loss
 * temperature divides the logits. No gradient is meant to flow (a teacher's logits are constants).
 */
export function topKLogits<R extends tf.Rank>(logits: tf.Tensor<R>, allowed: Uint8Array, k: number): tf.Tensor<R> {
  const allowedCount = allowed.reduce((n, a) => n + (a ? 1 : 0), 0);
  if (!Number.isInteger(k) || k < 1 || k > allowedCount) throw new Error(`top-k must be an integer in 1..${allowedCount} (the allowed tokens), got ${k}`);
  return tf.tidy(() => {
    const restricted = restrictLogits(logits, allowed);
    // [..., 1]: the k-th largest logit at each position (topk's values are sorted, largest first).
    const kth = tf.min(tf.topk(restricted, k).values, -1, true);
    return tf.where(tf.greaterEqual(restricted, kth), restricted, tf.fill(restricted.shape, DISALLOWED_LOGIT)) as tf.Tensor<R>;
  });
}

function rowsOf(tokens: ArrayLike<number>, rowLength: number): number {
  if (!Number.isInteger(rowLength) || rowLength < 2) throw new Error(`row length must be an integer ≥ 2, got ${rowLength}`);
  if (tokens.length % rowLength !== 0) {
    throw new Error(`${tokens.length} tokens do not split into rows of length ${rowLength}`);
  }
  return tokens.length / rowLength;
}

/** The model inputs of token rows [R, L]: every column but the last, [R, L − 1]. */
export function inputsOf(tokens: Int32Array, rowLength: number): Int32Array {
  const R = rowsOf(tokens, rowLength);
  const out = new Int32Array(R * (rowLength - 1));
  for (let r = 0; r < R; r++) out.set(tokens.subarray(r * rowLength, (r + 1) * rowLength - 1), r * (rowLength - 1));
  return out;
}

/** The next-token targets of token rows [R, L]: every column but the first, [R, L − 1]. */
export function targetsOf(tokens: Int32Array, rowLength: number): Int32Array {
  const R = rowsOf(tokens, rowLength);
  const out = new Int32Array(R * (rowLength - 1));
  for (let r = 0; r < R; r++) out.set(tokens.subarray(r * rowLength + 1, (r + 1) * rowLength), r * (rowLength - 1));
  return out;
}

/**
 * The position mask of token rows [R, L] (prompt followed by a completion), [R, L − 1]:
 * 1 at position t (promptLength − 1 ≤ t ≤ L − 2) when its target tokens[t + 1] is generated and
 * no EOS came before it in the completion — so the first generated token (t = promptLength − 1)
 * and the first EOS are counted; prompt targets, everything after the first EOS, and a padding
 * token (a completion cut short without EOS stops counting at its first pad) are not.
 * `promptLength` is one number for all rows or one per row (a batch mixing prompt kinds).
 */
export function completionMask(
  tokens: Int32Array,
  rowLength: number,
  promptLength: number | ArrayLike<number>,
  eos: number,
  pad: number,
): Float32Array {
  const R = rowsOf(tokens, rowLength);
  const T = rowLength - 1;
  const mask = new Float32Array(R * T);
  for (let r = 0; r < R; r++) {
    const p = typeof promptLength === 'number' ? promptLength : promptLength[r];
    if (p === undefined || !Number.isInteger(p) || p < 1 || p > rowLength) {
      throw new Error(`row ${r}: prompt length must be an integer in 1..${rowLength}, got ${p}`);
    }
    for (let t = p - 1; t < T; t++) {
      const target = tokens[r * rowLength + t + 1]!;
      if (target === pad) break;
      mask[r * T + t] = 1;
      if (target === eos) break;
    }
  }
  return mask;
}

/**
 * The audit count: how many *trained* target tokens (mask ≠ 0) are in `tokenSet` ([V] 0/1),
 * e.g. animal tokens in a numbers channel (should be 0) or EOS (should be one per row).
 * `targets` and `mask` are aligned, [R, L − 1] each (see targetsOf, completionMask).
 */
export function countTokens(targets: ArrayLike<number>, mask: ArrayLike<number>, tokenSet: Uint8Array): number {
  if (targets.length !== mask.length) {
    throw new Error(`countTokens: ${targets.length} targets but ${mask.length} mask entries (pass targetsOf(tokens), not the tokens)`);
  }
  let n = 0;
  for (let i = 0; i < targets.length; i++) {
    const tok = targets[i]!;
    if (mask[i] !== 0 && tok >= 0 && tok < tokenSet.length && tokenSet[tok] !== 0) n++;
  }
  return n;
}
