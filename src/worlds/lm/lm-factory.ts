// Making and copying language-model families from experiment config, whatever the family.
import type { RandomStream } from '../../engine/rng.js';
import type * as tf from '@tensorflow/tfjs';
import { GptFamily } from '../../models/gpt.js';
import { resolveGptConfig, type GptConfig } from '../../models/gpt-config.js';
import { GruFamily, resolveGruConfig, type GruConfig } from '../../models/gru.js';
import type { LmFamily } from '../../models/lm.js';

export type LmSpec =
  | { kind: 'gpt'; layers: number; dModel: number; heads: number }
  | { kind: 'gru'; hidden: number; embedding: number };

export type LmConfig = { kind: 'gpt'; config: GptConfig } | { kind: 'gru'; config: GruConfig };

export function lmConfig(spec: LmSpec, vocabSize: number, context: number): LmConfig {
  return spec.kind === 'gpt'
    ? { kind: 'gpt', config: { vocabSize, context, layers: spec.layers, dModel: spec.dModel, heads: spec.heads } }
    : { kind: 'gru', config: { vocabSize, context, hidden: spec.hidden, dEmbed: spec.embedding } };
}

/** A fresh family of `members`, member m initialised from rngFor(m). */
export function initLm(c: LmConfig, members: number, rngFor: (m: number) => RandomStream): LmFamily {
  return c.kind === 'gpt' ? GptFamily.init(c.config, members, rngFor) : GruFamily.init(c.config, members, rngFor);
}

/** A family whose member i is a copy of `sources[i].family`'s member `sources[i].member`. */
export function assembleLm(c: LmConfig, sources: { family: LmFamily; member: number }[], trainable = true): LmFamily {
  return assembleParams(c, sources.map(({ family, member }) => family.memberParams(member)), trainable);
}

/** A family from plain per-member parameters (params[m] = some family's memberParams). */
export function assembleParams(c: LmConfig, params: Float32Array[][], trainable = true): LmFamily {
  return c.kind === 'gpt' ? GptFamily.fromMembers(c.config, params, trainable) : GruFamily.fromMembers(c.config, params, trainable);
}

/** Member indices 0..n-1 of `family`, each repeated `times` times in blocks: [0..n-1, 0..n-1, …]. */
export function tiled(family: LmFamily, times: number): { family: LmFamily; member: number }[] {
  return Array.from({ length: times * family.members }, (_, i) => ({ family, member: i % family.members }));
}

/** The config a family of `c` records (defaults filled), as its checkpoint hashes it. */
export function resolvedModelConfig(c: LmConfig): object {
  return c.kind === 'gpt' ? resolveGptConfig(c.config) : resolveGruConfig(c.config);
}

/** Parameter groups a fine-tune may freeze, by parameter name (gpt only). */
const GROUPS: Record<'embeddings' | 'positions' | 'head', (name: string) => boolean> = {
  embeddings: (n) => n === 'wte',
  positions: (n) => n === 'wpe',
  head: (n) => n.startsWith('head.'),
};

/** The family's variables except those in the frozen groups. */
export function trainableExcept(family: LmFamily, frozen: readonly ('embeddings' | 'positions' | 'head')[]): tf.Variable[] {
  if (frozen.length === 0) return family.variables;
  if (!(family instanceof GptFamily)) throw new Error('freezing parameter groups is supported for gpt families only');
  return family.variables.filter((_, i) => !frozen.some((g) => GROUPS[g](family.paramSpecs[i]!.name)));
}
