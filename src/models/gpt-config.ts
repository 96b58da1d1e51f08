// The gpt family's config (defaults filled and checked), its parameters by name and per-member
// shape, and one member's GPT-2 style initial parameters: what a gpt family is made of, apart
// from how it computes (gpt.ts).
import type { RandomStream } from '../engine/rng.js';
import { posInt } from './family.js';
import { sizeOf, type ParamSpec } from './layers.js';
import type { LmShape } from './lm.js';

export interface GptConfig extends LmShape {
  /** Transformer blocks. */
  layers: number;
  /** Residual stream width (a multiple of heads). */
  dModel: number;
  heads: number;
  /** MLP hidden width = mlpRatio · dModel (default 4). */
  mlpRatio?: number;
  /** MLP nonlinearity (default 'gelu', GPT-2's tanh approximation). */
  activation?: 'gelu' | 'relu';
}

/** A GptConfig with every default filled in: what a family holds and a checkpoint hashes. */
export type ResolvedGptConfig = Required<GptConfig>;

/** Fills defaults and checks ranges; throws a one-line error naming the bad field. */
export function resolveGptConfig(c: GptConfig): ResolvedGptConfig {
  const r: ResolvedGptConfig = {
    vocabSize: c.vocabSize,
    context: c.context,
    layers: c.layers,
    dModel: c.dModel,
    heads: c.heads,
    mlpRatio: c.mlpRatio ?? 4,
    activation: c.activation ?? 'gelu',
  };
  for (const key of ['vocabSize', 'context', 'layers', 'dModel', 'heads', 'mlpRatio'] as const)
    if (!posInt(r[key])) throw new Error(`gpt config: ${key} must be an integer ≥ 1, got ${r[key]}`);
  if (r.dModel % r.heads !== 0) throw new Error(`gpt config: dModel ${r.dModel} is not a multiple of heads ${r.heads}`);
  if (r.activation !== 'gelu' && r.activation !== 'relu') throw new Error(`gpt config: activation must be 'gelu' or 'relu', got ${String(r.activation)}`);
  return r;
}

/** One block's parameters, in `variables` order within the block. */
export const BLOCK_PARAMS = ['ln1.g', 'ln1.b', 'attn.wqkv', 'attn.bqkv', 'attn.wo', 'attn.bo', 'ln2.g', 'ln2.b', 'mlp.w1', 'mlp.b1', 'mlp.w2', 'mlp.b2'] as const;
/** Parameters per block. */
export const PER_BLOCK = BLOCK_PARAMS.length;

/** Names and per-member shapes of every parameter, in `variables` order. */
export function gptParamSpecs(config: GptConfig): ParamSpec[] {
  const { vocabSize: V, context: C, layers, dModel: d, mlpRatio } = resolveGptConfig(config);
  const f = mlpRatio * d;
  const specs: ParamSpec[] = [
    { name: 'wte', shape: [V, d] },
    { name: 'wpe', shape: [C, d] },
  ];
  const blockShapes: Record<(typeof BLOCK_PARAMS)[number], number[]> = {
    'ln1.g': [d],
    'ln1.b': [d],
    'attn.wqkv': [d, 3 * d],
    'attn.bqkv': [3 * d],
    'attn.wo': [d, d],
    'attn.bo': [d],
    'ln2.g': [d],
    'ln2.b': [d],
    'mlp.w1': [d, f],
    'mlp.b1': [f],
    'mlp.w2': [f, d],
    'mlp.b2': [d],
  };
  for (let l = 0; l < layers; l++) for (const p of BLOCK_PARAMS) specs.push({ name: `h${l}.${p}`, shape: blockShapes[p] });
  specs.push({ name: 'lnf.g', shape: [d] }, { name: 'lnf.b', shape: [d] }, { name: 'head.w', shape: [d, V] }, { name: 'head.b', shape: [V] });
  return specs;
}

/**
 * One member's initial parameters (`variables` order), GPT-2 style: weights N(0, 0.02²), the
 * residual projections (attn.wo, mlp.w2) scaled by 1/√(2·layers), biases 0, LayerNorm gains 1.
 */
export function drawGptMemberInit(config: GptConfig, rng: RandomStream): Float32Array[] {
  const c = resolveGptConfig(config);
  const residualStd = 0.02 / Math.sqrt(2 * c.layers);
  return gptParamSpecs(c).map(({ name, shape }) => {
    const a = new Float32Array(sizeOf(shape));
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    if (name.endsWith('.g')) a.fill(1);
    else if (name === 'wte' || name === 'wpe' || leaf.startsWith('w')) {
      const std = name.endsWith('attn.wo') || name.endsWith('mlp.w2') ? residualStd : 0.02;
      for (let i = 0; i < a.length; i++) a[i] = rng.normal() * std;
    } // biases stay 0
    return a;
  });
}
