// A tiny causal transformer family (GPT-2 shape): token one-hot · E plus learned positions,
// `layers` pre-norm blocks (LayerNorm → multi-head causal attention → residual; LayerNorm →
// MLP → residual), a final LayerNorm and an untied output head. Every parameter carries a
// leading members axis [M, ...]; member m is its own network reading its own rows.
//
// Layout (chosen by measurement on tfjs-wasm, see bench/): every matmul with a gradient is one
// memberMatMul for all members on [M, B·T, d] rows reading the stacked weights (wasm with
// traitlab's kernels), else one plain 2D matMul2d per member (members split and joined with
// layers.ts's unstackMembers/stackMembers; LoRA's adapted weights always); everything elementwise
// (LayerNorm, GELU, biases, residuals) runs once over all members [M, B·T, d]. Attention
// works on [M·B·H, T, dh] with batched matmuls: for T ≈ 12 tf.matMul beat a broadcast
// multiply-and-sum 2.4× (fwd+bwd) on wasm and 20× on cpu; on wasm engine/wasm-batch-matmul.ts
// runs the same sums 2.5–4× faster again (a SIMD kernel of traitlab's, bit-identical to tfjs's). Embedding is
// a one-hot matmul because tfjs-wasm has no gradient for gather.
//
// The config, parameter list and init are gpt-config.ts; building a family from stacked or
// per-member parameters, memberParams and dispose are family.ts (shared with gru.ts).
import * as tf from '@tensorflow/tfjs';
import { MemberFamily, type FamilyRecipe } from './family.js';
import { drawGptMemberInit, gptParamSpecs, PER_BLOCK, resolveGptConfig, type GptConfig, type ResolvedGptConfig } from './gpt-config.js';
import { gelu } from './gelu.js';
import { layerNorm } from './layer-norm.js';
import { matrixTensors, memberLinear, oneHotF32, unstackMembers, type MemberMatrix } from './layers.js';
import { gemmServed } from './member-matmul.js';
import type { LmFamily, SampleOptions } from './lm.js';
import { maskBias, nextTokenProbs, readProbs, runSampler, type Decoder } from './sampling.js';

/** Per layer attention keys and values of the rows decoded so far: [M·B·H, t, dh]. */
type Kv = {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
};

/** The matmul weights split per member (M × [k, n] each); biases and gains stay [M, ...]. */
export type MemberWeights = {
  wte: tf.Tensor2D[];
  blocks: { wqkv: tf.Tensor2D[]; wo: tf.Tensor2D[]; w1: tf.Tensor2D[]; w2: tf.Tensor2D[] }[];
  head: tf.Tensor2D[];
};

/** The matmul weights a forward pass reads: the stacked variables, or MemberWeights (split, maybe adapted). */
type ForwardWeights = {
  wte: MemberMatrix;
  blocks: { wqkv: MemberMatrix; wo: MemberMatrix; w1: MemberMatrix; w2: MemberMatrix }[];
  head: MemberMatrix;
};

/**
 * Changes the matmul weights a forward pass uses (a LoRA student's W + (α/r)·A·B, lora.ts).
 * Called once per forward pass, inside the pass's tidy or gradient tape, so gradients flow
 * through it to whatever variables it reads.
 */
export interface WeightAdapter {
  adapt(w: MemberWeights): MemberWeights;
}

interface Block {
  ln1g: tf.Variable;
  ln1b: tf.Variable;
  wqkv: tf.Variable;
  bqkv: tf.Variable;
  wo: tf.Variable;
  bo: tf.Variable;
  ln2g: tf.Variable;
  ln2b: tf.Variable;
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
}

const maskCache = new Map<string, Float32Array>();

/** Additive causal mask [Tq, Tk] for queries at positions pos0.. over keys 0..Tk-1. */
function causalMask(Tq: number, Tk: number): Float32Array {
  const key = `${Tq},${Tk}`;
  let m = maskCache.get(key);
  if (m === undefined) {
    const pos0 = Tk - Tq;
    m = new Float32Array(Tq * Tk);
    for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) if (j > pos0 + i) m[i * Tk + j] = -1e9;
    maskCache.set(key, m);
  }
  return m;
}

export class GptFamily extends MemberFamily<GptConfig, ResolvedGptConfig> implements LmFamily {
  /** What the family is made of (gpt-config.ts); GptFamily.init and fromMembers build from it. */
  static readonly recipe: FamilyRecipe<GptConfig, ResolvedGptConfig> = { name: 'gpt', resolve: resolveGptConfig, paramSpecs: gptParamSpecs, drawMember: drawGptMemberInit };
  readonly kind = 'gpt' as const;
  private readonly wte: tf.Variable; // [M, V, d]
  private readonly wpe: tf.Variable; // [M, C, d]
  private readonly blocks: Block[];
  private readonly lnfg: tf.Variable; // [M, d]
  private readonly lnfb: tf.Variable;
  private readonly headW: tf.Variable; // [M, d, V]
  private readonly headB: tf.Variable; // [M, V]
  private adapter: WeightAdapter | null = null;

  /**
   * From stacked parameters: stacked[i] holds parameter i (paramSpecs order) of all members,
   * member-major. Most callers want GptFamily.init or GptFamily.fromMembers.
   */
  constructor(config: GptConfig, members: number, stacked: Float32Array[], trainable = true) {
    super(GptFamily.recipe, config, members, stacked, trainable);
    const v = this.variables;
    this.wte = v[0]!;
    this.wpe = v[1]!;
    this.blocks = [];
    for (let l = 0; l < this.config.layers; l++) {
      const [ln1g, ln1b, wqkv, bqkv, wo, bo, ln2g, ln2b, w1, b1, w2, b2] = v.slice(2 + l * PER_BLOCK, 2 + (l + 1) * PER_BLOCK) as tf.Variable[];
      this.blocks.push({ ln1g: ln1g!, ln1b: ln1b!, wqkv: wqkv!, bqkv: bqkv!, wo: wo!, bo: bo!, ln2g: ln2g!, ln2b: ln2b!, w1: w1!, b1: b1!, w2: w2!, b2: b2! });
    }
    const tail = 2 + this.config.layers * PER_BLOCK;
    [this.lnfg, this.lnfb, this.headW, this.headB] = [v[tail]!, v[tail + 1]!, v[tail + 2]!, v[tail + 3]!];
  }

  /**
   * From now on, every forward pass (logits, sampling, probes) reads its matmul weights through
   * `adapter`. Set once, before the family is used (a LoRA student over a frozen base).
   */
  setWeightAdapter(adapter: WeightAdapter): void {
    if (this.adapter !== null) throw new Error('gpt: the family already has a weight adapter');
    this.adapter = adapter;
  }

  /**
   * The matmul weights of a forward pass: the stacked variables where memberMatMul serves them
   * (wasm with traitlab's kernels, no adapter); else split per member, then adapted. Inside a
   * gradient tape: once per forward pass.
   */
  private memberWeights(): ForwardWeights {
    const blocks = this.blocks.map((b) => ({ wqkv: b.wqkv, wo: b.wo, w1: b.w1, w2: b.w2 }));
    if (this.adapter === null && gemmServed(this.wte, this.wte)) return { wte: this.wte as tf.Tensor3D, blocks: blocks as ForwardWeights['blocks'], head: this.headW as tf.Tensor3D };
    const split = (w: tf.Variable) => unstackMembers(w) as tf.Tensor2D[];
    const w: MemberWeights = {
      wte: split(this.wte),
      blocks: blocks.map((b) => ({ wqkv: split(b.wqkv), wo: split(b.wo), w1: split(b.w1), w2: split(b.w2) })),
      head: split(this.headW),
    };
    return this.adapter === null ? w : this.adapter.adapt(w);
  }

  /**
   * The residual stream after the final LayerNorm. tokens [M, B, Tq] at positions pos0.., with
   * `past` the keys/values of positions 0..pos0-1 (null when pos0 = 0) → h [M, B·Tq, d] and the
   * keys/values of positions 0..pos0+Tq-1.
   */
  private trunk(tokens: tf.Tensor3D, pos0: number, past: Kv[] | null, w: ForwardWeights): { h: tf.Tensor3D; present: Kv[] } {
    const { vocabSize: V, dModel: d, heads: H, activation } = this.config;
    const [M, B, Tq] = tokens.shape;
    const N = B * Tq;
    const dh = d / H;
    if (pos0 + Tq > this.context) throw new Error(`gpt: positions up to ${pos0 + Tq} exceed the context ${this.context}`);
    const oneHot = tf.reshape(oneHotF32(tf.reshape(tokens, [M * N]), V), [M, N, V]);
    const tok = tf.reshape(memberLinear(oneHot as tf.Tensor3D, w.wte, null), [M, B, Tq, d]);
    const pos = tf.reshape(tf.slice(this.wpe, [0, pos0, 0], [M, Tq, d]), [M, 1, Tq, d]);
    let x = tf.reshape(tf.add(tok, pos), [M, N, d]) as tf.Tensor3D; // [M, B·Tq, d]
    const present: Kv[] = [];
    const scale = 1 / Math.sqrt(dh);
    this.blocks.forEach((blk, l) => {
      const bw = w.blocks[l]!;
      // attention
      const a = layerNorm(x, blk.ln1g as tf.Tensor2D, blk.ln1b as tf.Tensor2D) as tf.Tensor3D;
      const qkv = memberLinear(a, bw.wqkv, blk.bqkv as tf.Tensor2D); // [M, B·Tq, 3d]
      // [M, B·Tq, 3d] → [3, M·B·Tq, d] → q, k, v (a 3D transpose, then a split on the leading
      // axis: tf.split along the last axis costs 5-10× more on wasm); each [M·B·Tq, d] →
      // [M·B, Tq, H, dh] → [M·B, H, Tq, dh] → [M·B·H, Tq, dh] (4D transposes: tfjs-wasm does a
      // general 5D/6D permutation ~25× slower).
      const toHeads = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [M * B, Tq, H, dh]), [0, 2, 1, 3]), [M * B * H, Tq, dh]) as tf.Tensor3D;
      const qkv3 = unstackMembers(tf.transpose(tf.reshape(qkv, [M * N, 3, d]), [1, 0, 2]));
      const [q, kNew, vNew] = qkv3.map(toHeads) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const prev = past?.[l];
      const k = prev ? (tf.concat([prev.k, kNew], 1) as tf.Tensor3D) : kNew; // [M·B·H, Tk, dh]
      const v = prev ? (tf.concat([prev.v, vNew], 1) as tf.Tensor3D) : vNew;
      present.push({ k, v });
      const Tk = k.shape[1];
      let scores = tf.matMul(tf.mul(q, scale) as tf.Tensor3D, k, false, true); // [M·B·H, Tq, Tk]
      if (Tq > 1) scores = tf.add(scores, tf.tensor2d(causalMask(Tq, Tk), [Tq, Tk]));
      const att = tf.matMul(tf.softmax(scores) as tf.Tensor3D, v); // [M·B·H, Tq, dh]
      // [M·B, H, Tq, dh] → [M·B, Tq, H, dh] → [M, B·Tq, d]
      const merged = Tq === 1 ? tf.reshape(att, [M, N, d]) : tf.reshape(tf.transpose(tf.reshape(att, [M * B, H, Tq, dh]), [0, 2, 1, 3]), [M, N, d]);
      x = tf.add(x, memberLinear(merged as tf.Tensor3D, bw.wo, blk.bo as tf.Tensor2D));
      // MLP
      const m = layerNorm(x, blk.ln2g as tf.Tensor2D, blk.ln2b as tf.Tensor2D) as tf.Tensor3D;
      const pre = memberLinear(m, bw.w1, blk.b1 as tf.Tensor2D);
      const act = (activation === 'gelu' ? gelu(pre) : tf.relu(pre)) as tf.Tensor3D;
      x = tf.add(x, memberLinear(act, bw.w2, blk.b2 as tf.Tensor2D));
    });
    return { h: layerNorm(x, this.lnfg as tf.Tensor2D, this.lnfb as tf.Tensor2D) as tf.Tensor3D, present };
  }

  /** Next-token logits at every position: tokens [M, B, T] int32 → [M, B, T, V]. */
  logits(tokens: tf.Tensor3D): tf.Tensor4D {
    const [M, B, T] = tokens.shape;
    if (M !== this.members) throw new Error(`gpt.logits: tokens have ${M} members, the family ${this.members}`);
    return tf.tidy(() => {
      const w = this.memberWeights();
      const { h } = this.trunk(tokens, 0, null, w);
      return tf.reshape(memberLinear(h, w.head, this.headB as tf.Tensor2D), [M, B, T, this.vocabSize]) as tf.Tensor4D;
    });
  }

  /**
   * Incremental decoding with a KV cache: feed tokens [M·B, n] (host, row-major) at the next
   * positions and get `post` of the last position's logits [M·B, V], computed in one tf.tidy.
   * Holds the cache and per-member weights until dispose(). Used by sample() and by tests.
   */
  kvDecoder(batch: number): KvDecoder {
    return new KvDecoder(this, batch);
  }

  /** @internal for KvDecoder */
  feedCached(
    tokens: Int32Array,
    batch: number,
    n: number,
    pos0: number,
    past: Kv[] | null,
    w: ForwardWeights,
    post: (lastLogits: tf.Tensor2D) => tf.Tensor2D,
  ): { out: tf.Tensor2D; present: Kv[] } {
    const M = this.members;
    return tf.tidy(() => {
      const tok = tf.tensor3d(tokens, [M, batch, n], 'int32');
      const r = this.trunk(tok, pos0, past, w);
      const d = this.config.dModel;
      // last position of each row: [M, B·n, d] → [M, B, n, d] → [M, B, d]
      const last = n === 1 ? r.h : (tf.reshape(tf.slice(tf.reshape(r.h, [M, batch, n, d]), [0, 0, n - 1, 0], [M, batch, 1, d]), [M, batch, d]) as tf.Tensor3D);
      const logits = tf.reshape(memberLinear(last, w.head, this.headB as tf.Tensor2D), [M * batch, this.vocabSize]) as tf.Tensor2D;
      return { out: post(logits), present: r.present };
    });
  }

  /** @internal for KvDecoder: the forward pass's weights kept outside any tidy (caller disposes; stacked ones are clones). */
  keptMemberWeights(): ForwardWeights {
    return tf.tidy(() => {
      const w = this.memberWeights();
      const keep = (m: MemberMatrix): MemberMatrix => (Array.isArray(m) ? m : (tf.clone(m) as tf.Tensor3D));
      return { wte: keep(w.wte), blocks: w.blocks.map((b) => ({ wqkv: keep(b.wqkv), wo: keep(b.wo), w1: keep(b.w1), w2: keep(b.w2) })), head: keep(w.head) };
    });
  }

  /**
   * Continues prompts [M, B, P] → [M, B, P + maxNew] with a KV cache: the prompt is read in one
   * pass, then each step runs only the new position. P + maxNew ≤ context.
   */
  sample(prompts: Int32Array, batch: number, promptLength: number, opts: SampleOptions): Int32Array {
    this.checkSample(batch, promptLength, opts);
    const bias = maskBias(opts.allowed);
    const kv = this.kvDecoder(batch);
    const post = (logits: tf.Tensor2D) => nextTokenProbs(logits, opts.temperature, bias === null ? null : tf.tensor1d(bias));
    const decoder: Decoder = {
      start: (p) => kv.feed(p, promptLength, post),
      step: (t) => kv.feed(t, 1, post),
      dispose: () => kv.dispose(),
    };
    return runSampler(decoder, prompts, this.members, batch, promptLength, this.vocabSize, opts);
  }

  /**
   * The same distribution as sample(), without a cache: every step re-runs logits() on the whole
   * prefix. Same rng ⇒ same tokens as sample() (up to float rounding of the probabilities).
   */
  sampleFullForward(prompts: Int32Array, batch: number, promptLength: number, opts: SampleOptions): Int32Array {
    this.checkSample(batch, promptLength, opts);
    const [M, V, R] = [this.members, this.vocabSize, this.members * batch];
    const L = promptLength + opts.maxNew;
    const seq = new Int32Array(R * L);
    let t = 0;
    const bias = maskBias(opts.allowed);
    const probsAfter = (): Float32Array =>
      readProbs(() => {
        const prefix = new Int32Array(R * t);
        for (let r = 0; r < R; r++) prefix.set(seq.subarray(r * L, r * L + t), r * t);
        const logits = this.logits(tf.tensor3d(prefix, [M, batch, t], 'int32')); // [M, B, t, V]
        const last = tf.reshape(tf.slice(logits, [0, 0, t - 1, 0], [M, batch, 1, V]), [R, V]) as tf.Tensor2D;
        return nextTokenProbs(last, opts.temperature, bias === null ? null : tf.tensor1d(bias));
      });
    const decoder: Decoder = {
      start: (p) => {
        for (let r = 0; r < R; r++) seq.set(p.subarray(r * promptLength, (r + 1) * promptLength), r * L);
        t = promptLength;
        return probsAfter();
      },
      step: (tokens) => {
        for (let r = 0; r < R; r++) seq[r * L + t] = tokens[r]!;
        t++;
        return probsAfter();
      },
      dispose: () => {},
    };
    return runSampler(decoder, prompts, M, batch, promptLength, V, opts);
  }

  private checkSample(batch: number, promptLength: number, opts: SampleOptions): void {
    this.checkSampleArgs(batch, opts);
    if (promptLength + opts.maxNew > this.context)
      throw new Error(`sample: prompt length ${promptLength} + maxNew ${opts.maxNew} exceeds the context ${this.context}`);
  }
}

/** A KV-cache decoding session over M·B rows (see GptFamily.kvDecoder). */
export class KvDecoder {
  private caches: Kv[] | null = null;
  private position = 0;
  private readonly weights: ForwardWeights;

  constructor(
    private readonly model: GptFamily,
    private readonly batch: number,
  ) {
    this.weights = model.keptMemberWeights();
  }

  /** Tokens decoded so far per row. */
  get length(): number {
    return this.position;
  }

  /**
   * Appends tokens [M·B, n] (row-major) and returns host data of post(last-position logits
   * [M·B, V]); with the default `post`, the logits themselves.
   */
  feed(tokens: Int32Array, n: number, post: (lastLogits: tf.Tensor2D) => tf.Tensor2D = (x) => x): Float32Array {
    const old = this.caches;
    const { out, present } = this.model.feedCached(tokens, this.batch, n, this.position, old, this.weights, post);
    for (const kv of old ?? []) {
      kv.k.dispose();
      kv.v.dispose();
    }
    this.caches = present;
    this.position += n;
    try {
      return out.dataSync() as Float32Array;
    } finally {
      out.dispose();
    }
  }

  dispose(): void {
    for (const kv of this.caches ?? []) {
      kv.k.dispose();
      kv.v.dispose();
    }
    this.caches = null;
    const w = this.weights;
    for (const m of [w.wte, w.head, ...w.blocks.flatMap((b) => [b.wqkv, b.wo, b.w1, b.w2])]) for (const t of matrixTensors(m)) t.dispose();
  }
}
