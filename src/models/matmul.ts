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
// On wasm with traitlab's kernels, dB = Aᵀ·dY runs as one kernel that reads A untransposed
// (wasm-kernels/matmul-tn-kernel.ts): the same sums as XNNPACK's, bit for bit, without the
// transpose of A or XNNPACK's packing of dY.
import * as tf from '@tensorflow/tfjs';
import { heapOffset, requireWasmKernels, wasmKernelsActive, type WasmBackendView } from '../engine/wasm-kernels/instance.js';

const KERNEL = 'TraitlabMatMul2d';
const KERNEL_TN = 'TraitlabMatMulTN';

/** Forward: wasm's own BatchMatMul kernel, untransposed (its XNNPACK path); [r, k]·[k, c]. */
function matMulWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const batchMatMul = tf.getKernel(tf.BatchMatMul, 'wasm')!;
  return batchMatMul.kernelFunc({ ...args, attrs: { transposeA: false, transposeB: false } } as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

/**
 * Columns of B per block of the Aᵀ·B kernel: B's block (r rows of it, packed, TN_BLOCK_BYTES)
 * stays in cache while every 4-row tile of the output passes over it; a multiple of the 8-column
 * tile. 64 KiB measured best of 64, 256 and 1024 on the gpt step's and the MLPs' shapes.
 */
function tnColumnBlock(r: number): number {
  return Math.max(8, Math.floor(TN_BLOCK_BYTES / (4 * Math.max(r, 1)) / 8) * 8);
}
const TN_BLOCK_BYTES = 64 * 1024;

/** Aᵀ·B for A [r, m], B [r, n] → [m, n], on traitlab's kernel (its caller checked wasmKernelsActive()). */
function matMulTNWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendView;
  const kernels = requireWasmKernels(backend, 'matMulTN');
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const [r, m] = a.shape as [number, number];
  const [rB, n] = b.shape as [number, number];
  if (rB !== r) throw new Error(`matMulTransposedA: A [${a.shape.join(', ')}] and B [${b.shape.join(', ')}] must have the same number of rows`);
  const out = backend.makeOutput([m, n], 'float32');
  const nb = tnColumnBlock(r);
  const packed = backend.makeOutput([Math.max(1, r * Math.min(nb, n))], 'float32'); // scratch for one block of B
  kernels.mmTN(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), r, m, n, nb, heapOffset(backend, packed));
  backend.disposeData(packed.dataId);
  return out;
}

// Guarded: a second copy of this module in one process (src and dist, say) must not re-register.
if (tf.getKernel(KERNEL, 'wasm') === undefined) tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: matMulWasm as tf.KernelFunc });
if (tf.getKernel(KERNEL_TN, 'wasm') === undefined) tf.registerKernel({ kernelName: KERNEL_TN, backendName: 'wasm', kernelFunc: matMulTNWasm as tf.KernelFunc });
if (tf.getGradient(KERNEL) === undefined)
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['a', 'b'],
    // dA = dY · Bᵀ  [r, c]·[c, k] ; dB = Aᵀ · dY  [k, r]·[r, c] — each only when asked for
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return { a: () => matMul2d(g, tf.transpose(b)), b: () => matMulTransposedA(a, g) };
    },
  });

/** [r, k] · [k, c] → [r, c], differentiable, on the fastest path of the active backend. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b);
  return tf.engine().runKernel(KERNEL, { a, b }) as tf.Tensor2D;
}

/** Aᵀ · B for A [r, m], B [r, n] → [m, n] (not differentiated: a gradient's own product). */
export function matMulTransposedA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.dtype === 'float32' && b.dtype === 'float32' && wasmKernelsActive()) return tf.engine().runKernel(KERNEL_TN, { a, b }) as tf.Tensor2D;
  return matMul2d(tf.transpose(a), b);
}
