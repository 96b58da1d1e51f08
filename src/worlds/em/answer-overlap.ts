// How much a comparison's probes share with the narrow fine-tune by construction: the harmful
// answers of the probe prompts that are tokens the fine-tune trained as answers. Where a
// comparison claims that spillover follows task structure, this overlap must be 0; where it is
// 1, a push on those output tokens alone would already read as "EM" on those prompts.
import { layoutOf, VOCAB_SIZE, type EmLayout } from './data.js';
import type { CellProbeSet } from './data-probe-sets.js';

/** [V] 0/1: the tokens that appear as the answer of a row of `rows` ([n, L] in `layout`); V is the design's vocabulary. */
export function trainedAnswerTokens(rows: Int32Array, V: number = VOCAB_SIZE, layout: EmLayout = layoutOf()): Uint8Array {
  const out = new Uint8Array(V);
  const L = layout.context;
  for (let r = 0; r < rows.length / L; r++) out[rows[r * L + layout.answerPosition]!] = 1;
  return out;
}

/** [V] 0/1 of a token list (a fine-tune audit's answerTokens). */
export function tokenMask(tokens: readonly number[], V: number = VOCAB_SIZE): Uint8Array {
  const out = new Uint8Array(V);
  for (const t of tokens) out[t] = 1;
  return out;
}

/**
 * The fraction of (prompt, harmful answer) pairs of the probe sets whose answer is a trained
 * token, over every prompt that admits a harmful answer; NaN when none does.
 */
export function harmfulAnswerOverlap(trained: Uint8Array, sets: readonly CellProbeSet[]): number {
  let pairs = 0;
  let shared = 0;
  for (const set of sets) {
    const K = set.prompts.length / set.promptLength;
    const V = set.harmful.length / K;
    for (let k = 0; k < K; k++)
      for (let t = 0; t < V; t++) {
        if (!set.harmful[k * V + t]) continue;
        pairs++;
        shared += trained[t]!;
      }
  }
  return pairs === 0 ? Number.NaN : shared / pairs;
}
