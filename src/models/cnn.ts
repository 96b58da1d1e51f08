// A small convolutional classifier family with a leading members axis (member i is seed i):
// conv k×k, stride 2 (zero padding (k−1)/2, C channels) → ReLU → dense to `dense` → ReLU →
// output layer [dense, outputs]. Built so that its output layer can be an MLP's (same input
// width, same shape), e.g. an MLP teacher's initial head. Init as the MLP's: W ~ N(0, 1/fan_in),
// b = 0.
//
// Layout (tfjs-wasm has no Conv2DBackpropFilter kernel, and its fast path is plain 2D matmuls):
// the convolution is an im2col matmul — the images' k×k patches [B·(side/2)², k²], cut on the host
// (data: no gradient flows into them) times every member's filters side by side [k², M·C] — so all members share one
// matmul and the filter gradient is a plain matmul too. Dense and output layers are one plain 2D
// matmul per member, as in MlpFamily. Why a stride-2 conv and no pooling layer: on tfjs-wasm every
// elementwise op over a full-resolution activation ([B, 28, 28, M·C], 4 M values at B 256, M 5,
// C 4) costs more than the whole MLP layer (measured on a busy 2-core machine: the max-pool and ReLU
// gradients there took 0.25–1.1 s a step against 0.3–0.6 s for a whole MLP step); the stride-2 conv downsamples as a pool would at a quarter of that.
import * as tf from '@tensorflow/tfjs';
import type { RandomStream } from '../engine/rng.js';
import { readMember, stackMemberParams, unstackMembers, variablesFromStacked, type ParamSpec } from './layers.js';
import { matMul2d } from './matmul.js';

export interface CnnShape {
  /** Image side: inputs are rows of side·side pixels (one channel). Even, for the stride 2. */
  side: number;
  /** Convolution kernel side, odd ('same' padding keeps the side). */
  kernel: number;
  /** Convolution output channels. */
  channels: number;
  /** Width of the dense layer: the output layer's input width. */
  dense: number;
  /** Output logits. */
  outputs: number;
}

/** Parameter order of one member (checkpoints and copies rely on it); the last two are the output layer. */
export function cnnParamSpecs(s: CnnShape): ParamSpec[] {
  const features = (s.side / 2) * (s.side / 2) * s.channels;
  return [
    { name: 'conv.w', shape: [s.kernel * s.kernel, s.channels] }, // row = patch offset (dy·k + dx)
    { name: 'conv.b', shape: [s.channels] },
    { name: 'dense.w', shape: [features, s.dense] }, // row = (conv position)·C + channel
    { name: 'dense.b', shape: [s.dense] },
    { name: 'head.w', shape: [s.dense, s.outputs] },
    { name: 'head.b', shape: [s.outputs] },
  ];
}

/** Index of the output layer's weights in cnnParamSpecs (its bias follows). */
export const CNN_HEAD = 4;

export function checkCnnShape(s: CnnShape): void {
  const ok = (x: number) => Number.isInteger(x) && x >= 1;
  if (!ok(s.side) || s.side % 2 !== 0) throw new Error(`a CNN needs an even image side, got ${s.side}`);
  if (!ok(s.kernel) || s.kernel % 2 !== 1) throw new Error(`a CNN needs an odd kernel side, got ${s.kernel}`);
  for (const k of ['channels', 'dense', 'outputs'] as const) if (!ok(s[k])) throw new Error(`a CNN needs an integer ≥ 1 ${k}, got ${s[k]}`);
}

/** One member's initial parameters in cnnParamSpecs order: W ~ N(0, 1/fan_in) (fan_in = rows), b = 0. */
export function drawCnnMember(s: CnnShape, rng: RandomStream): Float32Array[] {
  return cnnParamSpecs(s).map((spec) => {
    const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    if (spec.shape.length === 2) {
      const std = 1 / Math.sqrt(spec.shape[0]!);
      for (let i = 0; i < values.length; i++) values[i] = rng.normal() * std;
    }
    return values;
  });
}

/**
 * The k×k patches (zero-padded) at every stride-2 conv position: pixels [B, side²] (row-major) →
 * [B · (side/2)², k²], row (b, i, j) for the position (2i, 2j); column dy·k + dx holds the pixel
 * at (2i + dy − r, 2j + dx − r), r = (k − 1)/2.
 */
export function stridedPatches(pixels: Float32Array, B: number, side: number, kernel: number): Float32Array {
  const r = (kernel - 1) / 2;
  const half = side / 2;
  const k2 = kernel * kernel;
  const out = new Float32Array(B * half * half * k2); // zeros: the padding
  let at = 0;
  for (let b = 0; b < B; b++) {
    const image = b * side * side;
    for (let i = 0; i < half; i++)
      for (let j = 0; j < half; j++)
        for (let dy = 0; dy < kernel; dy++) {
          const y = 2 * i + dy - r;
          for (let dx = 0; dx < kernel; dx++, at++) {
            const x = 2 * j + dx - r;
            if (y >= 0 && y < side && x >= 0 && x < side) out[at] = pixels[image + y * side + x]!;
          }
        }
  }
  return out;
}

export class CnnFamily {
  readonly shape: CnnShape;
  readonly members: number;
  readonly paramSpecs: ParamSpec[];
  /** Every parameter [M, ...], in cnnParamSpecs order. */
  readonly variables: tf.Variable[];

  /** From per-member parameters: params[m] is member m's arrays in cnnParamSpecs order (copied). */
  constructor(shape: CnnShape, params: Float32Array[][], trainable = true) {
    checkCnnShape(shape);
    this.shape = { ...shape };
    this.members = params.length;
    this.paramSpecs = cnnParamSpecs(shape);
    this.variables = variablesFromStacked(this.paramSpecs, params.length, stackMemberParams(this.paramSpecs, params), trainable);
  }

  get inputSize(): number {
    return this.shape.side * this.shape.side;
  }

  /** The output layer: weights [M, dense, outputs] and bias [M, outputs]. */
  get headVariables(): tf.Variable[] {
    return this.variables.slice(CNN_HEAD);
  }

  /** Images [B, side²], shared by all members → logits [M, B, outputs]. */
  apply(x: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const { side, kernel, channels: C } = this.shape;
      const M = this.members;
      const B = x.shape[0];
      const [convW, convB, denseW, denseB, headW, headB] = this.variables as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      const cells = (side / 2) * (side / 2);
      // [M, k², C] → [k², M, C] → [k², M·C]: every member's filters side by side
      const filters = tf.reshape(tf.transpose(convW, [1, 0, 2]), [kernel * kernel, M * C]) as tf.Tensor2D;
      const patches = tf.tensor2d(stridedPatches(x.dataSync() as Float32Array, B, side, kernel), [B * cells, kernel * kernel]); // data: no gradient
      const conv = tf.relu(tf.add(matMul2d(patches, filters), tf.reshape(convB, [1, M * C]))); // [B·cells, M·C]
      // [B, cells, M, C] → [M, B, cells, C] → [M, B, cells·C]: member m's features, position-major
      const features = tf.reshape(tf.transpose(tf.reshape(conv, [B, cells, M, C]), [2, 0, 1, 3]), [M, B, cells * C]);
      const perMember = unstackMembers(features) as tf.Tensor2D[];
      const [dws, dbs, hws, hbs] = [denseW, denseB, headW, headB].map((v) => unstackMembers(v));
      const outs = perMember.map((f, m) => {
        const h = tf.relu(tf.add(matMul2d(f, dws![m] as tf.Tensor2D), dbs![m]!)) as tf.Tensor2D; // [B, dense]
        return tf.add(matMul2d(h, hws![m] as tf.Tensor2D), hbs![m]!); // [B, outputs]
      });
      return tf.stack(outs) as tf.Tensor3D;
    });
  }

  /** Plain-array copy of member m's parameters (cnnParamSpecs order). */
  memberParams(m: number): Float32Array[] {
    return readMember(this.variables, m);
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}
