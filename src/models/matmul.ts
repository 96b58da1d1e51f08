// A 2D matMul whose gradient is built from plain (untransposed) matmuls.
// Why: tfjs-wasm's fast XNNPACK path serves only plain 2D matmuls (30–45 GFLOP/s here);
// tfjs's own matMul gradient uses transposeA/transposeB, which fall to 1–3.5 GFLOP/s.
// Transposing explicitly first keeps every matmul on the fast path (2–4× faster training
// on wasm). On the cpu and node backends the stock op is as fast or faster, so it is used.
//
// It is a registered kernel with a registered gradient rather than a tf.customGrad: customGrad
// computes the gradient of every input eagerly, while a registered gradient is evaluated only
// for inputs that need one. A data input (an MLP's first layer on images, a one-hot embedding)
// then costs no dX = dY·Bᵀ — for the MNIST MLP's first layer that is a matmul as large as the
// forward one.
//
// On wasm with traitlab's kernels, the product and both gradients (dA = dY·Bᵀ, dB = Aᵀ·dY) run
// on traitlab's kernel (wasm-kernels/gemm-kernel.ts), which reads either operand transposed
// where it lies: the same sums as XNNPACK's, bit for bit, with no Transpose.
import * as tf from '@tensorflow/tfjs';
import { gemmProduct, gemmServed, gemmWasm } from './member-matmul.js';

const KERNEL = 'TraitlabMatMul2d';

/**
 * Forward [r, k]·[k, c]: traitlab's product (member-matmul.ts's kernel, XNNPACK's sums bit for
 * bit, faster here) where its kernels run, else wasm's own BatchMatMul untransposed (XNNPACK).
 */
function matMulWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  if (gemmServed(a, b)) return gemmWasm(args, 'nn');
  const batchMatMul = tf.getKernel(tf.BatchMatMul, 'wasm')!;
  return batchMatMul.kernelFunc({ ...args, attrs: { transposeA: false, transposeB: false } } as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

// Guarded: a second copy of this module in one process (src and dist, say) must not re-register.
if (tf.getKernel(KERNEL, 'wasm') === undefined) tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: matMulWasm as tf.KernelFunc });
if (tf.getGradient(KERNEL) === undefined)
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['a', 'b'],
    // dA = dY · Bᵀ  [r, c]·[c, k] ; dB = Aᵀ · dY  [k, r]·[r, c] — each only when asked for
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return { a: () => matMulTransposedB(g, b), b: () => matMulTransposedA(a, g) };
    },
  });

/** [r, k] · [k, c] → [r, c], differentiable, on the fastest path of the active backend. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b);
  return tf.engine().runKernel(KERNEL, { a, b }) as tf.Tensor2D;
}

/** Aᵀ · B for A [r, m], B [r, n] → [m, n] (not differentiated: a gradient's own product). */
export function matMulTransposedA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.shape[0] !== b.shape[0]) throw new Error(`matMulTransposedA: A [${a.shape.join(', ')}] and B [${b.shape.join(', ')}] must have the same number of rows`);
  if (gemmServed(a, b)) return gemmProduct('tn', a, b) as tf.Tensor2D;
  return matMul2d(tf.transpose(a), b);
}

/** A · Bᵀ for A [r, c], B [k, c] → [r, k] (not differentiated: a gradient's own product). */
function matMulTransposedB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (gemmServed(a, b)) return gemmProduct('nt', a, b) as tf.Tensor2D;
  return matMul2d(a, tf.transpose(b));
}
