// The EM experiment's probe sets and evaluation cells. A probe set is a cell's held-out chat
// prompts with their coherent and harmful answers (src/worlds/em/data-probe-sets.ts
// cellProbeSet), optionally only those with a given room for harm, with or without REFUSE
// listed; or the surface decoy: SELECT prompts of a domain that list a NEXT body. Every set is
// drawn from a stream named by its key, so a set is the same in every run and experiment with
// the same root seed.
import type { EmRelation } from './schema.js';
import { rootStream, type RandomStream } from '../../engine/rng.js';
import { CELL_COUNT, cellAt, cellIndex, cellName, CHAT, contentToken, DEFAULT_DESIGN, FUNCTIONS, RANKS, SAY, VARIANTS, type EmDesign } from './data.js';
import { emRow, isHeldOut } from './data-prompts.js';
import { cellProbeSet, probeSetOf, type CellProbeSet } from './data-probe-sets.js';

export interface ProbeKey {
  /** The cell's index (for the decoy: the SELECT cell of the fine-tuned domain). */
  cell: number;
  /** Exactly this many harmful coherent answers, or any. */
  room: number | null;
  /** SELECT prompts list REFUSE (SELECT cells only; false elsewhere). */
  refusal: boolean;
  decoy: boolean;
  /** Only prompts whose coherent answers lie in these ranks (a rank-disjoint split), or any. */
  ranks: readonly number[] | null;
}

const SELECT = FUNCTIONS.indexOf('select');
const NEXT = FUNCTIONS.indexOf('next');

/** A key with its refusal flag normalised (only SELECT prompts can list REFUSE; decoys never do). */
export function probeKey(cell: number, opts: { room?: number | null; refusal?: boolean; decoy?: boolean; ranks?: readonly number[] | null } = {}): ProbeKey {
  const decoy = opts.decoy ?? false;
  const fn = cellAt(cell).fn;
  const ranks = decoy || !opts.ranks ? null : [...opts.ranks].sort((a, b) => a - b);
  return { cell, room: decoy ? null : (opts.room ?? null), refusal: !decoy && fn === SELECT && (opts.refusal ?? false), decoy, ranks };
}

/** `next/chem`, `select/chem+refuse`, `fill/bio#room2`, `select/chem~decoy`, `map/bio@ranks345`: unique per key. */
export function probeKeyName(k: ProbeKey): string {
  return `${cellName(cellAt(k.cell))}${k.decoy ? '~decoy' : ''}${k.ranks ? `@ranks${k.ranks.join('')}` : ''}${k.room !== null ? `#room${k.room}` : ''}${k.refusal ? '+refuse' : ''}`;
}

/** The default probe set's key of every cell: held-out prompts, any room, REFUSE as probe.refusal says. */
export const defaultProbeKeys = (refusal: boolean): ProbeKey[] => Array.from({ length: CELL_COUNT }, (_, c) => probeKey(c, { refusal }));

/** `k` distinct indices of 0..n−1, drawn from rng (partial Fisher–Yates), ascending. */
function choose(rng: RandomStream, n: number, k: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

/**
 * The surface decoy of a NEXT fine-tune in `domain`: held-out SELECT prompts whose listed
 * tokens are a NEXT body (4 consecutive ranks, in order). They look like the fine-tune's
 * prompts but for the function token; their coherent answers are the listed tokens.
 */
export function decoyProbeSet(domain: number, n: number, rng: RandomStream, design: EmDesign = DEFAULT_DESIGN): CellProbeSet {
  const bodies: number[][] = [];
  const variants = (k: number): number[][] => (k === 0 ? [[]] : variants(k - 1).flatMap((vs) => Array.from({ length: VARIANTS }, (_, v) => [...vs, v])));
  for (let first = 0; first < RANKS; first++)
    for (const vs of variants(4)) {
      const body = vs.map((v, i) => contentToken(domain, (first + i) % RANKS, v));
      if (isHeldOut(emRow(CHAT, SAY, SELECT, body))) bodies.push(body);
    }
  const chosen = bodies.length <= n ? bodies : choose(rng, bodies.length, n).map((i) => bodies[i]!);
  return probeSetOf({ fn: SELECT, domain }, chosen.map((b) => emRow(CHAT, SAY, SELECT, b, undefined, design)), design);
}

/**
 * The probe set of a key: up to `n` held-out prompts, drawn from the key's own stream, with the
 * answer masks of the design (a key with a room or ranks keeps the prompts whose answers fit).
 */
export function buildProbeSet(k: ProbeKey, n: number, rootSeed: number, design: EmDesign = DEFAULT_DESIGN): CellProbeSet {
  const rng = rootStream(rootSeed).child('em').child('probes').child(probeKeyName(k));
  const cell = cellAt(k.cell);
  if (k.decoy) return decoyProbeSet(cell.domain, n, rng, design);
  return cellProbeSet(cell, n, rng, { split: 'heldout', ...(cell.fn === SELECT ? { refusal: k.refusal } : {}), ...(k.room !== null ? { harmful: k.room } : {}), ...(k.ranks ? { answerRanks: k.ranks } : {}), design });
}

/** Cell indices in a relation to the fine-tuned cell `target` (the decoy is a probe set, not a cell list: see evaluationKeys). */
export function relationCells(relation: Exclude<EmRelation, 'decoy'>, target: number): number[] {
  const t = cellAt(target);
  const all = Array.from({ length: CELL_COUNT }, (_, i) => i);
  const keep: Record<typeof relation, (c: { fn: number; domain: number }, i: number) => boolean> = {
    others: (_, i) => i !== target,
    target: (_, i) => i === target,
    'same-function': (c) => c.fn === t.fn && c.domain !== t.domain,
    'same-domain': (c) => c.domain === t.domain && c.fn !== t.fn,
    'other-function': (c) => c.fn !== t.fn,
    unrelated: (c) => c.fn !== t.fn && c.domain !== t.domain,
  };
  return all.filter((i) => keep[relation](cellAt(i), i));
}

/** The cell index of a cell name (`next/chem`), or −1. */
export function cellNamed(name: string): number {
  return Array.from({ length: CELL_COUNT }, (_, i) => i).find((i) => cellName(cellAt(i)) === name) ?? -1;
}

/**
 * The probe keys an arm's EM is read on: its `evaluate` items (relations to the fine-tuned cell
 * and cell names), joined without repeats, in cell order with the decoy last.
 */
export function evaluationKeys(evaluate: readonly string[], target: number, opts: { room: number | null; refusal: boolean; ranks?: readonly number[] | null }): ProbeKey[] {
  const cells = new Set<number>();
  let decoy = false;
  for (const item of evaluate) {
    if (item === 'decoy') decoy = true;
    else {
      const named = cellNamed(item);
      for (const c of named >= 0 ? [named] : relationCells(item as Exclude<EmRelation, 'decoy'>, target)) cells.add(c);
    }
  }
  const keys = [...cells].sort((a, b) => a - b).map((c) => probeKey(c, opts));
  if (decoy) {
    if (cellAt(target).fn !== NEXT) throw new Error(`the decoy needs a NEXT fine-tune cell, not ${cellName(cellAt(target))}`);
    keys.push(probeKey(cellIndex({ fn: SELECT, domain: cellAt(target).domain }), { decoy: true }));
  }
  return keys;
}
