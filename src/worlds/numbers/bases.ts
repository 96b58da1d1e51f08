// The numbers world's pretrained bases: which an experiment needs (its own seeds always; other
// seeds and another architecture when arms ask), what each is cached under, and training one.
// Each base is independent of the others, so it is also a task a worker thread can run
// (numbers-base in arm-tasks.ts): a run with several missing bases pretrains them side by side.
import type { NumbersExperiment } from './schema.js';
import { rootStream, type RandomStream } from '../../engine/rng.js';
import { CONTEXT, mixBatch, PAD, uniformAnswers } from './data.js';
import { cachedBase, type BasePieces, type CachedBase } from '../../run/base-cache.js';
import { assembleParams } from '../lm/lm-factory.js';
import { baseCacheKey, baseCandidates, plannedNumbersBases, type PlannedNumbersBase } from './base-keys.js';
import { pretrainedFamily } from '../lm/pretrain-family.js';
import type { MetricsRecord } from '../../run/types.js';
import type { ArmTask, TaskEvents } from '../../run/pool/arm-task.js';

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
  }, writeDir, basePieces(exp, b));
}

/** The stored bases the base of `b` may be put together from (see models/base-pieces.ts). */
export function basePieces(exp: NumbersExperiment, b: PlannedNumbersBase): BasePieces {
  return { firstSeed: b.firstSeed, members: exp.seeds, candidates: baseCandidates(exp, b.config), assemble: (params) => assembleParams(b.config, params) };
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
