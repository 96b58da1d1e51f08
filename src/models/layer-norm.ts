// LayerNorm over the last axis, with per-member gain and bias. On wasm with traitlab's kernels a
// [M, N, d] input runs its full-width passes as 2 kernels forward and 2 for the gradient
// (layer-norm-kernel.ts) instead of about 14 and 60 tfjs kernels; the values and gradients are
// those of the tfjs ops bit for bit (test/models/layer-norm.test.ts).
import * as tf from '@tensorflow/tfjs';
import { heapOffset, requireWasmKernels, wasmKernelsActive, type WasmBackendView } from '../engine/wasm-kernels/instance.js';
import type { WasmKernels } from '../engine/wasm-kernels/kernels-module.js';

const EPS = 1e-5;

/** LayerNorm as tfjs ops (any backend). x: [M, …, d]; g, b: [M, d]. */
export function layerNormOps(x: tf.Tensor, g: tf.Tensor2D, b: tf.Tensor2D, eps = EPS): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  // [M, d] → [M, 1, …, 1, d] to broadcast over the middle axes
  const shape = [g.shape[0], ...new Array<number>(x.rank - 2).fill(1), g.shape[1]];
  return tf.add(tf.mul(normed, tf.reshape(g, shape)), tf.reshape(b, shape));
}

const STATS = 'TraitlabLnStats';
const APPLY = 'TraitlabLnApply';
const GRAD_A = 'TraitlabLnGradA';
const GRAD_B = 'TraitlabLnGradB';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown };

/** Makes outputs of the given shapes and runs `run` on the heap offsets; x is [M, N, d]. */
function onHeap(args: Args, outShapes: (x: tf.TensorInfo) => number[][], run: (k: WasmKernels, at: (name: string) => number, outs: number[], dims: { rows: number; d: number; N: number }) => void): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendView;
  const kernels = requireWasmKernels(backend, 'layerNorm');
  const x = args.inputs.x as tf.TensorInfo;
  const [M, N, d] = x.shape as [number, number, number];
  const outs = outShapes(x).map((s) => backend.makeOutput(s, 'float32'));
  run(kernels, (name) => heapOffset(backend, args.inputs[name] as tf.TensorInfo), outs.map((o) => heapOffset(backend, o)), { rows: M * N, d, N });
  return outs;
}

const rowShape = (x: tf.TensorInfo) => [...x.shape.slice(0, -1), 1];
const kernelFuncs: Record<string, (args: Args) => tf.TensorInfo[]> = {
  // x → mean, variance [M, N, 1]
  [STATS]: (args) => onHeap(args, (x) => [rowShape(x), rowShape(x)], (k, at, [mu, v], { rows, d }) => k.lnStats(at('x'), mu!, v!, rows, d, d)),
  // x, mu, r, g, b → normed, out [M, N, d]
  [APPLY]: (args) => onHeap(args, (x) => [[...x.shape], [...x.shape]], (k, at, [normed, out], { rows, d, N }) => k.lnApply(at('x'), at('mu'), at('r'), at('g'), at('b'), normed!, out!, rows, d, N)),
  // x, dy, g, mu, r → the gradient at x − mean through normed [M, N, d], at r and the mean's first term [M, N, 1]
  [GRAD_A]: (args) => onHeap(args, (x) => [[...x.shape], rowShape(x), rowShape(x)], (k, at, [dDiff2, dr, dMuA], { rows, d, N }) => k.lnGradA(at('dy'), at('g'), at('x'), at('mu'), at('r'), dDiff2!, dr!, dMuA!, rows, d, N)),
  // x, mu, dVar, dMuA → the gradient at x − mean through the variance, and at x through the mean [M, N, d]
  [GRAD_B]: (args) => onHeap(args, (x) => [[...x.shape], [...x.shape]], (k, at, [dDiff, dxMean], { rows, d }) => k.lnGradB(at('x'), at('mu'), at('dVar'), at('dMuA'), dDiff!, dxMean!, rows, d, d)),
};
for (const [kernelName, f] of Object.entries(kernelFuncs))
  if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: f as unknown as tf.KernelFunc });

const run = (name: string, inputs: tf.NamedTensorMap) => tf.engine().runKernel(name, inputs) as tf.Tensor[];

/**
 * layerNormOps on [M, N, d] with the kernels. x comes in three times: tfjs's tape adds x's three
 * gradient terms (through x − mean, through the variance, through the mean) to x's gradient one
 * at a time, after the other uses of x (the residual); three inputs keep those three additions.
 */
const layerNormFused = tf.customGrad(((x1: tf.Tensor, x2: tf.Tensor, x3: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  void x2;
  void x3;
  const [mu, variance] = run(STATS, { x: x1 });
  const ve = tf.add(variance!, EPS);
  const r = tf.rsqrt(ve);
  const [normed, out] = run(APPLY, { x: x1, mu: mu!, r, g, b });
  save([x1, mu!, ve, r, normed!, g]);
  return {
    value: out!,
    gradFunc: (dy: tf.Tensor, [x, m, v, rs, n, gain]: tf.Tensor[]) => {
      const [dDiff2, dr, dMuA] = run(GRAD_A, { dy, g: gain!, x: x!, mu: m!, r: rs! });
      const dVar = tf.neg(tf.div(dr!, tf.mul(tf.pow(v!, 1.5), 2))); // rsqrt's gradient, as tfjs takes it
      const [dDiff, dxMean] = run(GRAD_B, { x: x!, mu: m!, dVar, dMuA: dMuA! });
      const dg = tf.reshape(tf.sum(tf.mul(dy, n!), 1), gain!.shape);
      const db = tf.reshape(tf.sum(dy, 1), gain!.shape);
      return [dDiff2!, dDiff!, dxMean!, dg, db];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x1: tf.Tensor, x2: tf.Tensor, x3: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** LayerNorm over the last axis. x: [M, …, d]; g, b: [M, d] (per-member gain and bias). */
export function layerNorm(x: tf.Tensor, g: tf.Tensor2D, b: tf.Tensor2D, eps = EPS): tf.Tensor {
  const fusable = x.rank === 3 && eps === EPS && x.dtype === 'float32' && wasmKernelsActive();
  return fusable ? layerNormFused(x, x, x, g, b) : layerNormOps(x, g, b, eps);
}
