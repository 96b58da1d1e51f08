// Replacing one of tfjs-wasm's kernels with traitlab's own while keeping tfjs's for every case
// ours declines. The stock kernel's setup still runs (its config's setupFunc is carried over),
// so falling back to it always works.
import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];

const served = new Map<string, number>();

/** How many calls of `kernelName` traitlab's replacement has served in this process (tests read it). */
export function servedByOurs(kernelName: string): number {
  return served.get(kernelName) ?? 0;
}

/**
 * Registers `ours` for `kernelName` on wasm; where it returns null, tfjs's kernel runs. False
 * when the wasm backend is not registered (nothing to replace).
 */
export function overrideWasmKernel(kernelName: string, ours: (args: KernelArgs) => tf.TensorInfo | null): boolean {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (stock === undefined) return false;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: (args) => {
      const out = ours(args);
      if (out === null) return stock.kernelFunc(args);
      served.set(kernelName, servedByOurs(kernelName) + 1);
      return out;
    },
  });
  return true;
}
