// Running test code with traitlab's wasm kernels on or off (tfjs-wasm's own kernels), so a test
// can compare the two paths; the kernels are always switched back on, even when f throws.
import { setWasmKernelsEnabled } from '../../src/engine/wasm-kernels/instance.js';

export function withWasmKernels<T>(ours: boolean, f: () => T): T {
  setWasmKernelsEnabled(ours);
  try {
    return f();
  } finally {
    setWasmKernelsEnabled(true);
  }
}
