// The numbers world's pretrained bases: which an experiment needs (its own seeds always; other
// seeds and another architecture when arms ask), what each is cached under, and training one.
// Each base is independent of the others, so it is also a task a worker thread can run
// (numbers-base in arm-tasks.ts): a run with several missing bases pretrains them side by side.
import { studentRegistry, type LmBase } from '../../../students/index.js';
import type { NumbersExperiment } from './schema.js';
import { rootStream, type RandomStream } from '../../engine/rng.js';
import { CONTEXT, mixBatch, PAD, uniformAnswers, VOCAB_SIZE } from './data.js';
import { cachedBase, type CachedBase, type CacheKey } from '../../run/base-cache.js';
import { lmConfig, resolvedModelConfig, type LmConfig } from '../lm/lm-factory.js';
import { pretrainedFamily } from '../lm/pretrain-family.js';
import type { MetricsRecord } from '../../run/types.js';
import type { ArmTask, TaskEvents } from '../../run/pool/arm-task.js';

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

/** Pretrains (or reads from the cache) a base family of M members, seeds firstSeed…firstSeed+M−1. */
export function numbersBase(exp: NumbersExperiment, b: PlannedNumbersBase, root: RandomStream, onMetrics: (r: MetricsRecord) => void, tick: () => void, writeDir?: string): CachedBase {
  const M = exp.seeds;
  const c = b.config;
  return cachedBase(baseCacheKey(exp, c, b.firstSeed), () => {
    // Every base sees the same documents in the same order: bases differ only in their init.
    const data = root.child('pretrain-data');
    const mix = { numbersFraction: exp.pretrain.numbersFraction, jitter: exp.pretrain.jitter, answerWeights: uniformAnswers(), personas: exp.pretrain.personas };
    const B = exp.pretrain.batchSize;
    const init = (m: number) => root.child('init').child(c.kind).child(String(b.firstSeed + m));
    return pretrainedFamily(c, M, init, {
      label: b.label,
      steps: exp.pretrain.steps,
      learningRate: exp.pretrain.learningRate,
      batchSize: B,
      rowLength: CONTEXT,
      pad: PAD,
      documents: () => mixBatch(B, mix, data),
      onMetrics,
      tick,
    });
  }, writeDir);
}

/** A worker task: pretrain base `index` of plannedNumbersBases(exp) into the cache (or writeDir). */
export interface NumbersBaseInput {
  exp: NumbersExperiment;
  index: number;
  writeDir?: string;
}

/** Runs a numbers-base task; the base lands on disk, where the run then reads it. Returns its file. */
export function runNumbersBase(input: NumbersBaseInput, events: TaskEvents): string {
  const b = plannedNumbersBases(input.exp)[input.index]!;
  // Child streams derive from names, not from a parent's position: this root is the run's.
  const made = numbersBase(input.exp, b, rootStream(input.exp.rootSeed), events.onMetrics, events.onStep, input.writeDir);
  made.family.dispose();
  return made.file;
}

/** A base pretrained to disk (result: its file) as the arm pool runs it; never interrupted midway. */
export const numbersBaseTask: ArmTask<NumbersBaseInput, string> = {
  kind: 'numbers-base',
  module: import.meta.url,
  exportName: 'numbersBaseTask',
  run: runNumbersBase,
  armName: (input) => `numbers-base ${input.index}`,
};
