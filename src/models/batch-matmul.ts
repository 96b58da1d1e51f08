// A batched matmul [batch, m, k]·[batch, k, n] (either side transposed) for attention, run on
// wasm by engine/wasm-kernels/kernels-module.ts: the same sums as tfjs-wasm's own batched
// matmul, bit for bit, vectorised across output columns (tfjs-wasm runs these shapes in a
// scalar loop: XNNPACK serves only an untransposed batch of 1). On cpu and node: tf.matMul.
//
// A registered kernel with a registered gradient (as matmul.ts): the gradient is tfjs's own
// BatchMatMul gradient, term for term, with every product on this kernel.
import * as tf from '@tensorflow/tfjs';
import { heapOffset, wasmKernelsEnabled, wasmKernelsOf, type WasmBackendView } from '../engine/wasm-kernels/instance.js';

const KERNEL = 'TraitlabBatchMatMul';

type Attrs = { transposeA: boolean; transposeB: boolean };

function stockBatchMatMul(inputs: tf.NamedTensorInfoMap, backend: unknown, attrs: Attrs): tf.TensorInfo {
  const stock = tf.getKernel(tf.BatchMatMul, 'wasm')!;
  return stock.kernelFunc({ inputs, backend, attrs } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

function batchMatMulWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  const backend = args.backend as WasmBackendView;
  const kernel = wasmKernelsOf(backend);
  const [batch, aRows, aCols] = a.shape;
  const [bBatch, bRows, bCols] = b.shape;
  const m = attrs.transposeA ? aCols! : aRows!;
  const K = attrs.transposeA ? aRows! : aCols!;
  const n = attrs.transposeB ? bRows! : bCols!;
  const kB = attrs.transposeB ? bCols! : bRows!;
  const plain = a.shape.length === 3 && b.shape.length === 3 && batch === bBatch && K === kB && a.dtype === 'float32' && b.dtype === 'float32';
  // anything else (broadcast batches, empty tensors, no SIMD) keeps tfjs's own kernel
  if (kernel === null || !plain || batch! * m * n * K === 0) return stockBatchMatMul(args.inputs, args.backend, attrs);

  const out = backend.makeOutput([batch!, m, n], 'float32');
  // B as row-major [batch, K, n]: a transposed B is copied into that layout first
  const bT = attrs.transposeB ? backend.makeOutput([batch!, K, n], 'float32') : null;
  const offset = (t: tf.TensorInfo) => heapOffset(backend, t);
  if (bT !== null) kernel.transpose(offset(b), offset(bT), batch!, n, K);
  // A[b, i, k] at b·m·K + i·aRow + k·aK
  const [aRow, aK] = attrs.transposeA ? [1, m] : [K, 1];
  kernel.bmm(offset(a), offset(bT ?? b), offset(out), batch!, m, n, K, aRow, aK, m * K);
  if (bT !== null) backend.disposeData(bT.dataId);
  return out;
}

// Guarded: a second copy of this module in one process (src and dist, say) must not re-register.
if (tf.getKernel(KERNEL, 'wasm') === undefined) tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: batchMatMulWasm as tf.KernelFunc });
if (tf.getGradient(KERNEL) === undefined)
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['a', 'b'],
    // tfjs-core's BatchMatMul gradient, case for case
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [a, b] = saved as [tf.Tensor3D, tf.Tensor3D];
      const g = dy as tf.Tensor3D;
      const { transposeA, transposeB } = attrs as unknown as Attrs;
      if (!transposeA && !transposeB) return { a: () => batchMatMul(g, b, false, true), b: () => batchMatMul(a, g, true, false) };
      if (!transposeA && transposeB) return { a: () => batchMatMul(g, b, false, false), b: () => batchMatMul(g, a, true, false) };
      if (transposeA && !transposeB) return { a: () => batchMatMul(b, g, false, true), b: () => batchMatMul(a, g, false, false) };
      return { a: () => batchMatMul(b, g, true, true), b: () => batchMatMul(g, a, true, true) };
    },
  });

/** [batch, m, k]·[batch, k, n] → [batch, m, n] (transposes as tf.matMul's), differentiable. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  if (!wasmKernelsEnabled() || tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.engine().runKernel(KERNEL, { a, b }, { transposeA, transposeB }) as tf.Tensor3D;
}
