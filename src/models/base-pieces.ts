// Where a pretrained base's members can be read from. A base is keyed by everything that made it
// (CacheKey) and stored as one checkpoint of M members, seeds firstSeed…firstSeed+M−1. Training
// is per member — each member has its own weights, its own Adam moments and its own loss, and
// sees the same documents — so a member comes out the same whichever family it was trained in:
// the base of seed 1 alone is member 1 of the 3-seed base, bit for bit
// (test/models/base-pieces.test.ts checks it). A base not stored whole can therefore be put
// together from the members of stored bases that hold its seeds. Browser-safe: the CLI looks in
// its folders, the lab in the bases bundled with the page.
import { modelConfigHash } from './checkpoint.js';
import type { LmFamily } from './lm.js';

export interface CacheKey {
  kind: 'gpt' | 'gru';
  /** The family's resolved model config (what its checkpoint records). */
  modelConfig: object;
  /** Everything else that determines the trained weights (pretraining, seeds, format version). */
  recipe: object;
}

/** The file name of a base: its kind and the hash of everything that made it. */
export function baseFileName(key: CacheKey): string {
  return `${key.kind}-${modelConfigHash(key.kind, { model: key.modelConfig, recipe: key.recipe })}.ckpt`;
}

/** A base that may be stored: its key, and the seeds its members are. */
export interface StoredBase {
  key: CacheKey;
  firstSeed: number;
  members: number;
}

/** Member `member` of the stored base in file `file`. */
export interface MemberSource {
  file: string;
  member: number;
}

/**
 * For each seed firstSeed…firstSeed+members−1 in order, a stored base holding it (`has` says
 * which file names exist) and its member index; null when some seed is in none. Bases holding
 * more of the seeds are preferred, so the members come from as few files as possible.
 */
export function membersFrom(firstSeed: number, members: number, candidates: readonly StoredBase[], has: (file: string) => boolean): MemberSource[] | null {
  const overlap = (c: StoredBase) => Math.max(0, Math.min(c.firstSeed + c.members, firstSeed + members) - Math.max(c.firstSeed, firstSeed));
  const present = candidates
    .filter((c) => overlap(c) > 0)
    .map((c) => ({ c, file: baseFileName(c.key) }))
    .filter(({ file }) => has(file))
    .sort((a, b) => overlap(b.c) - overlap(a.c));
  const out: MemberSource[] = [];
  for (let seed = firstSeed; seed < firstSeed + members; seed++) {
    const holder = present.find(({ c }) => seed >= c.firstSeed && seed < c.firstSeed + c.members);
    if (!holder) return null;
    out.push({ file: holder.file, member: seed - holder.c.firstSeed });
  }
  return out;
}

/**
 * Each source's member parameters, in order, reading every file once however many members it
 * gives (`load` reads and checks one; each family read is disposed here).
 */
export function memberParams<F extends string>(sources: readonly { file: F; member: number }[], load: (file: F) => LmFamily): Float32Array[][] {
  const out: Float32Array[][] = new Array(sources.length);
  for (const file of new Set(sources.map((s) => s.file))) {
    const family = load(file);
    try {
      sources.forEach((s, i) => s.file === file && (out[i] = family.memberParams(s.member)));
    } finally {
      family.dispose();
    }
  }
  return out;
}
