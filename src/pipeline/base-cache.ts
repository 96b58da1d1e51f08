// Pretrained bases are cached on disk by a hash of everything that made them (model config,
// pretraining settings, root seed, which seeds), so arms, experiments and reruns reuse them.
// Before the user's cache, the bases shipped with the package (bases/ at its root, made by
// `traitlab pretrain`) are looked up: the demo starts from them.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { configHash, loadCheckpoint, saveCheckpoint, type CheckpointedFamily } from '../models/checkpoint.js';
import type { LmFamily } from '../models/lm.js';
import { packageRoot } from './package-root.js';

/** Where bases live: $TRAITLAB_CACHE, else .traitlab-cache/ under the working directory. */
export function cacheDir(): string {
  return process.env.TRAITLAB_CACHE ?? join(process.cwd(), '.traitlab-cache');
}

/** The read-only bases shipped with the package. */
export function shippedBasesDir(): string {
  return join(packageRoot(), 'bases');
}

/** The file name of a base: its kind and the hash of everything that made it. */
export function baseFileName(key: CacheKey): string {
  return `${key.kind}-${configHash(key.kind, { model: key.modelConfig, recipe: key.recipe })}.ckpt`;
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

/**
 * The base of `key`: read from the shipped bases or the cache, or made by `train()` and written
 * to `writeDir` (default: the cache's bases/).
 */
export function cachedBase(key: CacheKey, train: () => LmFamily, writeDir = join(cacheDir(), 'bases')): CachedBase {
  const name = baseFileName(key);
  const expected = { kind: key.kind, configHash: configHash(key.kind, key.modelConfig) };
  for (const dir of [writeDir, shippedBasesDir(), join(cacheDir(), 'bases')]) {
    const file = join(dir, name);
    if (existsSync(file)) return { family: loadCheckpoint(file, expected), cached: true, file };
  }
  const family = train();
  mkdirSync(writeDir, { recursive: true });
  const file = join(writeDir, name);
  saveCheckpoint(file, family as CheckpointedFamily);
  return { family, cached: false, file };
}
