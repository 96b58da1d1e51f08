// The student a language-model arm trains: a plain copy of its base (full fine-tuning), or,
// with an adapter, the base frozen and read through LoRA adapters (models/lora.ts).
import type { RandomStream } from '../../engine/rng.js';
import { GptFamily } from '../../models/gpt.js';
import type { LmFamily } from '../../models/lm.js';
import { LoraGpt, type LoraModule } from '../../models/lora.js';
import { assembleParams, type LmConfig } from './lm-factory.js';

/** An arm's adapter setting (the experiment file's `adapter`, defaults filled). */
export interface AdapterSetting {
  kind: 'lora';
  rank: number;
  alpha?: number;
  modules: readonly LoraModule[];
}

/**
 * The student family of `params` (one entry per member). With an adapter, member m's adapters
 * are drawn from rng.child(<kind and rank>).child(seedOf(m)): give a trait student and its
 * control student the same seed and they start from the same adapters as well as the same base.
 */
export function studentModel(config: LmConfig, params: Float32Array[][], adapter: AdapterSetting | undefined, rng: RandomStream, seedOf: (member: number) => number): LmFamily {
  if (adapter === undefined) return assembleParams(config, params);
  if (config.kind !== 'gpt') throw new Error(`adapter: LoRA adapters sit on gpt students only, this student is a ${config.kind}`);
  const base = GptFamily.fromMembers(config.config, params, false);
  const streams = rng.child(`lora-r${adapter.rank}`);
  try {
    return new LoraGpt(base, { rank: adapter.rank, alpha: adapter.alpha ?? adapter.rank, modules: adapter.modules }, (m) => streams.child(`seed-${seedOf(m)}`));
  } catch (e) {
    base.dispose();
    throw e;
  }
}
