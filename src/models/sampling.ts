// Autoregressive sampling shared by the language-model families. The device computes the
// next-token distribution (temperature, disallowed tokens masked); the host draws each token
// from the run's RandomStream, so samples are reproducible and backend-independent given equal
// probabilities. A family supplies a Decoder (how to get the next distribution: full re-forward
// or a KV cache / recurrent state); this file owns eos/pad handling and the output layout.
import * as tf from '@tensorflow/tfjs';
import type { RandomStream } from '../engine/rng.js';
import type { SampleOptions } from './lm.js';

/** Added to the logits of disallowed tokens: exp underflows to exactly 0 in float32. */
const MASKED = -1e30;

/**
 * Row r's stream: `rng` itself, or of S streams (one per member, rows member-major) the one of
 * row r's member. R must then be a multiple of S.
 */
function rowStreams(rng: RandomStream | readonly RandomStream[], R: number, what: string): (r: number) => RandomStream {
  if (!Array.isArray(rng)) return () => rng as RandomStream;
  const streams = rng as readonly RandomStream[];
  if (streams.length === 0 || R % streams.length !== 0) throw new Error(`${what}: ${R} rows cannot be split among ${streams.length} member streams`);
  const perStream = R / streams.length;
  return (r) => streams[Math.floor(r / perStream)]!;
}

/**
 * Draws one token per row. probs: [R, V] row-major (need not be normalised). Only tokens with
 * allowed[v] = 1 (all when omitted) can be drawn; of those, topK > 0 keeps the k most probable
 * (ties to the lower id); the rest are renormalised and one token is drawn by inverting the
 * cumulative distribution at rng.next(). Exactly one rng.next() per row, in row order; with one
 * stream per member (rows member-major), each row's from its member's stream.
 */
export function drawTokens(probs: Float32Array, vocabSize: number, allowed: Uint8Array | undefined, topK: number, rng: RandomStream | readonly RandomStream[]): Int32Array {
  const V = vocabSize;
  if (probs.length % V !== 0) throw new Error(`drawTokens: ${probs.length} probabilities are not rows of ${V}`);
  const R = probs.length / V;
  const streamOf = rowStreams(rng, R, 'drawTokens');
  const out = new Int32Array(R);
  const weights = new Float64Array(V);
  const order: number[] = [];
  for (let r = 0; r < R; r++) {
    const u = streamOf(r).next();
    order.length = 0;
    for (let v = 0; v < V; v++) {
      const p = probs[r * V + v]!;
      if (Number.isNaN(p)) throw new Error(`drawTokens: row ${r} has a NaN probability (token ${v}); the model's logits are NaN`);
      const ok = allowed === undefined || allowed[v] === 1;
      weights[v] = ok && p > 0 ? p : 0;
      if (ok) order.push(v);
    }
    if (topK > 0 && topK < order.length) {
      order.sort((a, b) => weights[b]! - weights[a]! || a - b);
      for (let i = topK; i < order.length; i++) weights[order[i]!] = 0;
    }
    let total = 0;
    for (let v = 0; v < V; v++) total += weights[v]!;
    if (!(total > 0 && Number.isFinite(total)))
      throw new Error(`drawTokens: row ${r} has no allowed token with positive probability (are the logits NaN?)`);
    const target = u * total;
    let acc = 0;
    let chosen = -1;
    for (let v = 0; v < V; v++) {
      const w = weights[v]!;
      if (w === 0) continue;
      chosen = v; // the last candidate, should rounding leave acc ≤ target at the end
      acc += w;
      if (acc > target) break;
    }
    out[r] = chosen;
  }
  return out;
}

/** Checks SampleOptions against a vocabulary; throws a one-line error naming the bad field. */
export function checkSampleOptions(opts: SampleOptions, vocabSize: number): void {
  const bad = (what: string) => {
    throw new Error(`sample: ${what}`);
  };
  if (!Number.isInteger(opts.maxNew) || opts.maxNew < 0) bad(`maxNew must be an integer ≥ 0, got ${opts.maxNew}`);
  if (!(opts.temperature > 0) || !Number.isFinite(opts.temperature)) bad(`temperature must be > 0, got ${opts.temperature}`);
  const k = opts.topK ?? 0;
  if (!Number.isInteger(k) || k < 0) bad(`topK must be an integer ≥ 0, got ${k}`);
  if (opts.allowed !== undefined) {
    if (opts.allowed.length !== vocabSize) bad(`allowed has ${opts.allowed.length} entries, the vocabulary ${vocabSize}`);
    if (!opts.allowed.some((a) => a === 1)) bad('allowed permits no token');
  }
  for (const key of ['eos', 'pad'] as const) {
    const t = opts[key];
    if (t !== undefined && (!Number.isInteger(t) || t < 0 || t >= vocabSize)) bad(`${key} must be a token id in 0..${vocabSize - 1}, got ${t}`);
  }
}

/**
 * Next-token probabilities from last-position logits: softmax(logits / temperature) with the
 * disallowed tokens at exactly 0 and the rest renormalised. logits: [R, V] → [R, V].
 * `bias` is maskBias(allowed) (or null for all allowed). Both sampling paths of a family use
 * this one function, so their probabilities agree.
 */
export function nextTokenProbs(logits: tf.Tensor2D, temperature: number, bias: tf.Tensor1D | null): tf.Tensor2D {
  const scaled = temperature === 1 ? logits : tf.div(logits, temperature);
  return tf.softmax(bias === null ? scaled : tf.add(scaled, bias)) as tf.Tensor2D;
}

/** [V] additive bias: 0 for allowed tokens, −1e30 for the others; null when all are allowed. */
export function maskBias(allowed: Uint8Array | undefined): Float32Array | null {
  if (allowed === undefined || allowed.every((a) => a === 1)) return null;
  return Float32Array.from(allowed, (a) => (a === 1 ? 0 : MASKED));
}

/**
 * How a family produces next-token distributions for R = M·B rows (row r = m·B + b).
 * Each call returns host probabilities [R, V] for the next position; the decoder does its
 * device work inside tf.tidy and owns any state (KV cache, recurrent state) until dispose().
 */
export interface Decoder {
  /** Reads the prompts [R, P] and returns the distribution of the token after them. */
  start(prompts: Int32Array): Float32Array;
  /** Appends one token per row [R] and returns the distribution of the token after it. */
  step(tokens: Int32Array): Float32Array;
  dispose(): void;
}

/**
 * The sampling loop shared by every family: prompts [M, B, P] → [M, B, P + maxNew]. After a row
 * emits `eos` it emits `pad` (default 0) thereafter; once every row has ended, no more device
 * work is done. Token draws follow drawTokens (one rng.next() per row per step); with one
 * stream per member, each member's stream always advances maxNew · B draws per call.
 */
export function runSampler(
  decoder: Decoder,
  prompts: Int32Array,
  members: number,
  batch: number,
  promptLength: number,
  vocabSize: number,
  opts: SampleOptions,
): Int32Array {
  try {
    return sampleLoop(decoder, prompts, members * batch, promptLength, vocabSize, opts);
  } finally {
    decoder.dispose(); // also when the input is rejected or maxNew = 0
  }
}

function sampleLoop(decoder: Decoder, prompts: Int32Array, R: number, P: number, vocabSize: number, opts: SampleOptions): Int32Array {
  const N = opts.maxNew;
  if (!Number.isInteger(P) || P < 1) throw new Error(`sample: promptLength must be an integer ≥ 1, got ${P}`);
  if (prompts.length !== R * P) throw new Error(`sample: prompts hold ${prompts.length} tokens, expected ${R} rows (members × batch) × ${P}`);
  for (let i = 0; i < prompts.length; i++)
    if (!(prompts[i]! >= 0 && prompts[i]! < vocabSize)) throw new Error(`sample: prompt token ${prompts[i]} at ${i} is outside the vocabulary 0..${vocabSize - 1}`);
  const L = P + N;
  const out = new Int32Array(R * L);
  for (let r = 0; r < R; r++) out.set(prompts.subarray(r * P, (r + 1) * P), r * L);
  if (N === 0) return out;
  const pad = opts.pad ?? 0;
  const done = new Uint8Array(R);
  let live = R;
  let probs = decoder.start(prompts);
  for (let i = 0; ; i++) {
    const next = drawTokens(probs, vocabSize, opts.allowed, opts.topK ?? 0, opts.rng);
    for (let r = 0; r < R; r++) {
      if (done[r]) next[r] = pad;
      else if (next[r] === opts.eos) {
        done[r] = 1;
        live--;
      }
      out[r * L + P + i] = next[r]!;
    }
    if (i + 1 === N) break;
    if (live === 0) {
      for (let r = 0; r < R; r++) out.fill(pad, r * L + P + i + 1, (r + 1) * L);
      // Member streams end where they would have had the loop gone on (one draw per row per
      // step left): when the loop stops must not depend on other members' rows.
      if (Array.isArray(opts.rng)) {
        const streamOf = rowStreams(opts.rng, R, 'sample');
        for (let j = i + 1; j < N; j++) for (let r = 0; r < R; r++) streamOf(r).next();
      }
      break;
    }
    probs = decoder.step(next);
  }
  return out;
}

/** Runs `f` inside tf.tidy and reads the [R, V] tensor it returns, disposing it. */
export function readProbs(f: () => tf.Tensor2D): Float32Array {
  const t = tf.tidy(f);
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}
