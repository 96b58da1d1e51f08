// A batched matmul [batch, m, k]·[batch, k, n] (either side transposed) for attention, run on
// wasm by kernels/bmm-module.ts: the same sums as tfjs-wasm's own batched matmul, bit for bit,
// vectorised across output columns (tfjs-wasm runs these shapes in a scalar loop: XNNPACK
// serves only an untransposed batch of 1). On the cpu and node backends it is tf.matMul.
//
// A registered kernel with a registered gradient (as matmul.ts): the gradient is tfjs's own
// BatchMatMul gradient, term for term, with every product on this kernel.
import * as tf from '@tensorflow/tfjs';
import { instantiateBmm, type BmmExports } from './kernels/bmm-module.js';

const KERNEL = 'TraitlabBatchMatMul';

/** The parts of tfjs-wasm's BackendWasm this kernel reads (not in its public typings). */
type WasmBackendView = {
  // the plain and SIMD builds export their memory; the threaded build's is Module.wasmMemory
  wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
};

// One kernel instance per tfjs-wasm module (per backend), on that module's memory.
const instances = new WeakMap<object, BmmExports | null>();

function kernelOf(backend: WasmBackendView): BmmExports | null {
  const key = backend.wasm as object;
  if (!instances.has(key)) {
    const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
    instances.set(key, memory instanceof WebAssembly.Memory ? instantiateBmm(memory) : null);
  }
  return instances.get(key)!;
}

type Attrs = { transposeA: boolean; transposeB: boolean };

function stockBatchMatMul(inputs: tf.NamedTensorInfoMap, backend: unknown, attrs: Attrs): tf.TensorInfo {
  const stock = tf.getKernel(tf.BatchMatMul, 'wasm')!;
  return stock.kernelFunc({ inputs, backend, attrs } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

function batchMatMulWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  const backend = args.backend as WasmBackendView;
  const kernel = kernelOf(backend);
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
  const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
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

// The bench times the step with the kernel and without it, interleaved in one process.
let simdEnabled = true;

/** Turns the SIMD kernel off (tf.matMul everywhere) or back on; for the bench's comparison. */
export function setSimdBatchMatMul(enabled: boolean): void {
  simdEnabled = enabled;
}

/** Whether batchMatMul runs the SIMD kernel on the active backend (wasm with SIMD), for reports and tests. */
export function simdBatchMatMulActive(): boolean {
  return simdEnabled && tf.getBackend() === 'wasm' && kernelOf(tf.backend() as unknown as WasmBackendView) !== null;
}

/** [batch, m, k]·[batch, k, n] → [batch, m, n] (transposes as tf.matMul's), differentiable. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  if (!simdEnabled || tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.engine().runKernel(KERNEL, { a, b }, { transposeA, transposeB }) as tf.Tensor3D;
}
