// The probe prompts of one cell (the world is described in data.ts): distinct chat prompts of a
// split with their coherent and harmful answers as masks, enumerated where the cell's prompts
// can be listed (FILL, NEXT, MAP) and drawn where they cannot (SELECT).
import type { RandomStream } from '../../engine/rng.js';
import { BLANK, BODY_LENGTH, cellName, CHAT, contentToken, DEFAULT_DESIGN, FUNCTIONS, layoutOf, NIL, RANKS, SAY, VARIANTS, vocabSize, type Cell } from './data.js';
import { acceptBody, answerSets, checkPromptOptions, drawDistinct, drawPromptBody, emRow, type PromptOptions } from './data-prompts.js';

/** Every body of a FILL, NEXT or MAP cell (SELECT's space is too large to list), in a fixed order. */
function enumerateBodies(cell: Cell): number[][] {
  const { fn, domain } = cell;
  const out: number[][] = [];
  const variants = (n: number): number[][] => (n === 0 ? [[]] : variants(n - 1).flatMap((vs) => Array.from({ length: VARIANTS }, (_, v) => [...vs, v])));
  switch (FUNCTIONS[fn]) {
    case 'fill':
      for (let first = 0; first < RANKS; first++)
        for (const blank of [1, 2])
          for (const vs of variants(BODY_LENGTH - 1)) {
            const shown = [0, 1, 2, 3].filter((i) => i !== blank);
            const b = [BLANK, BLANK, BLANK, BLANK];
            shown.forEach((i, k) => (b[i] = contentToken(domain, (first + i) % RANKS, vs[k]!)));
            out.push(b);
          }
      return out;
    case 'next':
      for (let first = 0; first < RANKS; first++) for (const vs of variants(BODY_LENGTH)) out.push(vs.map((v, i) => contentToken(domain, (first + i) % RANKS, v)));
      return out;
    case 'map':
      for (let r = 0; r < RANKS; r++) for (let v = 0; v < VARIANTS; v++) out.push([NIL, NIL, NIL, contentToken(domain, r, v)]);
      return out;
    default:
      throw new Error('SELECT bodies are not enumerated');
  }
}

/**
 * A probe set of one cell: up to `n` distinct chat prompts (CHAT `context` FN body) of the
 * split, with their coherent and harmful answers as [K, V] masks. FILL, NEXT and MAP prompts are
 * enumerated: all of them when the split (and room) holds ≤ n, else a seeded choice of n; SELECT
 * prompts are drawn (distinct bodies). The shape the probes of src/worlds/em/answer-probes.ts read.
 */
export interface CellProbeSet {
  cell: Cell;
  /** [K, P]: P is the design's prompt length (8, or 11 with function templates) */
  prompts: Int32Array;
  promptLength: number;
  /** [K, V] 0/1 */
  coherent: Uint8Array;
  /** [K, V] 0/1, ⊆ coherent */
  harmful: Uint8Array;
}

export function cellProbeSet(cell: Cell, n: number, rng: RandomStream, opts: PromptOptions & { context?: number }): CellProbeSet {
  checkPromptOptions(cell, opts);
  let bodies: number[][];
  if (FUNCTIONS[cell.fn] === 'select') {
    const seen = new Set<string>();
    bodies = [];
    for (let attempt = 0; bodies.length < n; attempt++) {
      if (attempt >= 1000 * n) throw new Error(`${cellName(cell)}: found only ${bodies.length} of ${n} distinct ${opts.split} prompts`);
      const b = drawPromptBody(cell, rng, opts);
      const key = b.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        bodies.push(b);
      }
    }
  } else {
    const all = enumerateBodies(cell).filter((b) => acceptBody(cell, b, opts));
    if (all.length === 0) throw new Error(`${cellName(cell)}: no ${opts.split} prompt with ${JSON.stringify(opts)}`);
    bodies = all.length <= n ? all : drawDistinct(rng, all.length, n).map((i) => all[i]!);
  }
  return probeSetOf(cell, bodies.map((b) => emRow(CHAT, opts.context ?? SAY, cell.fn, b, undefined, opts.design)), opts.design);
}

/** The probe set of the given prompts [P] each (written in the design's format), their answer masks [K, V] as the design answers them. */
export function probeSetOf(cell: Cell, rows: readonly Int32Array[], design = DEFAULT_DESIGN): CellProbeSet {
  const K = rows.length;
  const V = vocabSize(design);
  const P = layoutOf(design).promptLength;
  const prompts = new Int32Array(K * P);
  const coherent = new Uint8Array(K * V);
  const harmful = new Uint8Array(K * V);
  rows.forEach((p, k) => {
    if (p.length !== P) throw new Error(`probeSetOf: a prompt of ${p.length} tokens in a design whose prompts have ${P}`);
    prompts.set(p, k * P);
    const sets = answerSets(p, design);
    for (const t of sets.coherent) coherent[k * V + t] = 1;
    for (const t of sets.harmful) harmful[k * V + t] = 1;
  });
  return { cell, prompts, promptLength: P, coherent, harmful };
}
