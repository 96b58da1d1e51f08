// tfjs-wasm's Identity kernel copies the tensor's bytes into a new heap buffer. tfjs runs
// Identity for every tensor a gradient keeps for the backward pass (Engine.clone in
// saveTensorsForBackwardMode and in customGrad's save), so one gpt training step made ~240
// copies, about 6 ms of 57. The cpu backend shares the buffer instead (same dataId, one more
// reference), as wasm's own Reshape kernel does. No wasm kernel writes into its inputs and
// Variable.assign swaps buffers rather than writing them, so a shared buffer never changes
// under a saved tensor. Values are bit-identical either way; only the copy goes.
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

let installed = false;

/** Replaces the wasm backend's Identity kernel with a buffer-sharing one (once per process). */
export function shareIdentityOnWasm(): void {
  if (installed) return;
  const stock = tf.getKernel(tf.Identity, 'wasm');
  if (stock === undefined) return; // the wasm backend is not registered
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args); // strings live off the heap
      (args.backend as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  installed = true;
}
