// tfjs-wasm's Sum over axes that are not the innermost transposes its input first (a scalar
// permutation of the whole tensor) and then sums each run. Every bias and gain gradient of a
// training step is such a sum ([M, B·T, d] over B·T), and at 0.2 GFLOP/s they were 16 % of a
// gpt step. This Sum adds the rows in place instead (kernels-module.ts's sumMiddle), in the same
// order from the same +0, so the values are bit-identical; other sums keep tfjs's kernel.
import * as tf from '@tensorflow/tfjs';
import { heapOffset, wasmKernelsOf, type WasmBackendView } from './wasm-kernels/instance.js';
import { overrideWasmKernel } from './wasm-kernels/override.js';

let installed = false;

/** x's shape as [P, R, Q] when the summed axes are one run of axes short of the last; else null. */
export function middleRun(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const sorted = [...new Set(axes.map((a) => (a < 0 ? a + shape.length : a)))].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const [first, last] = [sorted[0]!, sorted[sorted.length - 1]!];
  if (last - first + 1 !== sorted.length || last >= shape.length - 1 || first < 0) return null;
  const size = (from: number, to: number) => shape.slice(from, to).reduce((x, y) => x * y, 1);
  return [size(0, first), size(first, last + 1), size(last + 1, shape.length)];
}

/** Replaces wasm's Sum with one that sums middle axes in place (once per process). */
export function sumMiddleAxesOnWasm(): void {
  if (installed) return;
  installed = overrideWasmKernel(tf.Sum, (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const axes = axis === null ? [...x.shape.keys()] : tf.util.parseAxisParam(axis, x.shape); // non-negative
    const run = middleRun(x.shape, axes);
    const backend = args.backend as WasmBackendView;
    const kernels = x.dtype === 'float32' && run !== null && run[0] * run[1] * run[2] > 0 ? wasmKernelsOf(backend) : null;
    if (kernels === null || run === null) return null;
    const summed = new Set(axes);
    const outShape = x.shape.flatMap((n, i) => (!summed.has(i) ? [n] : keepDims ? [1] : []));
    const out = backend.makeOutput(outShape, 'float32');
    kernels.sumMiddle(heapOffset(backend, x), heapOffset(backend, out), ...run);
    return out;
  });
}
