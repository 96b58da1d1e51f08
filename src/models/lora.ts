// A LoRA student: a frozen gpt base plus trainable low-rank adapters (Hu et al., arXiv 2106.09685).
// For each adapted weight W [d_in, d_out] of a block, the forward pass uses
//   W' = W + (α/r)·A·B,   A [d_in, r] drawn from a seeded stream, B [r, d_out] = 0 at the start,
// so the student starts exactly at its base. Only A and B train: they are the family's
// `variables` (what the channel's optimizer, checkpoints and resume see); the base's variables
// are built non-trainable and never change. Everything else (embeddings, positions, LayerNorms,
// biases, the output head) stays the base's.
//
// Members: every adapter carries the members axis, A [M, d_in, r] and B [M, r, d_out]. The update
// is merged into the weight once per forward pass, one plain 2D matmul per member (wasm's fast
// path, matmul.ts), and the rest of the pass is the base's own, unchanged; the query, key and
// value adapters each update their third of the fused [d, 3d] attention weight.
import * as tf from '@tensorflow/tfjs';
import type { RandomStream } from '../engine/rng.js';
import type { GptFamily, MemberWeights, WeightAdapter } from './gpt.js';
import { sizeOf, unstackMembers, readMember, variablesFromStacked, type ParamSpec } from './layers.js';
import type { LmFamily, SampleOptions } from './lm.js';
import { matMul2d } from './matmul.js';

import { LORA_MODULES, type LoraModule } from './lora-modules.js';

export { LORA_MODULES, type LoraModule };

export interface LoraSettings {
  rank: number;
  /** The update is (alpha / rank)·A·B. */
  alpha: number;
  /** Which matrices of every block get an adapter (each at most once). */
  modules: readonly LoraModule[];
}

const QKV = ['q', 'k', 'v'] as const;
/** Each adapted gpt weight and the modules whose updates it takes. */
const MERGED: [string, readonly LoraModule[]][] = [
  ['attn.wqkv', QKV],
  ['attn.wo', ['o']],
  ['mlp.w1', ['mlp-in']],
  ['mlp.w2', ['mlp-out']],
];

/** [d_in, d_out] of a module's weight in a block of width d and MLP width f. */
function moduleShape(m: LoraModule, d: number, f: number): [number, number] {
  return m === 'mlp-in' ? [d, f] : m === 'mlp-out' ? [f, d] : [d, d];
}

/** The adapters' names and per-member shapes, in `variables` order: layer by layer, module by module, A then B. */
export function loraParamSpecs(layers: number, d: number, f: number, s: LoraSettings): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (let l = 0; l < layers; l++)
    for (const m of LORA_MODULES.filter((x) => s.modules.includes(x))) {
      const [dIn, dOut] = moduleShape(m, d, f);
      specs.push({ name: `h${l}.lora.${m}.A`, shape: [dIn, s.rank] }, { name: `h${l}.lora.${m}.B`, shape: [s.rank, dOut] });
    }
  return specs;
}

/**
 * One member's initial adapters (`loraParamSpecs` order): A uniform in ±1/√d_in (the bound of
 * PEFT's default Kaiming-uniform init), B zero.
 */
export function drawLoraMember(specs: ParamSpec[], rng: RandomStream): Float32Array[] {
  return specs.map(({ name, shape }) => {
    const a = new Float32Array(sizeOf(shape));
    if (name.endsWith('.A')) {
      const bound = 1 / Math.sqrt(shape[0]!);
      for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * bound;
    }
    return a;
  });
}

function checkSettings(s: LoraSettings, d: number): void {
  if (!(Number.isInteger(s.rank) && s.rank >= 1)) throw new Error(`lora: rank must be an integer ≥ 1, got ${s.rank}`);
  if (s.rank > d) throw new Error(`lora: rank ${s.rank} exceeds the model width ${d}; a rank above it adds nothing`);
  if (!(s.alpha > 0 && Number.isFinite(s.alpha))) throw new Error(`lora: alpha must be a number > 0, got ${s.alpha}`);
  if (s.modules.length === 0 || new Set(s.modules).size !== s.modules.length || !s.modules.every((m) => LORA_MODULES.includes(m)))
    throw new Error(`lora: modules must be distinct names among ${LORA_MODULES.join(', ')}`);
}

/** A gpt family read through low-rank adapters; see the top of the file. */
export class LoraGpt implements LmFamily, WeightAdapter {
  readonly kind = 'gpt-lora';
  readonly vocabSize: number;
  readonly context: number;
  readonly members: number;
  readonly settings: LoraSettings;
  readonly paramSpecs: ParamSpec[];
  /** The adapters [M, …] in paramSpecs order: the only trainable variables. */
  readonly variables: tf.Variable[];
  private readonly scale: number;
  private readonly dModel: number;

  /**
   * Takes ownership of `base`, which must be built non-trainable; member m's adapters are drawn
   * from rngFor(m) (pass the same stream for two members to give them the same start).
   */
  constructor(
    readonly base: GptFamily,
    settings: LoraSettings,
    rngFor: (m: number) => RandomStream,
  ) {
    if (base.variables.some((v) => v.trainable)) throw new Error('lora: the base family must be built non-trainable (its weights stay frozen)');
    const { layers, dModel: d, mlpRatio } = base.config;
    checkSettings(settings, d);
    this.settings = { ...settings, modules: [...settings.modules] };
    [this.vocabSize, this.context, this.members, this.dModel] = [base.vocabSize, base.context, base.members, d];
    this.scale = settings.alpha / settings.rank;
    this.paramSpecs = loraParamSpecs(layers, d, mlpRatio * d, settings);
    const stacked = this.paramSpecs.map((s) => new Float32Array(base.members * sizeOf(s.shape)));
    for (let m = 0; m < base.members; m++)
      drawLoraMember(this.paramSpecs, rngFor(m)).forEach((a, i) => stacked[i]!.set(a, m * a.length));
    this.variables = variablesFromStacked(this.paramSpecs, base.members, stacked, true);
    base.setWeightAdapter(this);
  }

  /** Index in `variables` of module m's A in layer l (B follows it), or −1 when m has no adapter. */
  private adapterIndex(l: number, m: LoraModule): number {
    const used = LORA_MODULES.filter((x) => this.settings.modules.includes(x));
    const i = used.indexOf(m);
    return i < 0 ? -1 : 2 * (l * used.length + i);
  }

  /**
   * (α/r)·A·B of layer l for one member, over the matrix that `modules` share: one module, or
   * the query, key and value thirds of the fused attention weight side by side ([d, 3d]; a
   * third without an adapter adds 0). adapters[i]: that member's variables[i]. Null when none of
   * the modules has an adapter.
   */
  private update(l: number, modules: readonly LoraModule[], adapters: tf.Tensor2D[]): tf.Tensor2D | null {
    const parts = modules.map((m) => {
      const k = this.adapterIndex(l, m);
      return k < 0 ? null : (tf.mul(matMul2d(adapters[k]!, adapters[k + 1]!), this.scale) as tf.Tensor2D);
    });
    if (parts.every((p) => p === null)) return null;
    if (parts.length === 1) return parts[0]!;
    const d = this.dModel;
    return tf.concat(parts.map((p) => p ?? tf.zeros([d, d])), 1) as tf.Tensor2D;
  }

  /** W + (α/r)·A·B for every adapted matrix, per member (called by the base inside its forward pass). */
  adapt(w: MemberWeights): MemberWeights {
    const split = this.variables.map((v) => unstackMembers(v) as tf.Tensor2D[]);
    const of = (member: number) => split.map((s) => s[member]!);
    const plus = (x: tf.Tensor2D, l: number, member: number, modules: readonly LoraModule[]) => {
      const dx = this.update(l, modules, of(member));
      return dx === null ? x : (tf.add(x, dx) as tf.Tensor2D);
    };
    const blocks = w.blocks.map((b, l) => ({
      wqkv: b.wqkv.map((x, m) => plus(x, l, m, QKV)),
      wo: b.wo.map((x, m) => plus(x, l, m, ['o'])),
      w1: b.w1.map((x, m) => plus(x, l, m, ['mlp-in'])),
      w2: b.w2.map((x, m) => plus(x, l, m, ['mlp-out'])),
    }));
    return { wte: w.wte, head: w.head, blocks };
  }

  logits(tokens: tf.Tensor3D): tf.Tensor4D {
    return this.base.logits(tokens);
  }

  sample(prompts: Int32Array, batch: number, promptLength: number, opts: SampleOptions): Int32Array {
    return this.base.sample(prompts, batch, promptLength, opts);
  }

  /** Member m's adapters, in `variables` order. */
  memberParams(m: number): Float32Array[] {
    return readMember(this.variables, m);
  }

  /**
   * Member m as a plain gpt member (the base's parameter order): the base's parameters with
   * every update merged into its weight, W + (α/r)·A·B.
   */
  mergedParams(m: number): Float32Array[] {
    const params = this.base.memberParams(m);
    const specs = this.base.paramSpecs;
    const adapters = this.memberParams(m).map((a, i) => tf.tensor2d(a, this.paramSpecs[i]!.shape as [number, number]));
    try {
      for (let l = 0; l < this.base.config.layers; l++)
        for (const [param, modules] of MERGED) {
          const i = specs.findIndex((s) => s.name === `h${l}.${param}`);
          if (modules.every((mod) => this.adapterIndex(l, mod) < 0)) continue;
          const merged = tf.tidy(() => tf.add(tf.tensor(params[i]!, specs[i]!.shape), this.update(l, modules, adapters)!));
          params[i] = (merged.dataSync() as Float32Array).slice();
          merged.dispose();
        }
    } finally {
      for (const a of adapters) a.dispose();
    }
    return params;
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    this.base.dispose();
  }
}
