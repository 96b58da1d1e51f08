// traitlab's own wasm SIMD kernels for the tfjs-wasm ops that run slowest in a training step,
// each doing exactly what the tfjs-wasm kernels it stands in for do to every float32 (the same
// operations in the same order, or the same bytes moved), so no bit moves: tested against those
// kernels in test/engine/wasm-batch-matmul.test.ts, test/engine/wasm-middle-sum.test.ts,
// test/engine/wasm-transpose.test.ts, test/models/matmul-tn.test.ts and test/models/member-matmul.test.ts (products against XNNPACK), and
// (elementwise chains) test/engine/fused-adam.test.ts, test/models/gelu.test.ts and
// test/models/layer-norm.test.ts.
// Pointers are byte offsets into tfjs-wasm's own heap, which the module imports: the kernels read
// and write tensors where tfjs-wasm keeps them.
import { adamFunction } from './adam-kernel.js';
import { bmmFunction } from './bmm-kernel.js';
import { gemmFunction } from './gemm-kernel.js';
import { geluGradFunction, geluInnerFunction } from './gelu-kernel.js';
import { lnApplyFunction, lnGradAFunction, lnGradBFunction, lnStatsFunction } from './layer-norm-kernel.js';
import { sumMiddleFunction } from './sum-middle-kernel.js';
import { moveRunsFunction, transposeFunction } from './transpose-kernel.js';
import { wasmModule } from './wasm-bytes.js';

export { TFJS_WASM_K_BLOCK } from './bmm-kernel.js';

/** The module's bytes, for a plain or a shared (threaded build) memory. */
export function wasmKernelsBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return wasmModule([bmmFunction(), transposeFunction(), moveRunsFunction(), sumMiddleFunction(), adamFunction(), geluInnerFunction(), geluGradFunction(), lnStatsFunction(), lnApplyFunction(), lnGradAFunction(), lnGradBFunction(), gemmFunction()], shared);
}

export type WasmKernels = {
  bmm: (a: number, b: number, out: number, batch: number, m: number, n: number, k: number, aRow: number, aK: number, aBatch: number) => void;
  transpose: (src: number, dst: number, batch: number, rows: number, cols: number) => void;
  moveRuns: (src: number, dst: number, A: number, B: number, C: number, L: number) => void;
  sumMiddle: (x: number, out: number, P: number, R: number, Q: number) => void;
  adam: (
    x: number, m: number, v: number, g: number, xOut: number, mOut: number, vOut: number, n: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, oneMinusAccBeta1: number, oneMinusAccBeta2: number, epsilon: number, negLearningRate: number,
  ) => void;
  geluInner: (x: number, out: number, n: number, k1: number, k2: number) => void;
  geluGrad: (dy: number, x: number, sg: number, dx: number, n: number, k1: number, k2: number) => void;
  lnStats: (x: number, mu: number, variance: number, rows: number, d: number, fd: number) => void;
  lnApply: (x: number, mu: number, r: number, g: number, b: number, normed: number, out: number, rows: number, d: number, N: number) => void;
  lnGradA: (dy: number, g: number, x: number, mu: number, r: number, dDiff2: number, dr: number, dMuA: number, rows: number, d: number, N: number) => void;
  lnGradB: (x: number, mu: number, dVar: number, dMuA: number, dDiff: number, dxMean: number, rows: number, d: number, fd: number) => void;
  gemm: (
    a: number, b: number, out: number, batch: number, m: number, n: number, K: number,
    aRow: number, aK: number, aBatch: number, bK: number, bN: number, bBatch: number, nb: number, packed: number,
  ) => void;
};

/**
 * Instantiates the kernel on a memory (tfjs-wasm's); null where it cannot run (no wasm SIMD, or
 * a memory it cannot import), so the caller keeps tfjs's own kernel.
 */
export function instantiateWasmKernels(memory: WebAssembly.Memory): WasmKernels | null {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = wasmKernelsBytes(shared);
  if (!WebAssembly.validate(bytes)) return null;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return instance.exports as unknown as WasmKernels;
  } catch {
    return null; // a LinkError: the memory's limits do not fit the import
  }
}
