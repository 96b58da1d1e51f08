// A one-layer GRU language-model family: token one-hot · E → GRU (written with plain ops) →
// untied output head. Every parameter carries a leading members axis [M, ...].
//
//   x_t = E[token_t]                       E: [V, e]
//   [a_z a_r a_n] = x_t·Wx + bx            Wx: [e, 3h] (the input side of all gates, fused, and
//                                          computed for every position in one matmul)
//   [c_z c_r c_n] = h_{t-1}·Wh + bh        Wh: [h, 3h]
//   z = σ(a_z + c_z), r = σ(a_r + c_r), n = tanh(a_n + r ⊙ c_n)
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}        (PyTorch's GRU), h_0 = 0
//   logits_t = h_t·Wo + bo                 Wo: [h, V]
//
// Every matmul is one plain 2D matMul2d per member (tfjs-wasm's fast path); gates run once over
// all members [M, B, ·]. tf.layers' GRU is ~21× PyTorch on wasm; this is the plain-ops lever.
//
// Building a family from stacked or per-member parameters, memberParams and dispose are
// family.ts (shared with gpt.ts).
import * as tf from '@tensorflow/tfjs';
import type { RandomStream } from '../engine/rng.js';
import { MemberFamily, posInt, type FamilyRecipe } from './family.js';
import { memberLinear, oneHotF32, tanhViaSigmoid, sizeOf, stackMembers, unstackMembers, type ParamSpec } from './layers.js';
import type { LmFamily, LmShape, SampleOptions } from './lm.js';
import { maskBias, nextTokenProbs, readProbs, runSampler, type Decoder } from './sampling.js';

export interface GruConfig extends LmShape {
  /** Embedding width e. */
  dEmbed: number;
  /** Recurrent state width h. */
  hidden: number;
}

/** Checks ranges and returns a plain copy (what a family holds and a checkpoint hashes). */
export function resolveGruConfig(c: GruConfig): GruConfig {
  const r: GruConfig = { vocabSize: c.vocabSize, context: c.context, dEmbed: c.dEmbed, hidden: c.hidden };
  for (const key of ['vocabSize', 'context', 'dEmbed', 'hidden'] as const)
    if (!posInt(r[key])) throw new Error(`gru config: ${key} must be an integer ≥ 1, got ${r[key]}`);
  return r;
}

/** Names and per-member shapes of every parameter, in `variables` order. */
export function gruParamSpecs(config: GruConfig): ParamSpec[] {
  const { vocabSize: V, dEmbed: e, hidden: h } = resolveGruConfig(config);
  return [
    { name: 'emb', shape: [V, e] },
    { name: 'gru.wx', shape: [e, 3 * h] },
    { name: 'gru.bx', shape: [3 * h] },
    { name: 'gru.wh', shape: [h, 3 * h] },
    { name: 'gru.bh', shape: [3 * h] },
    { name: 'head.w', shape: [h, V] },
    { name: 'head.b', shape: [V] },
  ];
}

/**
 * One member's initial parameters (`variables` order): E ~ N(0, 1) (as PyTorch's Embedding),
 * Wx, Wh, Wo ~ U(−1/√h, 1/√h) (as PyTorch's GRU and Linear), biases 0.
 */
export function drawGruMemberInit(config: GruConfig, rng: RandomStream): Float32Array[] {
  const c = resolveGruConfig(config);
  const bound = 1 / Math.sqrt(c.hidden);
  return gruParamSpecs(c).map(({ name, shape }) => {
    const a = new Float32Array(sizeOf(shape));
    if (name === 'emb') for (let i = 0; i < a.length; i++) a[i] = rng.normal();
    else if (name.endsWith('.w') || name.endsWith('.wx') || name.endsWith('.wh')) for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * bound;
    return a;
  });
}

/** The matmul weights split per member (M × [k, n] each). */
type MemberWeights = { emb: tf.Tensor2D[]; wx: tf.Tensor2D[]; wh: tf.Tensor2D[]; head: tf.Tensor2D[] };

export class GruFamily extends MemberFamily<GruConfig, GruConfig> implements LmFamily {
  /** What the family is made of (above); GruFamily.init and fromMembers build from it. */
  static readonly recipe: FamilyRecipe<GruConfig, GruConfig> = { name: 'gru', resolve: resolveGruConfig, paramSpecs: gruParamSpecs, drawMember: drawGruMemberInit };
  readonly kind = 'gru' as const;
  private readonly emb: tf.Variable; // [M, V, e]
  private readonly wx: tf.Variable; // [M, e, 3h]
  private readonly bx: tf.Variable; // [M, 3h]
  private readonly wh: tf.Variable; // [M, h, 3h]
  private readonly bh: tf.Variable; // [M, 3h]
  private readonly headW: tf.Variable; // [M, h, V]
  private readonly headB: tf.Variable; // [M, V]

  /** From stacked parameters: stacked[i] holds parameter i of all members, member-major. */
  constructor(config: GruConfig, members: number, stacked: Float32Array[], trainable = true) {
    super(GruFamily.recipe, config, members, stacked, trainable);
    [this.emb, this.wx, this.bx, this.wh, this.bh, this.headW, this.headB] = this.variables as [
      tf.Variable,
      tf.Variable,
      tf.Variable,
      tf.Variable,
      tf.Variable,
      tf.Variable,
      tf.Variable,
    ];
  }

  private memberWeights(): MemberWeights {
    const split = (w: tf.Variable) => unstackMembers(w) as tf.Tensor2D[];
    return { emb: split(this.emb), wx: split(this.wx), wh: split(this.wh), head: split(this.headW) };
  }

  /** Input side of the gates for every position: tokens [M, B, T] → [T, M, B, 3h] as T tensors [M, B, 3h]. */
  private inputGates(tokens: tf.Tensor3D, w: MemberWeights): tf.Tensor3D[] {
    const [M, B, T] = tokens.shape;
    const N = B * T;
    const oneHot = tf.reshape(oneHotF32(tf.reshape(tokens, [M * N]), this.vocabSize), [M, N, this.vocabSize]) as tf.Tensor3D;
    const a = memberLinear(memberLinear(oneHot, w.emb, null), w.wx, this.bx as tf.Tensor2D); // [M, B·T, 3h]
    const byTime = tf.transpose(tf.reshape(a, [M, B, T, 3 * this.config.hidden]), [2, 0, 1, 3]); // [T, M, B, 3h]
    return unstackMembers(byTime) as tf.Tensor3D[];
  }

  /** One GRU step: a [M, B, 3h] (input side), h [M, B, h] → h' [M, B, h]. */
  private cell(a: tf.Tensor3D, h: tf.Tensor3D, w: MemberWeights): tf.Tensor3D {
    const [M, B, H] = h.shape;
    const c = memberLinear(h, w.wh, this.bh as tf.Tensor2D); // [M, B, 3h]
    const zr = tf.sigmoid(tf.add(tf.slice(a, [0, 0, 0], [M, B, 2 * H]), tf.slice(c, [0, 0, 0], [M, B, 2 * H])));
    const [z, r] = tf.split(zr, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
    const n = tanhViaSigmoid(tf.add(tf.slice(a, [0, 0, 2 * H], [M, B, H]), tf.mul(r, tf.slice(c, [0, 0, 2 * H], [M, B, H]))));
    return tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor3D;
  }

  /** Runs the recurrence over tokens [M, B, T] from state h0 → every state [T × [M, B, h]]. */
  private run(tokens: tf.Tensor3D, h0: tf.Tensor3D, w: MemberWeights): tf.Tensor3D[] {
    const states: tf.Tensor3D[] = [];
    let h = h0;
    for (const a of this.inputGates(tokens, w)) {
      h = this.cell(a, h, w);
      states.push(h);
    }
    return states;
  }

  private zeroState(batch: number): tf.Tensor3D {
    return tf.zeros([this.members, batch, this.config.hidden]);
  }

  /** Next-token logits at every position: tokens [M, B, T] int32 → [M, B, T, V]. */
  logits(tokens: tf.Tensor3D): tf.Tensor4D {
    const [M, B, T] = tokens.shape;
    if (M !== this.members) throw new Error(`gru.logits: tokens have ${M} members, the family ${this.members}`);
    return tf.tidy(() => {
      const w = this.memberWeights();
      const states = this.run(tokens, this.zeroState(B), w);
      // T × [M, B, h] → [M, B, T, h] → [M, B·T, h]
      const hs = tf.reshape(tf.transpose(stackMembers(states), [1, 2, 0, 3]), [M, B * T, this.config.hidden]) as tf.Tensor3D;
      return tf.reshape(memberLinear(hs, w.head, this.headB as tf.Tensor2D), [M, B, T, this.vocabSize]) as tf.Tensor4D;
    });
  }

  /**
   * Continues prompts [M, B, P] → [M, B, P + maxNew]: the recurrence reads the prompt, then each
   * step feeds one token. (`context` is nominal here: a GRU has no position table.)
   */
  sample(prompts: Int32Array, batch: number, promptLength: number, opts: SampleOptions): Int32Array {
    this.checkSampleArgs(batch, opts);
    const M = this.members;
    const bias = maskBias(opts.allowed);
    const w = tf.tidy(() => this.memberWeights());
    let state: tf.Tensor3D | null = null;
    /** Feeds tokens [M·B, n] from the current state; keeps the new state; returns probabilities. */
    const feed = (tokens: Int32Array, n: number): Float32Array => {
      const prev = state;
      let next: tf.Tensor3D | null = null;
      const probs = readProbs(() => {
        const states = this.run(tf.tensor3d(tokens, [M, batch, n], 'int32'), prev ?? this.zeroState(batch), w);
        next = tf.keep(states.at(-1)!);
        const logits = tf.reshape(memberLinear(next, w.head, this.headB as tf.Tensor2D), [M * batch, this.vocabSize]) as tf.Tensor2D;
        return nextTokenProbs(logits, opts.temperature, bias === null ? null : tf.tensor1d(bias));
      });
      prev?.dispose();
      state = next;
      return probs;
    };
    const decoder: Decoder = {
      start: (p) => feed(p, promptLength),
      step: (t) => feed(t, 1),
      dispose: () => {
        (state as tf.Tensor3D | null)?.dispose();
        for (const t of [...w.emb, ...w.wx, ...w.wh, ...w.head]) t.dispose();
      },
    };
    return runSampler(decoder, prompts, M, batch, promptLength, this.vocabSize, opts);
  }
}
