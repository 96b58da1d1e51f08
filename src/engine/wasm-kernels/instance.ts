// traitlab's wasm kernels (kernels-module.ts), one instance per tfjs-wasm module, working in that
// module's own heap: a tensor's bytes are read and written where tfjs-wasm keeps them, no copy.
import * as tf from '@tensorflow/tfjs';
import { instantiateWasmKernels, type WasmKernels } from './kernels-module.js';

/** The parts of tfjs-wasm's BackendWasm the kernels use (not in its public typings). */
export type WasmBackendView = {
  // the plain and SIMD builds export their memory; the threaded build's is Module.wasmMemory
  wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
};

const instances = new WeakMap<object, WasmKernels | null>();

// The bench times a step with these kernels and with tfjs's own, interleaved in one process.
let enabled = true;

/** Turns traitlab's wasm kernels off (tfjs-wasm's own run everywhere) or back on; for the bench. */
export function setWasmKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The kernels on this backend's heap; null where they cannot run (then tfjs's own kernels do). */
export function wasmKernelsOf(backend: WasmBackendView): WasmKernels | null {
  if (!enabled) return null;
  const key = backend.wasm as object;
  if (!instances.has(key)) {
    const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
    instances.set(key, memory instanceof WebAssembly.Memory ? instantiateWasmKernels(memory) : null);
  }
  return instances.get(key)!;
}

/**
 * The kernels for a kernel that only runs after its caller saw wasmKernelsActive(); `kernel`
 * names it in the error should they have been switched off in between.
 */
export function requireWasmKernels(backend: WasmBackendView, kernel: string): WasmKernels {
  const kernels = wasmKernelsOf(backend);
  if (kernels === null) throw new Error(`${kernel}: traitlab's wasm kernels are off; its caller checks wasmKernelsActive() before running it`);
  return kernels;
}

/** Whether traitlab's kernels run on the active backend (wasm with SIMD, the heap importable). */
export function wasmKernelsActive(): boolean {
  return tf.getBackend() === 'wasm' && wasmKernelsOf(tf.backend() as unknown as WasmBackendView) !== null;
}

/** The byte offset of a tensor's data in the heap. */
export function heapOffset(backend: WasmBackendView, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}
