// The contract every language-model family (gpt, gru) keeps, so the pipeline, the channel
// loop and the probes never care which architecture they hold. Like the MLP, a family holds
// M members (member i = seed i) with a leading members axis on every parameter.
import type * as tf from '@tensorflow/tfjs';
import type { RandomStream } from '../engine/rng.js';

export interface LmShape {
  vocabSize: number;
  /** Longest sequence the model reads (positions 0..context-1). */
  context: number;
}

export interface SampleOptions {
  /** New tokens to draw after each prompt. */
  maxNew: number;
  /** Softmax temperature for sampling (> 0). */
  temperature: number;
  /** Keep only the k most likely tokens before sampling (0: all). */
  topK?: number;
  /**
   * Tokens that may be sampled: a [V] array of 0/1. Every other token gets probability 0 and
   * the rest are renormalised. Omitted: all tokens allowed.
   */
  allowed?: Uint8Array;
  /** Token that ends a sequence; after it a row only repeats `pad`. */
  eos?: number;
  pad?: number;
  /**
   * Where the sampler's randomness comes from (reproducible per stream): one stream for every
   * row, or one per member (member m's rows draw only from rng[m], so its samples do not depend
   * on the other members).
   */
  rng: RandomStream | readonly RandomStream[];
}

export interface LmFamily extends LmShape {
  readonly kind: string;
  readonly members: number;
  readonly variables: tf.Variable[];
  /**
   * Next-token logits at every position. tokens: [M, B, T] int32 (T ≤ context), member m
   * reading its own rows → logits [M, B, T, V] (position t predicts token t + 1).
   */
  logits(tokens: tf.Tensor3D): tf.Tensor4D;
  /**
   * Continues prompts autoregressively, each member from its own prompts.
   * prompts: [M, B, P] int32 (host data, row-major) → [M, B, P + maxNew] int32.
   */
  sample(prompts: Int32Array, batch: number, promptLength: number, opts: SampleOptions): Int32Array;
  /** Plain-array copy of every parameter of member m, in `variables` order. */
  memberParams(m: number): Float32Array[];
  dispose(): void;
}
