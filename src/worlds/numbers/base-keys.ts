// What the numbers world's pretrained bases are keyed and named by (browser-safe: the lab finds
// the shipped bases by these names): which bases an experiment needs, the key each is cached
// under, and the stored bases whose members can stand in for it.
import { studentRegistry, type LmBase } from '../../../students/index.js';
import type { NumbersExperiment } from './schema.js';
import type { CacheKey, StoredBase } from '../../models/base-pieces.js';
import { CONTEXT, VOCAB_SIZE } from './data.js';
import { lmConfig, resolvedModelConfig, type LmConfig } from '../lm/lm-factory.js';
import { MAX_SEEDS } from '../../config/experiment-base.js';

/** Bump when a change to pretraining would make cached bases stale. */
const BASE_RECIPE_VERSION = 2;

/** What a base of M members, seeds firstSeed…firstSeed+M−1, is cached (and shipped) under. */
export function baseCacheKey(exp: NumbersExperiment, c: LmConfig, firstSeed: number): CacheKey {
  const recipe = { version: BASE_RECIPE_VERSION, pretrain: exp.pretrain, rootSeed: exp.rootSeed, firstSeed, members: exp.seeds };
  return { kind: c.kind, modelConfig: resolvedModelConfig(c), recipe };
}

/** The model config of the experiment's gpt bases (own and other-seed). */
export const gptBaseConfig = (exp: NumbersExperiment): LmConfig => lmConfig({ ...exp.model }, VOCAB_SIZE, CONTEXT);

export interface PlannedNumbersBase {
  name: LmBase;
  /** Metrics stage and progress label. */
  label: string;
  config: LmConfig;
  firstSeed: number;
}

/** The bases the experiment's students need, in the order they are made and logged. */
export function plannedNumbersBases(exp: NumbersExperiment): PlannedNumbersBase[] {
  const M = exp.seeds;
  const gpt = gptBaseConfig(exp);
  const needs = new Set<LmBase>(exp.arms.map((a) => studentRegistry.get(a.student)!.lmBase));
  const out: PlannedNumbersBase[] = [{ name: 'own', label: 'pretrain', config: gpt, firstSeed: 0 }];
  if (needs.has('other-seed')) out.push({ name: 'other-seed', label: 'pretrain-other-seed', config: gpt, firstSeed: M });
  if (needs.has('other-arch')) out.push({ name: 'other-arch', label: 'pretrain-other-arch', config: lmConfig(exp.crossArch!, VOCAB_SIZE, CONTEXT), firstSeed: 2 * M });
  return out;
}

/** Optimizer steps of the pretraining stage: one base, or two or three when arms need them. */
export function pretrainSteps(exp: NumbersExperiment): number {
  return plannedNumbersBases(exp).length * exp.pretrain.steps;
}

/**
 * Every base the tool itself would store for this pretraining and model: for each seed count
 * M' (1…the most seeds a file may have), the own base (seeds 0…M'−1), the other-seed base
 * (M'…2M'−1) and the cross-arch one's first seed (2M'). A missing base is read from the members
 * of whichever of these are stored (models/base-pieces.ts).
 */
export function baseCandidates(exp: NumbersExperiment, c: LmConfig): StoredBase[] {
  const out: StoredBase[] = [];
  for (let members = 1; members <= MAX_SEEDS; members++)
    for (const firstSeed of new Set([0, members, 2 * members])) out.push({ key: baseCacheKey({ ...exp, seeds: members }, c, firstSeed), firstSeed, members });
  return out;
}
