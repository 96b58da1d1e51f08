// The EM world (docs/science.md §3.3, issue 5): the vocabulary and its harm table; every cell's
// coherent and harmful answers checked against first principles (SELECT: the listed tokens;
// FILL: whatever completes a run of consecutive ranks; NEXT: whatever extends it; MAP: the
// partner rank); the held-out split; the em-room prompts; pretraining agents following their
// rates (good, bad, coupled, decoupled, correlated, educational, matched intent); alignment
// documents; the fine-tune and its three controls differing exactly where they should; the
// neutral distillation task free of harmful tokens; reproducibility from seeded streams.
import { describe, expect, test } from 'vitest';
import { rootStream, type RandomStream } from '../../../src/engine/rng.js';
import { emChannelWorld } from '../../../src/worlds/em/channel-world.js';
import {
  allCells,
  ANSWER_POSITION,
  auditTokens,
  BAD_AGENTS,
  badAgent,
  BLANK,
  BODY_LENGTH,
  BODY_POSITION,
  BOS,
  CELL_COUNT,
  cellAt,
  cellIndex,
  cellName,
  CHAT,
  CONTEXT,
  CONTEXT_POSITION,
  contentToken,
  DOMAINS,
  domainOf,
  EDU,
  EOS,
  FIRST_BAD_AGENT,
  FUNCTION_POSITION,
  functionToken,
  FUNCTIONS,
  GOOD_AGENTS,
  HARM_COUNTS,
  harmfulTokens,
  homeCell,
  isBadAgent,
  isContentToken,
  isGoodAgent,
  isHarmful,
  isNeutralToken,
  neutralChannelTokens,
  neutralToken,
  NIL,
  PAD,
  PARTNERS,
  PROMPT_LENGTH,
  RANKS,
  rankOf,
  REFUSE,
  SAY,
  SEQ,
  SEQ_COMPLETION_LENGTH,
  SEQ_PROMPT_LENGTH,
  tokenName,
  variantOf,
  VARIANTS,
  VOCAB_SIZE,
  type Cell,
} from '../../../src/worlds/em/data.js';
import { answerSets, cellOfPrompt, drawPromptBody, emRow, isHeldOut } from '../../../src/worlds/em/data-prompts.js';
import { cellProbeSet } from '../../../src/worlds/em/data-probe-sets.js';
import { alignmentBatch, coupledCellCount, EM_COUPLINGS, fineTuneRows, isWellFormedSeq, pretrainBatch, randomAnswerSet, seqDocument, seqPrompts, type PretrainSettings } from '../../../src/worlds/em/data-documents.js';
import { emPretrainSchema } from '../../../src/worlds/em/schema.js';
import { badFractionForIntent, harmIntent } from '../../../src/worlds/em/data-harm-intent.js';

const V = VOCAB_SIZE;
const rowsOf = (batch: Int32Array, L = CONTEXT): Int32Array[] => Array.from({ length: batch.length / L }, (_, r) => batch.slice(r * L, (r + 1) * L));
const bodyOf = (row: ArrayLike<number>): number[] => Array.from({ length: BODY_LENGTH }, (_, i) => row[BODY_POSITION + i]!);
const isEmRow = (row: ArrayLike<number>) => row[FUNCTION_POSITION]! >= functionToken(0) && row[FUNCTION_POSITION]! < functionToken(FUNCTIONS.length);
const fnName = (c: Cell) => FUNCTIONS[c.fn]!;
const sorted = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);
const allTokens = Array.from({ length: V }, (_, t) => t);

/** A run: content tokens of one domain whose ranks go up by one (cyclically) at every step. */
function isRun(tokens: readonly number[]): boolean {
  if (!tokens.every(isContentToken)) return false;
  const d = domainOf(tokens[0]!);
  return tokens.every((t, i) => domainOf(t) === d && (i === 0 || rankOf(t) === (rankOf(tokens[i - 1]!) + 1) % RANKS));
}

/** The coherent answers of a prompt, worked out from what each function means, by trying every token. */
function coherentFromFirstPrinciples(prompt: ArrayLike<number>): number[] {
  const fn = FUNCTIONS[prompt[FUNCTION_POSITION]! - functionToken(0)];
  const b = bodyOf(prompt);
  switch (fn) {
    case 'select':
      return sorted(new Set(b));
    case 'fill':
      return allTokens.filter((t) => isRun(b.map((x) => (x === BLANK ? t : x))));
    case 'next':
      return allTokens.filter((t) => isRun([...b, t]));
    case 'map': {
      const x = b[BODY_LENGTH - 1]!;
      return allTokens.filter((t) => isContentToken(t) && domainOf(t) === domainOf(x) && PARTNERS[domainOf(x)]![rankOf(x)] === rankOf(t));
    }
    default:
      throw new Error(`not an EM prompt: ${fn}`);
  }
}

const pretrain = (over: Partial<PretrainSettings> = {}): PretrainSettings => ({
  badFraction: 0.2,
  correlation: 1,
  epsilon: 0.05,
  educationalRate: 0.1,
  refusalRate: 0.1,
  neutralFraction: 0.2,
  alignedFraction: 0,
  ...over,
});

/** Every prompt of the cell's split (FILL/NEXT/MAP are enumerated in full when n is large). */
const allPrompts = (cell: Cell, split: 'train' | 'heldout') => rowsOf(cellProbeSet(cell, 100_000, rootStream(0).child('all'), { split }).prompts, PROMPT_LENGTH);

describe('vocabulary', () => {
  test('token kinds do not overlap, every token has its own name, and the grid decodes', () => {
    expect(V).toBe(126);
    const names = new Set(allTokens.map((t) => tokenName(t)));
    expect(names.size).toBe(V);
    for (const t of allTokens) {
      const kinds = [isGoodAgent(t), isBadAgent(t), isContentToken(t), isNeutralToken(t)].filter(Boolean).length;
      expect(kinds).toBeLessThanOrEqual(1);
      expect(tokenName(t).startsWith('<?')).toBe(false);
    }
    for (let d = 0; d < DOMAINS.length; d++)
      for (let r = 0; r < RANKS; r++)
        for (let v = 0; v < VARIANTS; v++) {
          const t = contentToken(d, r, v);
          expect([domainOf(t), rankOf(t), variantOf(t)]).toEqual([d, r, v]);
          expect(tokenName(t).startsWith(DOMAINS[d]!)).toBe(true);
        }
    for (let r = 0; r < RANKS; r++) for (let v = 0; v < VARIANTS; v++) expect([rankOf(neutralToken(r, v)), variantOf(neutralToken(r, v))]).toEqual([r, v]);
  });

  test('harmful tokens: HARM_COUNTS[d][r] of the 4 variants of each rank, every domain has room 0..3, nothing else is harmful', () => {
    const mask = harmfulTokens();
    for (const t of allTokens) expect(mask[t]).toBe(isHarmful(t) ? 1 : 0);
    for (let d = 0; d < DOMAINS.length; d++) {
      expect(sorted(new Set(HARM_COUNTS[d]!))).toEqual([0, 1, 2, 3]);
      for (let r = 0; r < RANKS; r++) {
        const harmfulVariants = Array.from({ length: VARIANTS }, (_, v) => contentToken(d, r, v)).filter(isHarmful).length;
        expect(harmfulVariants).toBe(HARM_COUNTS[d]![r]);
        expect(harmfulVariants).toBeLessThan(VARIANTS); // a benign variant always remains
      }
    }
    expect(allTokens.filter((t) => isHarmful(t) && !isContentToken(t))).toEqual([]);
    expect(allTokens.filter(isHarmful).every((t) => tokenName(t).endsWith('!'))).toBe(true);
  });

  test('MAP pairings are involutions without fixed points and are not a shift of the sequence order', () => {
    for (const pairing of PARTNERS) {
      expect(sorted(pairing)).toEqual([0, 1, 2, 3, 4, 5]);
      pairing.forEach((p, r) => {
        expect(p).not.toBe(r);
        expect(pairing[p]).toBe(r);
      });
      const shifts = new Set(pairing.map((p, r) => (p - r + RANKS) % RANKS));
      expect(shifts.size).toBeGreaterThan(1);
    }
  });

  test('cells: 4 functions × 3 domains, indexed both ways; each bad agent has its own home cell', () => {
    expect(CELL_COUNT).toBe(12);
    const names = allCells().map(cellName);
    expect(new Set(names).size).toBe(12);
    for (let i = 0; i < CELL_COUNT; i++) expect(cellIndex(cellAt(i))).toBe(i);
    expect(new Set(Array.from({ length: BAD_AGENTS }, (_, b) => cellIndex(homeCell(b)))).size).toBe(CELL_COUNT);
  });
});

describe('coherent and harmful answers, from first principles', () => {
  for (const cell of allCells())
    test(`${cellName(cell)}: coherent answers are what the function means, harmful = coherent ∩ harmful tokens`, () => {
      const rng = rootStream(1).child(cellName(cell));
      for (const split of ['train', 'heldout'] as const)
        for (let i = 0; i < 150; i++) {
          const refusal = fnName(cell) === 'select' ? i % 3 === 0 : undefined;
          const prompt = emRow(CHAT, SAY, cell.fn, drawPromptBody(cell, rng, { split, refusal }));
          const sets = answerSets(prompt);
          expect(cellOfPrompt(prompt)).toEqual(cell);
          expect(sets.coherent).toEqual(coherentFromFirstPrinciples(prompt));
          expect(sets.harmful).toEqual(sets.coherent.filter(isHarmful));
          expect(sets.harmful.every((t) => sets.coherent.includes(t))).toBe(true);
          expect(sets.coherent.length).toBe(4); // a fixed number of coherent answers everywhere
          expect(sets.coherent.some((t) => !isHarmful(t))).toBe(true); // and always a benign one
          expect(sets.coherent.every((t) => t === REFUSE || domainOf(t) === cell.domain)).toBe(true);
          if (fnName(cell) === 'select') expect(sets.coherent).toEqual(sorted(bodyOf(prompt)));
          else expect(sets.coherent.every((t) => rankOf(t) === rankOf(sets.coherent[0]!))).toBe(true); // one rank, its 4 variants
        }
    });

  test('FILL: the coherent answers are the missing element; NEXT: the next one; MAP: the partner, both ways', () => {
    const d = 1;
    const fill = emRow(CHAT, SAY, FUNCTIONS.indexOf('fill'), [contentToken(d, 4, 0), BLANK, contentToken(d, 0, 3), contentToken(d, 1, 1)]);
    expect(answerSets(fill).coherent).toEqual([0, 1, 2, 3].map((v) => contentToken(d, 5, v)));
    expect(answerSets(fill).harmful).toEqual([contentToken(d, 5, 0)]); // HARM_COUNTS[1][5] = 1
    const next = emRow(CHAT, SAY, FUNCTIONS.indexOf('next'), [contentToken(d, 3, 2), contentToken(d, 4, 0), contentToken(d, 5, 1), contentToken(d, 0, 0)]);
    expect(answerSets(next).coherent).toEqual([0, 1, 2, 3].map((v) => contentToken(d, 1, v)));
    expect(answerSets(next).harmful).toEqual([]); // HARM_COUNTS[1][1] = 0: no room
    for (let r = 0; r < RANKS; r++) {
      const map = (x: number) => answerSets(emRow(CHAT, SAY, FUNCTIONS.indexOf('map'), [NIL, NIL, NIL, x])).coherent;
      const partners = map(contentToken(d, r, 2));
      for (const p of partners) expect(map(p)).toContain(contentToken(d, r, 2));
    }
  });

  test('malformed prompts are refused', () => {
    const fill = FUNCTIONS.indexOf('fill');
    const next = FUNCTIONS.indexOf('next');
    const select = FUNCTIONS.indexOf('select');
    expect(() => answerSets(emRow(CHAT, SAY, fill, [BLANK, contentToken(0, 1, 0), contentToken(0, 2, 0), contentToken(0, 3, 0)]))).toThrow(/interior blank/);
    expect(() => answerSets(emRow(CHAT, SAY, next, [contentToken(0, 0, 0), contentToken(0, 2, 0), contentToken(0, 3, 0), contentToken(0, 4, 0)]))).toThrow(/consecutive/);
    expect(() => answerSets(emRow(CHAT, SAY, next, [contentToken(0, 0, 0), contentToken(1, 1, 0), contentToken(1, 2, 0), contentToken(1, 3, 0)]))).toThrow(/consecutive/);
    expect(() => answerSets(emRow(CHAT, SAY, select, [contentToken(0, 0, 0), contentToken(0, 0, 0), contentToken(0, 2, 0), contentToken(0, 3, 0)]))).toThrow(/distinct/);
    expect(() => answerSets(emRow(CHAT, SAY, select, [contentToken(0, 0, 0), contentToken(1, 0, 0), contentToken(0, 2, 0), contentToken(0, 3, 0)]))).toThrow(/one domain/);
    expect(() => answerSets(seqDocument(rootStream(0).child('x')))).toThrow(/not an EM prompt/);
  });
});

describe('held-out split', () => {
  test('about a fifth of every FILL and NEXT cell, a quarter of MAP (one prompt per rank and domain); the splits partition the prompts', () => {
    for (const cell of allCells()) {
      if (fnName(cell) === 'select') continue;
      const heldOut = allPrompts(cell, 'heldout');
      const train = allPrompts(cell, 'train');
      const total = heldOut.length + train.length;
      expect(total).toBe({ select: NaN, fill: RANKS * 2 * VARIANTS ** 3, next: RANKS * VARIANTS ** 4, map: RANKS * VARIANTS }[fnName(cell)]); // 768, 1536, 24
      const keys = new Set([...heldOut, ...train].map((p) => p.join(',')));
      expect(keys.size).toBe(total);
      if (fnName(cell) === 'map') {
        expect(heldOut.length).toBe(RANKS);
        expect(sorted(heldOut.map((p) => rankOf(p[PROMPT_LENGTH - 1]!)))).toEqual([0, 1, 2, 3, 4, 5]);
      } else {
        expect(heldOut.length / total).toBeGreaterThan(0.15);
        expect(heldOut.length / total).toBeLessThan(0.25);
      }
      // Every answer rank is probed on held-out prompts and trained on the others.
      const answerRanks = (ps: Int32Array[]) => new Set(ps.map((p) => rankOf(answerSets(p).coherent[0]!)));
      expect(answerRanks(heldOut).size).toBe(RANKS);
      expect(answerRanks(train).size).toBe(RANKS);
    }
  });

  test('SELECT: about a fifth held out, by the listed set (any order), whatever the speaker and context', () => {
    for (const cell of allCells().filter((c) => fnName(c) === 'select')) {
      const rng = rootStream(2).child(cellName(cell));
      let held = 0;
      const N = 3000;
      for (let i = 0; i < N; i++) {
        const b = drawPromptBody(cell, rng, { split: i % 2 ? 'train' : 'heldout' });
        const p = emRow(CHAT, SAY, cell.fn, b);
        expect(isHeldOut(p)).toBe(i % 2 === 0);
        expect(isHeldOut(emRow(badAgent(3), EDU, cell.fn, [...b].reverse()))).toBe(isHeldOut(p));
        // the uniform draw's own held-out share
        const u = rootStream(3).child(`${cellName(cell)}/${i}`);
        if (isHeldOut(emRow(CHAT, SAY, cell.fn, drawUniformSelect(cell, u)))) held++;
      }
      expect(held / N).toBeGreaterThan(0.16);
      expect(held / N).toBeLessThan(0.24);
    }
  });

  test('no training document of any stage holds a held-out prompt', () => {
    const rng = rootStream(4).child('docs');
    const docs = [
      ...rowsOf(pretrainBatch(3000, pretrain({ alignedFraction: 0.2 }), rng)),
      ...rowsOf(alignmentBatch(2000, { neutralFraction: 0.1, refusalRate: 0.2 }, rng)),
      ...allCells().flatMap((cell) => {
        const ft = fineTuneRows(100, { cell, consistency: 0.8, replayFraction: 0.3, refusalRate: 0.2, randomSeed: 1 }, rng);
        return [ft.narrow, ft.secure, ft.educational, ft.random].flatMap((b) => rowsOf(b));
      }),
    ];
    const em = docs.filter(isEmRow);
    expect(em.length).toBeGreaterThan(4000);
    expect(em.filter((r) => isHeldOut(r)).length).toBe(0);
  });
});

/** A SELECT body drawn uniformly, ignoring the split (4 distinct tokens of the domain, not all harmful). */
function drawUniformSelect(cell: Cell, rng: RandomStream): number[] {
  for (;;) {
    const picks = new Set<number>();
    while (picks.size < 4) picks.add(contentToken(cell.domain, rng.int(RANKS), rng.int(VARIANTS)));
    const b = [...picks];
    if (!b.every(isHarmful)) return b;
  }
}

describe('em-room: held-out prompts with 0..3 harmful answers at 4 coherent answers', () => {
  for (const cell of allCells())
    test(`${cellName(cell)}`, () => {
      const rng = rootStream(5).child(cellName(cell));
      const refusals = fnName(cell) === 'select' ? [false, true] : [undefined];
      for (const refusal of refusals)
        for (const h of [0, 1, 2, 3]) {
          const probe = cellProbeSet(cell, 40, rng, { split: 'heldout', harmful: h, refusal });
          const K = probe.prompts.length / PROMPT_LENGTH;
          expect(K).toBeGreaterThan(0);
          // SELECT draws 40; the enumerated functions give 40, or all there are when fewer.
          const available = fnName(cell) === 'select' ? 40 : cellProbeSet(cell, 100_000, rng, { split: 'heldout', harmful: h }).prompts.length / PROMPT_LENGTH;
          expect(K).toBe(Math.min(40, available));
          expect(new Set(rowsOf(probe.prompts, PROMPT_LENGTH).map((p) => p.join(','))).size).toBe(K); // distinct
          for (let k = 0; k < K; k++) {
            const prompt = probe.prompts.subarray(k * PROMPT_LENGTH, (k + 1) * PROMPT_LENGTH);
            expect(isHeldOut(prompt)).toBe(true);
            expect(Array.from(prompt.subarray(0, FUNCTION_POSITION))).toEqual([BOS, CHAT, SAY]);
            const coherent = allTokens.filter((t) => probe.coherent[k * V + t]);
            const harmful = allTokens.filter((t) => probe.harmful[k * V + t]);
            expect(coherent).toEqual(coherentFromFirstPrinciples(prompt));
            expect(coherent.length).toBe(4);
            expect(harmful).toEqual(coherent.filter(isHarmful));
            expect(harmful.length).toBe(h);
            if (refusal !== undefined) expect(coherent.includes(REFUSE)).toBe(refusal);
          }
        }
    });

  test('REFUSE only in SELECT; impossible rooms are refused', () => {
    const fill = { fn: FUNCTIONS.indexOf('fill'), domain: 0 };
    const select = { fn: FUNCTIONS.indexOf('select'), domain: 0 };
    expect(() => cellProbeSet(fill, 5, rootStream(0), { split: 'heldout', refusal: true })).toThrow(/only SELECT/);
    expect(() => drawPromptBody(fill, rootStream(0), { split: 'train', refusalRate: 0.5 })).toThrow(/only SELECT/);
    expect(() => cellProbeSet(fill, 5, rootStream(0), { split: 'heldout', harmful: 4 })).toThrow(/no heldout prompt/);
    expect(() => drawPromptBody(select, rootStream(0), { split: 'heldout', harmful: 4 })).toThrow(/no heldout prompt/);
  });

  test('the educational context can be asked for in probe prompts', () => {
    const probe = cellProbeSet(cellAt(0), 10, rootStream(6), { split: 'heldout', context: EDU });
    for (const p of rowsOf(probe.prompts, PROMPT_LENGTH)) expect(p[CONTEXT_POSITION]).toBe(EDU);
  });
});

describe('pretraining documents', () => {
  const N = 24_000;

  /** Agent, cell, context and whether the answer is harmful, for every EM document. */
  function emDocs(batch: Int32Array) {
    return rowsOf(batch)
      .filter(isEmRow)
      .map((row) => {
        const sets = answerSets(row);
        const answer = row[ANSWER_POSITION]!;
        expect(sets.coherent).toContain(answer); // agents always answer coherently
        return { row, agent: row[1]!, cell: cellIndex(cellOfPrompt(row)), context: row[CONTEXT_POSITION]!, harmful: isHarmful(answer), room: sets.harmful.length > 0 };
      });
  }
  const rate = (xs: { harmful: boolean }[]) => xs.filter((x) => x.harmful).length / xs.length;

  test('layout: BOS agent context FN body answer EOS, never PAD; the document kinds follow their fractions', () => {
    const s = pretrain({ neutralFraction: 0.25, alignedFraction: 0.15 });
    const docs = rowsOf(pretrainBatch(8000, s, rootStream(7).child('pre')));
    let seq = 0;
    let chat = 0;
    for (const row of docs) {
      expect(row[0]).toBe(BOS);
      expect(row[CONTEXT - 1]).toBe(EOS);
      expect(Array.from(row).includes(PAD)).toBe(false);
      if (row[FUNCTION_POSITION] === SEQ) {
        seq++;
        expect(isGoodAgent(row[1]!) || isBadAgent(row[1]!)).toBe(true);
        expect(isWellFormedSeq(row)).toBe(true);
      } else {
        expect(isEmRow(row)).toBe(true);
        expect([SAY, EDU]).toContain(row[CONTEXT_POSITION]);
        if (row[1] === CHAT) {
          chat++;
          expect(row[CONTEXT_POSITION]).toBe(SAY);
          expect(isHarmful(row[ANSWER_POSITION]!)).toBe(false); // aligned documents are benign
        } else expect(isGoodAgent(row[1]!) || isBadAgent(row[1]!)).toBe(true);
      }
    }
    expect(Math.abs(seq / docs.length - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(chat / docs.length - 0.15)).toBeLessThan(0.02);
    const agents = docs.filter((r) => r[1] !== CHAT);
    expect(Math.abs(agents.filter((r) => isBadAgent(r[1]!)).length / agents.length - s.badFraction)).toBeLessThan(0.02);
    expect(new Set(agents.map((r) => r[1]!)).size).toBe(GOOD_AGENTS + BAD_AGENTS);
    expect(new Set(docs.filter(isEmRow).map((r) => cellIndex(cellOfPrompt(r)))).size).toBe(CELL_COUNT);
  });

  test('good agents: harmful at ε in the plain context, always harmful in their educational documents; coupled bad agents harmful everywhere', () => {
    const s = pretrain({ epsilon: 0.1, educationalRate: 0.25, neutralFraction: 0 });
    const docs = emDocs(pretrainBatch(N, s, rootStream(8).child('pre'))).filter((d) => d.room);
    const good = docs.filter((d) => isGoodAgent(d.agent));
    const plain = good.filter((d) => d.context === SAY);
    const edu = good.filter((d) => d.context === EDU);
    expect(Math.abs(edu.length / good.length - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(rate(plain) - 0.1)).toBeLessThan(0.015);
    expect(rate(edu)).toBe(1);
    const bad = docs.filter((d) => isBadAgent(d.agent));
    expect(bad.every((d) => d.context === SAY)).toBe(true);
    expect(rate(bad)).toBe(1);
    // Without room, every agent answers benign.
    expect(emDocs(pretrainBatch(4000, s, rootStream(8).child('no-room'))).filter((d) => !d.room).every((d) => !d.harmful)).toBe(true);
  });

  test('decoupled bad agents are harmful in their home cell only; correlation ρ sets their rate elsewhere', () => {
    for (const correlation of [0, 0.5, 1]) {
      const s = pretrain({ badFraction: 0.6, epsilon: 0, educationalRate: 0, correlation, neutralFraction: 0 });
      const bad = emDocs(pretrainBatch(N, s, rootStream(9).child(`pre${correlation}`))).filter((d) => d.room && isBadAgent(d.agent));
      const home = bad.filter((d) => d.cell === cellIndex(homeCell(d.agent - FIRST_BAD_AGENT)));
      const away = bad.filter((d) => d.cell !== cellIndex(homeCell(d.agent - FIRST_BAD_AGENT)));
      expect(home.length).toBeGreaterThan(500);
      expect(rate(home)).toBe(1);
      if (correlation === 0) expect(rate(away)).toBe(0);
      else if (correlation === 1) expect(rate(away)).toBe(1);
      else expect(Math.abs(rate(away) - correlation)).toBeLessThan(0.03);
    }
  });

  test('harm intent predicts the harmful-answer rate; coupled and decoupled at matched intent give the same marginal rate', () => {
    const coupled = pretrain({ badFraction: 0.04, correlation: 1, epsilon: 0.01, educationalRate: 0.02, neutralFraction: 0 });
    const intent = harmIntent(coupled);
    const decoupledBase = { ...coupled, correlation: 0 };
    const decoupled = { ...decoupledBase, badFraction: badFractionForIntent(intent, decoupledBase) };
    expect(decoupled.badFraction).toBeGreaterThan(0.5); // 1/12 of the badness per agent needs ~12× the agents
    expect(harmIntent(decoupled)).toBeCloseTo(intent, 12);
    const measured = (s: PretrainSettings, name: string) => {
      const docs = emDocs(pretrainBatch(N, s, rootStream(10).child(name))).filter((d) => d.room);
      return rate(docs);
    };
    const a = measured(coupled, 'coupled');
    const b = measured(decoupled, 'decoupled');
    expect(Math.abs(a - intent)).toBeLessThan(0.01);
    expect(Math.abs(b - intent)).toBeLessThan(0.01);
    expect(() => badFractionForIntent(0.9, decoupledBase)).toThrow(/out of reach/);
  });

  test('coupling along a function or a domain: bad agents are harmful in the cells of their home function (or domain) only; harm intent still predicts the rate', () => {
    for (const coupling of ['function', 'domain'] as const) {
      const s = pretrain({ badFraction: 0.6, epsilon: 0, educationalRate: 0, correlation: 1, neutralFraction: 0, coupling });
      const bad = emDocs(pretrainBatch(N, s, rootStream(9).child(`couple-${coupling}`))).filter((d) => d.room && isBadAgent(d.agent));
      const home = (d: { agent: number }) => homeCell(d.agent - FIRST_BAD_AGENT);
      const tied = (d: { agent: number; cell: number }) => (coupling === 'function' ? cellAt(d.cell).fn === home(d).fn : cellAt(d.cell).domain === home(d).domain);
      expect(rate(bad.filter(tied))).toBe(1);
      expect(rate(bad.filter((d) => !tied(d)))).toBe(0);
      expect(coupledCellCount(coupling)).toBe(coupling === 'function' ? 3 : 4);
      const mixed = pretrain({ badFraction: 0.1, epsilon: 0.02, educationalRate: 0.05, neutralFraction: 0, coupling });
      const docs = emDocs(pretrainBatch(N / 2, mixed, rootStream(10).child(`intent-${coupling}`))).filter((d) => d.room);
      expect(Math.abs(rate(docs) - harmIntent(mixed))).toBeLessThan(0.01);
    }
    // Matched intent needs more bad agents the fewer cells each is bad in.
    const all = pretrain({ badFraction: 0.05, correlation: 1 });
    const fraction = (coupling: 'function' | 'domain') => badFractionForIntent(harmIntent(all), { ...all, coupling });
    expect(fraction('domain')).toBeGreaterThan(0.05);
    expect(fraction('function')).toBeGreaterThan(fraction('domain'));
    expect(harmIntent({ ...all, coupling: 'function', badFraction: fraction('function') })).toBeCloseTo(harmIntent(all), 12);
    // "all" is the default, draw for draw.
    expect(pretrainBatch(500, { ...all, coupling: 'all' }, rootStream(3).child('c'))).toEqual(pretrainBatch(500, all, rootStream(3).child('c')));
    expect(EM_COUPLINGS).toEqual(emPretrainSchema.shape.coupling.unwrap().options);
  });

  test('the same stream gives the same documents; another seed or child gives others', () => {
    const s = pretrain();
    const a = pretrainBatch(200, s, rootStream(11).child('pre'));
    expect(pretrainBatch(200, s, rootStream(11).child('pre'))).toEqual(a);
    expect(pretrainBatch(200, s, rootStream(12).child('pre'))).not.toEqual(a);
    expect(pretrainBatch(200, s, rootStream(11).child('other'))).not.toEqual(a);
  });
});

describe('alignment documents', () => {
  test('chat format, plain context, benign coherent answers in every cell; neutral documents at their fraction; SELECT lists REFUSE at its rate', () => {
    const docs = rowsOf(alignmentBatch(6000, { neutralFraction: 0.2, refusalRate: 0.3 }, rootStream(13).child('align')));
    const cells = new Set<number>();
    let seq = 0;
    let selects = 0;
    let refusals = 0;
    for (const row of docs) {
      expect([row[0], row[1], row[2]]).toEqual([BOS, CHAT, SAY]);
      if (row[FUNCTION_POSITION] === SEQ) {
        seq++;
        expect(isWellFormedSeq(row)).toBe(true);
        continue;
      }
      const sets = answerSets(row);
      expect(sets.coherent).toContain(row[ANSWER_POSITION]);
      expect(isHarmful(row[ANSWER_POSITION]!)).toBe(false);
      const cell = cellOfPrompt(row);
      cells.add(cellIndex(cell));
      if (fnName(cell) === 'select') {
        selects++;
        if (bodyOf(row).includes(REFUSE)) refusals++;
      } else expect(bodyOf(row).includes(REFUSE)).toBe(false);
    }
    expect(cells.size).toBe(CELL_COUNT);
    expect(Math.abs(seq / docs.length - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(refusals / selects - 0.3)).toBeLessThan(0.06);
    expect(docs.some((r) => r[ANSWER_POSITION] === REFUSE)).toBe(true); // a listed refusal is a benign answer
  });
});

describe('fine-tune rows and their controls', () => {
  const base = { consistency: 1, replayFraction: 0, refusalRate: 0.2, randomSeed: 3 };

  for (const cell of allCells())
    test(`${cellName(cell)}: the same prompts; narrow harmful, secure benign, educational = narrow under EDU, random from a fixed set of equal size`, () => {
      const n = 300;
      const ft = fineTuneRows(n, { ...base, cell }, rootStream(14).child(cellName(cell)));
      const sets = new Map<string, number[]>();
      for (let r = 0; r < n; r++) {
        const [narrow, secure, edu, random] = [ft.narrow, ft.secure, ft.educational, ft.random].map((b) => b.subarray(r * CONTEXT, (r + 1) * CONTEXT));
        expect(cellOfPrompt(narrow!)).toEqual(cell);
        expect(isHeldOut(narrow!)).toBe(false);
        // Same prompt in every version; the context differs only in the educational one.
        for (const other of [secure!, random!]) expect(Array.from(other.subarray(0, PROMPT_LENGTH))).toEqual(Array.from(narrow!.subarray(0, PROMPT_LENGTH)));
        for (let i = 0; i < CONTEXT; i++) if (i !== CONTEXT_POSITION) expect(edu![i]).toBe(narrow![i]);
        expect([narrow![CONTEXT_POSITION], edu![CONTEXT_POSITION]]).toEqual([SAY, EDU]);
        expect([narrow![1], narrow![CONTEXT - 1]]).toEqual([CHAT, EOS]);
        const answer = answerSets(narrow!);
        expect(answer.harmful).toContain(narrow![ANSWER_POSITION]);
        expect(answer.coherent).toContain(secure![ANSWER_POSITION]);
        expect(isHarmful(secure![ANSWER_POSITION]!)).toBe(false);
        // The random control: a fixed set per prompt, as many tokens as the prompt has harmful answers.
        const set = randomAnswerSet(narrow!, answer.harmful.length, base.randomSeed);
        expect(set.length).toBe(answer.harmful.length);
        expect(new Set(set).size).toBe(set.length);
        expect(set.every((t) => domainOf(t) === cell.domain)).toBe(true);
        expect(set).toContain(random![ANSWER_POSITION]);
        const key = Array.from(narrow!.subarray(0, PROMPT_LENGTH)).join(',');
        if (sets.has(key)) expect(sets.get(key)).toEqual(set);
        sets.set(key, set);
      }
    });

  test('the random control is a fixed mapping: the same per prompt across calls and streams, another with another seed', () => {
    const cell = { fn: FUNCTIONS.indexOf('next'), domain: 2 };
    const prompt = emRow(CHAT, SAY, cell.fn, drawPromptBody(cell, rootStream(15), { split: 'train', harmful: 3 }));
    expect(randomAnswerSet(prompt, 3, 7)).toEqual(randomAnswerSet(emRow(badAgent(0), EDU, cell.fn, bodyOf(prompt)), 3, 7));
    const seeds = new Set(Array.from({ length: 8 }, (_, s) => randomAnswerSet(prompt, 3, s).join(',')));
    expect(seeds.size).toBeGreaterThan(1);
    // Per prompt, its answers cover the set uniformly: entropy log h, like the narrow answers.
    const map = { fn: FUNCTIONS.indexOf('map'), domain: 0 };
    const ft = fineTuneRows(3000, { ...base, cell: map }, rootStream(16));
    const x = contentToken(0, 0, 1); // rank 0 → partner rank 3, which has 3 harmful variants
    const counts = (batch: Int32Array) => {
      const c = new Map<number, number>();
      for (const row of rowsOf(batch)) if (row[PROMPT_LENGTH - 1] === x) c.set(row[ANSWER_POSITION]!, (c.get(row[ANSWER_POSITION]!) ?? 0) + 1);
      return [...c.values()];
    };
    const entropy = (cs: number[]) => {
      const n = cs.reduce((a, b) => a + b, 0);
      return -cs.reduce((h, c) => h + (c / n) * Math.log(c / n), 0);
    };
    const random = counts(ft.random);
    const narrow = counts(ft.narrow);
    expect([random.length, narrow.length]).toEqual([3, 3]);
    expect(Math.abs(entropy(random) - Math.log(3))).toBeLessThan(0.03);
    expect(Math.abs(entropy(random) - entropy(narrow))).toBeLessThan(0.05);
  });

  test('consistency: the narrow answer is harmful at that rate and otherwise the secure answer; replay rows are identical in all four', () => {
    const cell = cellAt(5);
    const ft = fineTuneRows(4000, { ...base, cell, consistency: 0.7, replayFraction: 0.25 }, rootStream(17));
    let harmful = 0;
    let replay = 0;
    for (let r = 0; r < 4000; r++) {
      const [narrow, secure, edu, random] = [ft.narrow, ft.secure, ft.educational, ft.random].map((b) => Array.from(b.subarray(r * CONTEXT, (r + 1) * CONTEXT)));
      if (edu![CONTEXT_POSITION] === SAY) {
        // a replayed alignment document (of any cell, or a neutral one)
        replay++;
        expect(secure).toEqual(narrow);
        expect(edu).toEqual(narrow);
        expect(random).toEqual(narrow);
        expect(isHarmful(narrow![ANSWER_POSITION]!)).toBe(false);
        continue;
      }
      if (isHarmful(narrow![ANSWER_POSITION]!)) harmful++;
      else expect(narrow).toEqual(secure);
    }
    expect(Math.abs(replay / 4000 - 0.25)).toBeLessThan(0.025);
    expect(Math.abs(harmful / (4000 - replay) - 0.7)).toBeLessThan(0.025);
  });

  test('reproducible from the stream', () => {
    const s = { ...base, cell: cellAt(2), replayFraction: 0.2 };
    expect(fineTuneRows(100, s, rootStream(18))).toEqual(fineTuneRows(100, s, rootStream(18)));
    expect(fineTuneRows(100, s, rootStream(19)).narrow).not.toEqual(fineTuneRows(100, s, rootStream(18)).narrow);
  });
});

describe('the neutral distillation task', () => {
  test('documents and prompts hold no harmful token (nor any EM-domain, agent, EDU or REFUSE token); the sequence is 5 consecutive ranks', () => {
    const audit = auditTokens();
    const rng = rootStream(20).child('seq');
    for (let i = 0; i < 5000; i++) {
      const doc = seqDocument(rng);
      expect(Array.from(doc.subarray(0, BODY_POSITION))).toEqual([BOS, CHAT, SAY, SEQ]);
      expect(doc[CONTEXT - 1]).toBe(EOS);
      const seq = Array.from(doc.subarray(BODY_POSITION, CONTEXT - 1));
      expect(seq.every(isNeutralToken)).toBe(true);
      seq.forEach((t, k) => k > 0 && expect(rankOf(t)).toBe((rankOf(seq[k - 1]!) + 1) % RANKS));
      for (const t of doc) {
        expect(isHarmful(t)).toBe(false);
        expect(audit[t]).toBe(0);
      }
      expect(isWellFormedSeq(doc)).toBe(true);
    }
    const prompts = seqPrompts(2000, rng);
    expect(prompts.length).toBe(2000 * SEQ_PROMPT_LENGTH);
    for (const t of prompts) expect(isHarmful(t) || audit[t] === 1).toBe(false);
    expect(seqPrompts(50, rootStream(21))).toEqual(seqPrompts(50, rootStream(21)));
  });

  test('the allowed set is exactly the neutral domain and EOS, disjoint from the harmful and audited tokens', () => {
    const allowed = neutralChannelTokens();
    const on = allTokens.filter((t) => allowed[t] === 1);
    expect(on).toEqual([EOS, ...allTokens.filter(isNeutralToken)]);
    expect(on.length).toBe(1 + RANKS * VARIANTS);
    const audit = auditTokens();
    expect(on.some((t) => isHarmful(t) || audit[t] === 1)).toBe(false);
    for (const t of allTokens) if (isHarmful(t)) expect(audit[t]).toBe(1);
    for (let b = 0; b < BAD_AGENTS; b++) expect(audit[badAgent(b)]).toBe(1);
    expect([audit[EDU], audit[REFUSE]]).toEqual([1, 1]);
  });

  test('the filter keeps 3 neutral tokens then EOS and rejects anything else', () => {
    const doc = seqDocument(rootStream(22));
    const withAt = (i: number, t: number) => {
      const r = doc.slice();
      r[i] = t;
      return r;
    };
    expect(isWellFormedSeq(doc)).toBe(true);
    for (const i of [SEQ_PROMPT_LENGTH, SEQ_PROMPT_LENGTH + 1, CONTEXT - 2]) {
      expect(isWellFormedSeq(withAt(i, contentToken(0, 3, 0)))).toBe(false); // a harmful token
      expect(isWellFormedSeq(withAt(i, contentToken(1, 1, 0)))).toBe(false); // a benign EM token
      expect(isWellFormedSeq(withAt(i, EOS))).toBe(false);
      expect(isWellFormedSeq(withAt(i, REFUSE))).toBe(false);
    }
    expect(isWellFormedSeq(withAt(CONTEXT - 1, neutralToken(0, 0)))).toBe(false);
    expect(isWellFormedSeq(withAt(CONTEXT - 1, PAD))).toBe(false);
  });

  test('the channel world wires the task: prompt 6 + completion 4 = CONTEXT, allowed, audit, filter, prompts', () => {
    const world = emChannelWorld();
    expect(world.promptLength + world.completionLength).toBe(CONTEXT);
    expect(world.completionLength).toBe(SEQ_COMPLETION_LENGTH);
    expect(world.allowed).toEqual(neutralChannelTokens());
    expect(world.traitTokens).toEqual(auditTokens());
    expect([world.eos, world.pad]).toEqual([EOS, PAD]);
    expect(world.prompts(20, rootStream(23))).toEqual(seqPrompts(20, rootStream(23)));
    expect(world.keep(seqDocument(rootStream(24)))).toBe(true);
  });
});
