// GELU, the tanh approximation (GPT-2's): 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³),
// computed as x·σ(2u) (the same function: 1 + tanh(u) = 2σ(2u)) because tfjs-wasm's sigmoid is
// ~13× faster than its tanh. On wasm with traitlab's kernels the chains before the sigmoid and
// in the gradient run as one kernel each (gelu-kernel.ts), with the values of the ops bit for bit.
import * as tf from '@tensorflow/tfjs';
import { heapOffset, requireWasmKernels, wasmKernelsActive, type WasmBackendView } from '../engine/wasm-kernels/instance.js';
import type { WasmKernels } from '../engine/wasm-kernels/kernels-module.js';

const K1 = 0.044715;
const K2 = 2 * Math.sqrt(2 / Math.PI);
const INNER = 'TraitlabGeluInner';
const GRAD = 'TraitlabGeluGrad';

/** GELU as tfjs ops (any backend). x·x²: pow's gradient is slow. */
export function geluOps(x: tf.Tensor): tf.Tensor {
  const u2 = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), K1)), K2);
  return tf.mul(x, tf.sigmoid(u2));
}

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown };

/** Runs one of the two kernels on the tensors' heap; out has x's shape. */
function onHeap(args: Args, run: (kernels: WasmKernels, at: (t: tf.TensorInfo) => number, out: number, n: number) => void): tf.TensorInfo {
  const backend = args.backend as WasmBackendView;
  const kernels = requireWasmKernels(backend, 'gelu');
  const x = args.inputs.x as tf.TensorInfo;
  const out = backend.makeOutput([...x.shape], 'float32');
  run(kernels, (t) => heapOffset(backend, t), heapOffset(backend, out), x.shape.reduce((a, b) => a * b, 1));
  return out;
}

// inputs x → u2 = (x + ((x·x)·x)·K1)·K2
const inner = (args: Args) => onHeap(args, (k, at, out, n) => k.geluInner(at(args.inputs.x!), out, n, K1, K2));
// inputs dy, x, sg = σ(u2) → the gradient with respect to x
const grad = (args: Args) => onHeap(args, (k, at, out, n) => k.geluGrad(at(args.inputs.dy!), at(args.inputs.x!), at(args.inputs.sg!), out, n, K1, K2));
if (tf.getKernel(INNER, 'wasm') === undefined) tf.registerKernel({ kernelName: INNER, backendName: 'wasm', kernelFunc: inner as unknown as tf.KernelFunc });
if (tf.getKernel(GRAD, 'wasm') === undefined) tf.registerKernel({ kernelName: GRAD, backendName: 'wasm', kernelFunc: grad as unknown as tf.KernelFunc });

/** geluOps with its two chains fused: forward 3 kernels instead of 7, the gradient 1 instead of 13. */
const geluFused = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const sg = tf.sigmoid(tf.engine().runKernel(INNER, { x }) as tf.Tensor);
  save([x, sg]);
  return {
    value: tf.mul(x, sg),
    gradFunc: (dy: tf.Tensor, [xs, sgs]: tf.Tensor[]) => tf.engine().runKernel(GRAD, { dy, x: xs!, sg: sgs! }) as tf.Tensor,
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/** GELU of a float32 tensor of any shape. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' && wasmKernelsActive() ? geluFused(x) : geluOps(x);
}
