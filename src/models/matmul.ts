// A 2D matMul whose gradient is built from plain (untransposed) matmuls.
// Why: tfjs-wasm's fast XNNPACK path serves only plain 2D matmuls (30–45 GFLOP/s here);
// tfjs's own matMul gradient uses transposeA/transposeB, which fall to 1–3.5 GFLOP/s.
// Transposing explicitly first keeps every matmul on the fast path (2–4× faster training
// on wasm). On the cpu and node backends the stock op is as fast or faster, so it is used.
import * as tf from '@tensorflow/tfjs';

const transposeFree = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    // dA = dY · Bᵀ  [B, n]·[n, k] ; dB = Aᵀ · dY  [k, B]·[B, n]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** [r, k] · [k, c] → [r, c], differentiable, on the fastest path of the active backend. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.getBackend() === 'wasm' ? transposeFree(a, b) : tf.matMul(a, b);
}
