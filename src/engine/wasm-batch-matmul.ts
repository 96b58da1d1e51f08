// tfjs-wasm's BatchMatMul sends every product but an untransposed batch of 1 (its XNNPACK path) to
// a scalar loop at about 1.9 GFLOP/s: attention's [M·B·H, T, dh] products and all their gradients
// (tfjs-core's BatchMatMul gradient multiplies with transposeA/transposeB). This BatchMatMul runs
// those cases on kernels-module.ts's SIMD kernel instead: the same sums in the same order (blocks
// of 48 along the shared dimension), vectorised across output columns, so the values are
// bit-identical. It declines the untransposed batch of 1, which keeps XNNPACK (matmul.ts's
// matMul2d relies on that), and anything that broadcasts batches; tfjs's kernel runs those.
import * as tf from '@tensorflow/tfjs';
import { heapOffset, wasmKernelsOf, type WasmBackendView } from './wasm-kernels/instance.js';
import { overrideWasmKernel } from './wasm-kernels/override.js';

let installed = false;

type Attrs = { transposeA: boolean; transposeB: boolean };

/** The product as [batch, m, K, n] when traitlab's kernel serves it; null where tfjs's kernel runs. */
export function servedBatchMatMul(aShape: readonly number[], bShape: readonly number[], { transposeA, transposeB }: Attrs): [number, number, number, number] | null {
  if (aShape.length < 2 || aShape.length !== bShape.length) return null;
  const outer = aShape.slice(0, -2);
  if (outer.some((n, i) => n !== bShape[i])) return null; // broadcast batches stay tfjs's
  const batch = outer.reduce((x, y) => x * y, 1);
  const [aRows, aCols] = aShape.slice(-2) as [number, number];
  const [bRows, bCols] = bShape.slice(-2) as [number, number];
  const [m, K] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [kB, n] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (K !== kB || batch * m * n * K === 0) return null; // tfjs's kernel gives the error or the empty result
  if (batch === 1 && !transposeA && !transposeB) return null; // XNNPACK's case
  return [batch, m, K, n];
}

/** Replaces wasm's BatchMatMul with one that runs the scalar-loop cases on traitlab's SIMD kernel. */
export function fastBatchMatMulOnWasm(): void {
  if (installed) return;
  installed = overrideWasmKernel(tf.BatchMatMul, (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const attrs = args.attrs as unknown as Attrs;
    const backend = args.backend as WasmBackendView;
    const dims = a.dtype === 'float32' && b.dtype === 'float32' ? servedBatchMatMul(a.shape, b.shape, attrs) : null;
    const kernels = dims === null ? null : wasmKernelsOf(backend);
    if (kernels === null || dims === null) return null;
    const [batch, m, K, n] = dims;
    const out = backend.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
    // the kernel reads B as row-major [batch, K, n]: a transposed B is moved into that layout first
    const bT = attrs.transposeB ? backend.makeOutput([batch, K, n], 'float32') : null;
    if (bT !== null) kernels.transpose(heapOffset(backend, b), heapOffset(backend, bT), batch, n, K);
    // A[b, i, k] sits at b·m·K + i·aRow + k·aK
    const [aRow, aK] = attrs.transposeA ? [1, m] : [K, 1];
    kernels.bmm(heapOffset(backend, a), heapOffset(backend, bT ?? b), heapOffset(backend, out), batch, m, n, K, aRow, aK, m * K);
    if (bT !== null) backend.disposeData(bT.dataId);
    return out;
  });
}
