// Every member's product in one kernel: x [M, N, k] · W [M, k, n] → [M, N, n] on wasm with
// traitlab's kernels (engine/wasm-kernels/gemm-kernel.ts), its gradients dX = dY·Wᵀ and
// dW = Xᵀ·dY likewise, each reading the stacked tensors where they lie. The per-member path it
// replaces split x and W into M tensors, ran XNNPACK once per member (and a Transpose per weight
// gradient), then joined the M results: copies and dozens of kernel calls per step at M = 8. The
// sums are XNNPACK's, bit for bit (test/models/member-matmul.test.ts), so no number moves.
// Like matMul2d it is a registered kernel with a registered gradient, so a data input (a one-hot
// embedding) costs no dX.
import * as tf from '@tensorflow/tfjs';
import { heapOffset, requireWasmKernels, wasmKernelsActive, type WasmBackendView } from '../engine/wasm-kernels/instance.js';

const FORWARD = 'TraitlabMemberMatMul';
const GEMM = 'TraitlabGemm';

/** Which operand is transposed: nn x·W, nt dY·Wᵀ, tn Xᵀ·dY. */
export type Form = 'nn' | 'nt' | 'tn';

/** The gemm kernel's arguments for `form` on a [G?, ·, ·] and b [G?, ·, ·] (2-D: shared by the batch). */
function layout(form: Form, aShape: readonly number[], bShape: readonly number[]) {
  const batchOf = (s: readonly number[]) => (s.length === 3 ? s[0]! : null);
  const [ga, gb] = [batchOf(aShape), batchOf(bShape)];
  if (ga !== null && gb !== null && ga !== gb) throw new Error(`memberMatMul: a [${aShape.join(', ')}] and b [${bShape.join(', ')}] have different numbers of members`);
  const batch = ga ?? gb ?? 1;
  const [a0, a1] = aShape.slice(-2) as [number, number];
  const [b0, b1] = bShape.slice(-2) as [number, number];
  // a's rows and shared dimension; b's shared dimension and columns
  const [m, K] = form === 'tn' ? [a1, a0] : [a0, a1];
  const [Kb, n] = form === 'nt' ? [b1, b0] : [b0, b1];
  if (K !== Kb) throw new Error(`memberMatMul (${form}): a [${aShape.join(', ')}] and b [${bShape.join(', ')}] do not share their inner dimension`);
  return {
    batch, m, n, K,
    // A (i, k) at i·aRow + k·aK; B (k, j) at k·bK + j·bN
    aRow: form === 'tn' ? 1 : K, aK: form === 'tn' ? m : 1, aBatch: ga === null ? 0 : m * K,
    bK: form === 'nt' ? 1 : n, bN: form === 'nt' ? K : 1, bBatch: gb === null ? 0 : K * n,
    outShape: ga === null && gb === null ? [m, n] : [batch, m, n],
  };
}

/**
 * Columns of B per block: the block, packed (K floats per column), stays in cache (64 KiB) while
 * every tile of output rows passes over it; a multiple of the 8-column panel.
 */
function columnBlock(K: number): number {
  return Math.max(8, Math.floor(BLOCK_BYTES / (4 * Math.max(K, 1)) / 8) * 8);
}
const BLOCK_BYTES = 64 * 1024;

/** The product `form` of inputs a and b on traitlab's kernel (a wasm kernelFunc's body). */
export function gemmWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }, form: Form): tf.TensorInfo {
  const backend = args.backend as WasmBackendView;
  const kernels = requireWasmKernels(backend, 'memberMatMul');
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const L = layout(form, a.shape, b.shape);
  const out = backend.makeOutput(L.outShape, 'float32');
  const nb = columnBlock(L.K);
  const packed = backend.makeOutput([Math.max(1, L.K * 8 * Math.ceil(Math.min(nb, L.n) / 8))], 'float32'); // one block of B, packed
  kernels.gemm(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), L.batch, L.m, L.n, L.K, L.aRow, L.aK, L.aBatch, L.bK, L.bN, L.bBatch, nb, heapOffset(backend, packed));
  backend.disposeData(packed.dataId);
  return out;
}

type KernelArgs = Parameters<typeof gemmWasm>[0];
// Guarded: a second copy of this module in one process (src and dist, say) must not re-register.
if (tf.getKernel(FORWARD, 'wasm') === undefined) tf.registerKernel({ kernelName: FORWARD, backendName: 'wasm', kernelFunc: ((args: KernelArgs) => gemmWasm(args, 'nn')) as tf.KernelFunc });
if (tf.getKernel(GEMM, 'wasm') === undefined) tf.registerKernel({ kernelName: GEMM, backendName: 'wasm', kernelFunc: ((args: KernelArgs) => gemmWasm(args, args.attrs!.form as Form)) as tf.KernelFunc });
if (tf.getGradient(FORWARD) === undefined)
  tf.registerGradient({
    kernelName: FORWARD,
    inputsToSave: ['a', 'b'],
    // dX = dY · Wᵀ [M, N, n]·[M, k, n]ᵀ ; dW = Xᵀ · dY [M, N, k]ᵀ·[M, N, n] — each only when asked for
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [x, w] = saved as [tf.Tensor, tf.Tensor3D];
      const g = dy as tf.Tensor3D;
      return { a: () => (x.rank === 3 ? gemmProduct('nt', g, w) : sharedInputGradient(g, w)), b: () => gemmProduct('tn', x, g) };
    },
  });

/**
 * dX of an input every member reads ([N, k]): Σ over members of dY[m]·W[m]ᵀ, summed as the
 * members-side-by-side product [N, M·n]·[k, M·n]ᵀ sums it (one run over all M·n terms, member 0's
 * first) — what mlp.ts computed before memberMatMul, so the bits are the same.
 */
function sharedInputGradient(dy: tf.Tensor3D, w: tf.Tensor3D): tf.Tensor2D {
  const [M, N, n] = dy.shape;
  const k = w.shape[1];
  const dySide = tf.reshape(tf.transpose(dy, [1, 0, 2]), [N, M * n]);
  const wSide = tf.reshape(tf.transpose(w, [1, 0, 2]), [k, M * n]);
  return gemmProduct('nt', dySide, wSide) as tf.Tensor2D;
}

/** The product `form` (not differentiated: a gradient's own), 2-D or per member; only where gemmServed(). */
export function gemmProduct(form: Form, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(GEMM, { a, b }, { form }) as tf.Tensor;
}

/** Whether traitlab's product kernel (memberMatMul, gemmProduct) runs here: wasm with its kernels, float32 operands. */
export function gemmServed(a: { dtype: tf.DataType }, b: { dtype: tf.DataType }): boolean {
  return a.dtype === 'float32' && b.dtype === 'float32' && wasmKernelsActive();
}

/**
 * x [M, N, k] · W [M, k, n] → [M, N, n], member by member, differentiable; x [N, k] is read by
 * every member (an MLP's images). Only where gemmServed().
 */
export function memberMatMul(x: tf.Tensor3D | tf.Tensor2D, w: tf.Tensor3D): tf.Tensor3D {
  if (x.rank === 3 && x.shape[0] !== w.shape[0]) throw new Error(`memberMatMul: x [${x.shape.join(', ')}] and W [${w.shape.join(', ')}] have different numbers of members`);
  return tf.engine().runKernel(FORWARD, { a: x, b: w }) as tf.Tensor3D;
}
