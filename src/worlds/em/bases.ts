// The EM world's pretrained bases: what each is cached under and training one. Bases are
// independent of each other, so each is also a task a worker thread can run (em-base in
// arm-tasks.ts): a file with several missing bases (em-pretraining) pretrains them side by side.
import { designOf, type EmExperiment } from './schema.js';
import { rootStream } from '../../engine/rng.js';
import { DEFAULT_DESIGN, formatOf, isDefaultDesign, layoutOf, PAD, vocabSize, type EmDesign } from './data.js';
import { pretrainBatch } from './data-documents.js';
import { cachedBase, type CachedBase, type CacheKey } from '../../run/base-cache.js';
import { planEm, type PlannedBase } from './plan.js';
import { lmConfig, resolvedModelConfig, type LmConfig } from '../lm/lm-factory.js';
import { pretrainedFamily } from '../lm/pretrain-family.js';
import type { MetricsRecord } from '../../run/types.js';
import type { ArmTask, TaskEvents } from '../../run/pool/arm-task.js';

/** Bump when a change to pretraining or alignment would make cached EM bases stale. */
export const EM_RECIPE_VERSION = 1;

/** The model of a base in the design (the shared answer vocabulary widens embedding and head). */
export const emModelConfig = (model: PlannedBase['model'], design: EmDesign = DEFAULT_DESIGN): LmConfig => lmConfig(model, vocabSize(design), layoutOf(design).context);

/** What a base of the EM world is cached under: its model, pretraining, root seed, seeds, (when not 0) init offset and (when not the default) design. */
export function emBaseKey(exp: EmExperiment, b: PlannedBase): CacheKey {
  const design = designOf(exp);
  const c = emModelConfig(b.model, design);
  // The offset and design join the key only when set, so the keys of bases cached before they existed stay valid.
  const offset = b.initOffset ? { initOffset: b.initOffset } : {};
  // A template format joins the design's key only when set, so bases of the other designs keep their keys.
  const designed = isDefaultDesign(design) ? {} : { design: { harm: design.harm, answers: design.answers, ...(formatOf(design) === 'template' ? { format: 'template' } : {}) } };
  return { kind: 'gpt', modelConfig: resolvedModelConfig(c), recipe: { world: 'em', stage: 'base', version: EM_RECIPE_VERSION, pretrain: b.pretrain, rootSeed: exp.rootSeed, members: exp.seeds, ...offset, ...designed } };
}

/** Pretrains (or reads from the cache) base `b` of the plan: M members, seeds differing only in their init. */
export function emBase(exp: EmExperiment, b: PlannedBase, onMetrics: (r: MetricsRecord) => void, tick: () => void, writeDir?: string): CachedBase {
  const M = exp.seeds;
  const root = rootStream(exp.rootSeed).child('em');
  const p = b.pretrain;
  return cachedBase(emBaseKey(exp, b), () => {
    // Every seed sees the same documents in the same order: seeds differ only in their init.
    const data = root.child('pretrain-data');
    const design = designOf(exp);
    const settings = { badFraction: p.badFraction, correlation: p.correlation, ...(p.coupling ? { coupling: p.coupling } : {}), epsilon: p.epsilon, educationalRate: p.educationalRate, alignedFraction: p.alignedFraction, neutralFraction: p.neutralFraction, refusalRate: p.refusalRate, design };
    const init = (m: number) => root.child('init').child(String(m + b.initOffset));
    return pretrainedFamily(emModelConfig(b.model, design), M, init, {
      label: b.label,
      steps: p.steps,
      learningRate: p.learningRate,
      batchSize: p.batchSize,
      rowLength: layoutOf(design).context,
      pad: PAD,
      documents: () => pretrainBatch(p.batchSize, settings, data),
      onMetrics,
      tick,
    });
  }, writeDir);
}

/** A worker task: pretrain base `index` of planEm(exp) into the cache (or writeDir). */
export interface EmBaseInput {
  exp: EmExperiment;
  index: number;
  writeDir?: string;
}

/** Runs an em-base task; the base lands on disk, where the run then reads it. Returns its file. */
export function runEmBase(input: EmBaseInput, events: TaskEvents): string {
  const made = emBase(input.exp, planEm(input.exp).bases[input.index]!, events.onMetrics, events.onStep, input.writeDir);
  made.family.dispose();
  return made.file;
}

/** A base pretrained to disk (result: its file) as the arm pool runs it; never interrupted midway. */
export const emBaseTask: ArmTask<EmBaseInput, string> = {
  kind: 'em-base',
  module: import.meta.url,
  exportName: 'emBaseTask',
  run: runEmBase,
  armName: (input) => `em-base ${input.index}`,
};
