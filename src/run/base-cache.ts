// Pretrained bases are cached on disk by a hash of everything that made them (model config,
// pretraining settings, root seed, which seeds), so arms, experiments and reruns reuse them.
// Before the user's cache, the bases shipped with the package (bases/ at its root, made by
// `traitlab pretrain`) are looked up: the demo starts from them. Every base read is checked in
// full (its weights against their SHA-256); a damaged one stops the run with one line naming the
// file and how to rebuild it, never silently replaced or used.
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CheckpointError, modelConfigHash, type CheckpointedFamily } from '../models/checkpoint.js';
import { baseFileName, memberParams, membersFrom, type CacheKey, type StoredBase } from '../models/base-pieces.js';

export { baseFileName, type CacheKey } from '../models/base-pieces.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-file.js';
import { ConfigError } from '../config/errors.js';
import type { LmFamily } from '../models/lm.js';
import { outLocationProblem } from './out-location.js';
import { packageRoot } from './package-root.js';

/** Where bases live: $TRAITLAB_CACHE, else .traitlab-cache/ under the working directory. */
export function cacheDir(): string {
  return process.env.TRAITLAB_CACHE ?? join(process.cwd(), '.traitlab-cache');
}

/** The read-only bases shipped with the package. */
export function shippedBasesDir(): string {
  return join(packageRoot(), 'bases');
}

export interface CachedBase {
  family: LmFamily;
  /** True when it was read from disk rather than trained. */
  cached: boolean;
  /** Where the base now is (for an explicit writeDir: always in it). */
  file: string;
  /** Where it was read from, when that is not `file` (copied from the shipped bases or the cache). */
  from?: string;
}

/**
 * The base of `key`: read from `writeDir` (default: the cache's bases/), the shipped bases or the
 * cache, or made by `train()` and written to `writeDir`. A base found outside `writeDir` is also
 * copied there, so `traitlab pretrain --out DIR` always leaves the bases in DIR.
 */
export function cachedBase(key: CacheKey, train: () => LmFamily, writeDir?: string, pieces?: BasePieces): CachedBase {
  const expected = { kind: key.kind, configHash: modelConfigHash(key.kind, key.modelConfig) };
  const target = join(writeDir ?? join(cacheDir(), 'bases'), baseFileName(key));
  const found = findBase(key, writeDir);
  if (found) {
    const family = loadBase(found, expected); // checks the file before it is copied anywhere
    if (found === target || writeDir === undefined) return { family, cached: true, file: found };
    copyAtomic(found, target);
    return { family, cached: true, file: target, from: found };
  }
  const sources = pieces ? piecesOnDisk(pieces, writeDir) : null;
  if (pieces && sources) {
    const family = pieces.assemble(memberParams(sources, (file) => loadBase(file, expected)));
    saveCheckpoint(target, family as CheckpointedFamily); // whole from now on
    return { family, cached: true, file: target, from: [...new Set(sources.map((s) => s.file))].join(' + ') };
  }
  // Checked before the training: under /proc, Node's recursive mkdir below would never return.
  const problem = outLocationProblem(dirname(target));
  if (problem !== null) throw new ConfigError(`the base cache ${dirname(target)}`, `${problem}; set TRAITLAB_CACHE to a folder you can write to`);
  const family = train();
  saveCheckpoint(target, family as CheckpointedFamily); // makes the folder
  return { family, cached: false, file: target };
}

/** The file cachedBase would read the base of `key` from (writeDir, shipped, cache), if any. */
export function findBase(key: CacheKey, writeDir?: string): string | undefined {
  return findBaseFile(baseFileName(key), writeDir);
}

function findBaseFile(name: string, writeDir?: string): string | undefined {
  return [join(writeDir ?? join(cacheDir(), 'bases'), name), join(shippedBasesDir(), name), join(cacheDir(), 'bases', name)].find((f) => existsSync(f));
}

/** Stored bases a base may be put together from when it is not stored whole (models/base-pieces.ts). */
export interface BasePieces {
  firstSeed: number;
  members: number;
  candidates: readonly StoredBase[];
  /** The family of these per-member parameters (params[i]: seed firstSeed + i). */
  assemble(params: Float32Array[][]): LmFamily;
}

/** Each member's file (a path) and index, when every seed of the base is in some stored base; else null. */
function piecesOnDisk(pieces: BasePieces, writeDir?: string): { file: string; member: number }[] | null {
  const paths = new Map<string, string>();
  const sources = membersFrom(pieces.firstSeed, pieces.members, pieces.candidates, (name) => {
    const path = findBaseFile(name, writeDir);
    if (path !== undefined) paths.set(name, path);
    return path !== undefined;
  });
  return sources && sources.map(({ file, member }) => ({ file: paths.get(file)!, member }));
}

/** True when cachedBase would read the base rather than train it. */
export function baseOnDisk(key: CacheKey, writeDir?: string, pieces?: BasePieces): boolean {
  return findBase(key, writeDir) !== undefined || (pieces !== undefined && piecesOnDisk(pieces, writeDir) !== null);
}

/** What to do about a damaged base file: delete it to rebuild it, or restore a shipped one. */
export function damagedBaseFix(file: string): string {
  const dir = dirname(file);
  const rebuild = `npx traitlab pretrain <experiment file> --out ${dir}`;
  return resolve(dir) === resolve(shippedBasesDir())
    ? `it ships with traitlab: reinstall traitlab to restore it, or delete it and rebuild it with ${rebuild}`
    : `delete it to rebuild it (the next run pretrains it again, or ${rebuild} does now)`;
}

/** Reads a base; its CheckpointError says how to rebuild a base found where `file` is. */
function loadBase(file: string, expected: { kind: string; configHash: string }): LmFamily {
  try {
    return loadCheckpoint(file, expected);
  } catch (e) {
    if (!(e instanceof CheckpointError) || e.file !== file) throw e;
    throw new CheckpointError(file, e.problem, damagedBaseFix(file));
  }
}

/** Copies a checkpoint into place through a temporary file, so a half-copied base never exists. */
function copyAtomic(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}
