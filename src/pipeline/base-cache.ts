// Pretrained bases are cached on disk by a hash of everything that made them (model config,
// pretraining settings, root seed, which seeds), so arms, experiments and reruns reuse them.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { configHash, loadCheckpoint, saveCheckpoint, type CheckpointedFamily } from '../models/checkpoint.js';
import type { LmFamily } from '../models/lm.js';

/** Where bases live: $TRAITLAB_CACHE, else .traitlab-cache/ under the working directory. */
export function cacheDir(): string {
  return process.env.TRAITLAB_CACHE ?? join(process.cwd(), '.traitlab-cache');
}

export interface CacheKey {
  kind: 'gpt' | 'gru';
  /** The family's resolved model config (what its checkpoint records). */
  modelConfig: object;
  /** Everything else that determines the trained weights (pretraining, seeds, format version). */
  recipe: object;
}

export interface CachedBase {
  family: LmFamily;
  /** True when it was read from disk rather than trained. */
  cached: boolean;
  file: string;
}

/** The base of `key`: read from the cache, or made by `train()` and written to the cache. */
export function cachedBase(key: CacheKey, train: () => LmFamily): CachedBase {
  const hash = configHash(key.kind, { model: key.modelConfig, recipe: key.recipe });
  const dir = join(cacheDir(), 'bases');
  const file = join(dir, `${key.kind}-${hash}.ckpt`);
  if (existsSync(file)) return { family: loadCheckpoint(file, { kind: key.kind, configHash: configHash(key.kind, key.modelConfig) }), cached: true, file };
  const family = train();
  mkdirSync(dir, { recursive: true });
  saveCheckpoint(file, family as CheckpointedFamily);
  return { family, cached: false, file };
}
