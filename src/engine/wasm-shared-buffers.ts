// tfjs-wasm's Identity and Cast kernels copy the tensor's bytes into a new heap buffer, even when
// Cast keeps the dtype. tfjs runs Identity for every tensor a gradient keeps for the backward pass
// (Engine.clone in saveTensorsForBackwardMode and in customGrad's save), and a same-dtype Cast
// inside ops such as moments and mean: one gpt training step made ~240 copies and ~50 casts,
// about 7 ms of 57. The cpu backend shares the buffer instead (same dataId, one more
// reference), as wasm's own Reshape kernel does. No wasm kernel writes into its inputs and
// Variable.assign swaps buffers rather than writing them, so a shared buffer never changes
// under a saved tensor. Values are bit-identical either way; only the copy goes.
import * as tf from '@tensorflow/tfjs';
import { overrideWasmKernel } from './wasm-kernels/override.js';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

let installed = false;

/** The wasm kernel `name`, replaced by one that shares the input buffer when `shares(args)`. */
function shareWhen(name: string, shares: (x: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined) => boolean): void {
  overrideWasmKernel(name, (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string' || !shares(x, args.attrs)) return null; // strings live off the heap
    (args.backend as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

/** Replaces wasm's Identity and same-dtype Cast with buffer-sharing kernels (once per process). */
export function shareBuffersOnWasm(): void {
  if (installed) return;
  shareWhen(tf.Identity, () => true);
  shareWhen(tf.Cast, (x, attrs) => attrs?.dtype === x.dtype);
  installed = true;
}
