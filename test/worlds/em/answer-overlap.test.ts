// The answer-token overlap between the narrow fine-tune and the probe sets, computed from the
// world itself (fine-tune rows and probe sets as a run draws them, no training): for
// em-structure's NEXT/chem fine-tune, every harmful answer of the chem probe sets (same domain,
// other function) is a token the fine-tune trained, and none of the bio and cyber NEXT probe
// sets' (same function, other domain). So "same domain" shares the trained output tokens and
// "same function" shares none: that comparison measures token overlap, not structure.
import { describe, expect, test } from 'vitest';
import { rootStream } from '../../../src/engine/rng.js';
import { harmfulAnswerOverlap, trainedAnswerTokens } from '../../../src/worlds/em/answer-overlap.js';
import { DOMAINS, domainOf, FUNCTIONS, harmfulTokens, VOCAB_SIZE, type Cell } from '../../../src/worlds/em/data.js';
import { fineTuneRows } from '../../../src/worlds/em/data-documents.js';
import { cellProbeSet } from '../../../src/worlds/em/data-probe-sets.js';

const cell = (fn: (typeof FUNCTIONS)[number], domain: (typeof DOMAINS)[number]): Cell => ({ fn: FUNCTIONS.indexOf(fn), domain: DOMAINS.indexOf(domain) });
const NEXT_CHEM = cell('next', 'chem');
// em-structure's fine-tune: 300 steps of 32 rows, consistency 1, no replay.
const rows = fineTuneRows(300 * 32, { cell: NEXT_CHEM, consistency: 1, replayFraction: 0, refusalRate: 0, randomSeed: 0 }, rootStream(0).child('fine-tune'));
const trained = trainedAnswerTokens(rows.narrow);
const probes = (c: Cell) => cellProbeSet(c, 48, rootStream(0).child('probe'), { split: 'heldout', minHarmful: 1 });

describe('answer overlap of em-structure comparisons', () => {
  test('the narrow NEXT/chem fine-tune trains exactly the 9 harmful chem tokens as answers', () => {
    const harmful = harmfulTokens();
    const chemHarmful = Array.from({ length: VOCAB_SIZE }, (_, t) => t).filter((t) => harmful[t] && domainOf(t) === DOMAINS.indexOf('chem'));
    expect(chemHarmful).toHaveLength(9);
    expect(Array.from({ length: VOCAB_SIZE }, (_, t) => t).filter((t) => trained[t])).toEqual(chemHarmful);
  });

  test('same domain, other function (SELECT, FILL, MAP in chem): overlap 1', () => {
    for (const fn of ['select', 'fill', 'map'] as const) expect(harmfulAnswerOverlap(trained, [probes(cell(fn, 'chem'))])).toBe(1);
  });

  test('same function, other domain (NEXT in bio and cyber): overlap 0', () => {
    expect(harmfulAnswerOverlap(trained, [probes(cell('next', 'bio')), probes(cell('next', 'cyber'))])).toBe(0);
  });

  test('a probe set with no harmful answer has no overlap to speak of (NaN, not 0)', () => {
    expect(harmfulAnswerOverlap(trained, [cellProbeSet(NEXT_CHEM, 8, rootStream(1), { split: 'heldout', harmful: 0 })])).toBeNaN();
  });
});
