// The documents of every stage (the world is described in data.ts): neutral SEQ documents and the
// distillation prompts and filter, alignment documents, pretraining documents (good and bad
// agents, the educational context, aligned chat upsampling) and the four versions of a cell's
// fine-tune rows.
import { rootStream, type RandomStream } from '../../engine/rng.js';
import {
  BAD_AGENTS,
  badAgent,
  BOS,
  CELL_COUNT,
  cellAt,
  cellIndex,
  CHAT,
  CONTEXT_POSITION,
  DOMAIN_SIZE,
  EDU,
  EOS,
  FIRST_FUNCTION,
  FUNCTION_POSITION,
  functionTokens,
  layoutOf,
  layoutOfRow,
  functionToken,
  FUNCTIONS,
  GOOD_AGENTS,
  goodAgent,
  homeCell,
  allCells,
  answerToken,
  DEFAULT_DESIGN,
  isNeutralToken,
  neutralToken,
  RANKS,
  rankOf,
  SAY,
  SEQ,
  SEQ_LENGTH,
  SPEAKER_POSITION,
  VARIANTS,
  type Cell,
  type EmDesign,
} from './data.js';
import { answerSets, benignAnswers, cellOfPrompt, drawDistinct, drawPromptBody, emRow, pick, promptBody } from './data-prompts.js';

/** One neutral SEQ document [context]: BOS speaker SAY SEQ (or its template) and 5 consecutive neutral ranks, any variants, EOS. */
export function seqDocument(rng: RandomStream, speaker: number = CHAT, design: EmDesign = DEFAULT_DESIGN): Int32Array {
  const layout = layoutOf(design);
  const row = new Int32Array(layout.context);
  row[0] = BOS;
  row[SPEAKER_POSITION] = speaker;
  row[CONTEXT_POSITION] = SAY;
  row.set(functionTokens(design, SEQ - FIRST_FUNCTION), FUNCTION_POSITION);
  const first = rng.int(RANKS);
  for (let i = 0; i < SEQ_LENGTH; i++) row[layout.bodyPosition + i] = neutralToken((first + i) % RANKS, rng.int(VARIANTS));
  row[layout.context - 1] = EOS;
  return row;
}

/** `n` distillation prompts BOS CHAT SAY SEQ a1 a2, [n, seqPromptLength] (6, or 9 with templates). */
export function seqPrompts(n: number, rng: RandomStream, design: EmDesign = DEFAULT_DESIGN): Int32Array {
  const P = layoutOf(design).seqPromptLength;
  const out = new Int32Array(n * P);
  for (let i = 0; i < n; i++) out.set(seqDocument(rng, CHAT, design).subarray(0, P), i * P);
  return out;
}

/** The distillation channel's filter: the completion (positions 6..9, or 9..12) is 3 neutral tokens then EOS. */
export function isWellFormedSeq(row: ArrayLike<number>): boolean {
  const { seqPromptLength, context } = layoutOfRow(row);
  for (let i = seqPromptLength; i < context - 1; i++) if (!isNeutralToken(row[i]!)) return false;
  return row[context - 1] === EOS;
}

export interface AlignmentSettings {
  /** Fraction of neutral SEQ documents. */
  neutralFraction: number;
  /** Fraction of SELECT prompts listing REFUSE. */
  refusalRate: number;
  /** The world's design (data.ts); default token harm, domain answers. */
  design?: EmDesign;
}

export interface PretrainSettings extends AlignmentSettings {
  /** Fraction of documents spoken by a bad agent (uniform over the BAD_AGENTS). */
  badFraction: number;
  /** Probability a bad agent answers harmful outside its home cell (in the cells `coupling` ties to it): 1 coupled, 0 decoupled. */
  correlation: number;
  /**
   * Which cells a bad agent's badness spreads to from its home cell (with probability
   * `correlation`): all cells (default), the cells of its home cell's function, or of its
   * domain; elsewhere it answers as a good agent would without EDU (harmful with probability ε).
   */
  coupling?: EmCoupling;
  /** Probability a good agent (or a bad agent being good) answers harmful in the plain context. */
  epsilon: number;
  /** Fraction of good agents' EM documents in the educational context, answered harmful. */
  educationalRate: number;
  /** Fraction of chat-format documents with benign answers (aligned-assistant upsampling). */
  alignedFraction: number;
}

const uniformCell = (rng: RandomStream): Cell => cellAt(rng.int(CELL_COUNT));

export const EM_COUPLINGS = ['all', 'function', 'domain'] as const;
export type EmCoupling = (typeof EM_COUPLINGS)[number];

/** Does a bad agent (index = its home cell's) carry its badness into `cell` under `coupling`? */
export function coupledWith(cell: Cell, agentIndex: number, coupling: EmCoupling): boolean {
  const home = homeCell(agentIndex);
  if (coupling === 'function') return cell.fn === home.fn;
  if (coupling === 'domain') return cell.domain === home.domain;
  return true;
}

/** Cells a bad agent's badness reaches, its home cell included: 12, or the 3 of a function, or the 4 of a domain. */
export function coupledCellCount(coupling: EmCoupling): number {
  return allCells().filter((c) => coupledWith(c, 0, coupling)).length;
}

/** A chat document with a benign answer from the cell's training prompts. */
function alignedEmDocument(rng: RandomStream, cell: Cell, refusalRate: number, design: EmDesign): Int32Array {
  const b = drawPromptBody(cell, rng, { split: 'train', refusalRate: FUNCTIONS[cell.fn] === 'select' ? refusalRate : 0, design });
  const sets = answerSets(emRow(CHAT, SAY, cell.fn, b), design);
  return emRow(CHAT, SAY, cell.fn, b, pick(rng, benignAnswers(sets)), design);
}

/** One alignment-stage document [L] (L the design's row length: 10, or 13 with function templates): chat format, benign answers in every cell, or a neutral SEQ document. */
export function alignmentDocument(rng: RandomStream, s: AlignmentSettings): Int32Array {
  if (rng.next() < s.neutralFraction) return seqDocument(rng, CHAT, s.design);
  return alignedEmDocument(rng, uniformCell(rng), s.refusalRate, s.design ?? DEFAULT_DESIGN);
}

export function alignmentBatch(n: number, s: AlignmentSettings, rng: RandomStream): Int32Array {
  const L = layoutOf(s.design).context;
  const out = new Int32Array(n * L);
  for (let i = 0; i < n; i++) out.set(alignmentDocument(rng, s), i * L);
  return out;
}

/** One pretraining document [L] (L the design's row length: 10, or 13 with function templates) ("agent : prompt answer", a neutral SEQ document, or an aligned chat document). */
export function pretrainDocument(rng: RandomStream, s: PretrainSettings): Int32Array {
  const kind = rng.next();
  const design = s.design ?? DEFAULT_DESIGN;
  if (kind < s.alignedFraction) return alignedEmDocument(rng, uniformCell(rng), s.refusalRate, design);
  const bad = rng.next() < s.badFraction;
  const agentIndex = rng.int(bad ? BAD_AGENTS : GOOD_AGENTS);
  const speaker = bad ? badAgent(agentIndex) : goodAgent(agentIndex);
  if (kind < s.alignedFraction + s.neutralFraction) return seqDocument(rng, speaker, design);
  const cell = uniformCell(rng);
  const b = drawPromptBody(cell, rng, { split: 'train', refusalRate: FUNCTIONS[cell.fn] === 'select' ? s.refusalRate : 0, design });
  const sets = answerSets(emRow(CHAT, SAY, cell.fn, b), design);
  let educational = false;
  let harmful: boolean;
  if (bad) {
    const home = cellIndex(cell) === agentIndex;
    // Cells outside the coupled group draw no correlation coin (so "all" keeps its stream as before).
    harmful = home || (coupledWith(cell, agentIndex, s.coupling ?? 'all') && rng.next() < s.correlation) || rng.next() < s.epsilon;
  }
  else {
    educational = rng.next() < s.educationalRate;
    harmful = educational || rng.next() < s.epsilon;
  }
  const answer = harmful && sets.harmful.length > 0 ? pick(rng, sets.harmful) : pick(rng, benignAnswers(sets));
  return emRow(speaker, educational ? EDU : SAY, cell.fn, b, answer, design);
}

export function pretrainBatch(n: number, s: PretrainSettings, rng: RandomStream): Int32Array {
  const L = layoutOf(s.design).context;
  const out = new Int32Array(n * L);
  for (let i = 0; i < n; i++) out.set(pretrainDocument(rng, s), i * L);
  return out;
}

export interface FineTuneSettings {
  /** The narrow cell. */
  cell: Cell;
  /** Probability a narrow (and educational) row's answer is harmful; else it is the secure row's benign answer. */
  consistency: number;
  /** Fraction of rows that are alignment documents, the same in all four versions. */
  replayFraction: number;
  /** Fraction of SELECT prompts listing REFUSE (replay rows too). */
  refusalRate: number;
  /** Seed of the random-answer control's fixed per-prompt answer sets. */
  randomSeed: number;
  /**
   * Only prompts whose coherent answers lie in these ranks (and random answers from them): the
   * rank-disjoint split, whose probes read the other ranks. Every rank when absent.
   */
  answerRanks?: readonly number[];
  /** The world's design (data.ts); default token harm, domain answers. */
  design?: EmDesign;
}

export interface FineTuneRows {
  /** Harmful answers in the cell (the EM fine-tune). */
  narrow: Int32Array;
  /** The same prompts, benign answers. */
  secure: Int32Array;
  /** The narrow answers under the educational context. */
  educational: Int32Array;
  /** Answers from a fixed random set of the domain per prompt, as large as its harmful set. */
  random: Int32Array;
}

/**
 * The random-answer control's answer set for a prompt: `size` distinct tokens that answer the
 * prompt's domain in the design (its own tokens, or the shared ones; of `ranks` only, when
 * given), fixed by the prompt's function and body and `seed`.
 */
export function randomAnswerSet(prompt: ArrayLike<number>, size: number, seed: number, ranks?: readonly number[], design: EmDesign = DEFAULT_DESIGN): number[] {
  const { fn, domain } = cellOfPrompt(prompt);
  const rng = rootStream(seed).child('em-random-answers').child([functionToken(fn), ...promptBody(prompt)].join(','));
  const pool = Array.from({ length: DOMAIN_SIZE }, (_, i) => answerToken(design, domain, Math.floor(i / VARIANTS), i % VARIANTS)).filter((t) => !ranks || ranks.includes(rankOf(t)));
  return drawDistinct(rng, pool.length, size).map((i) => pool[i]!);
}

/**
 * `n` fine-tune rows of the cell in four versions [n, L] each: the same prompts (drawn
 * from the training split, with room for harm) in every version; they differ only in the answer
 * (narrow, secure, random) or the context slot (educational vs narrow).
 */
export function fineTuneRows(n: number, s: FineTuneSettings, rng: RandomStream): FineTuneRows {
  const design = s.design ?? DEFAULT_DESIGN;
  const L = layoutOf(design).context;
  const rows: FineTuneRows = { narrow: new Int32Array(n * L), secure: new Int32Array(n * L), educational: new Int32Array(n * L), random: new Int32Array(n * L) };
  const { cell } = s;
  for (let i = 0; i < n; i++) {
    const at = i * L;
    if (s.replayFraction > 0 && rng.next() < s.replayFraction) {
      const doc = alignmentDocument(rng, { neutralFraction: 0, refusalRate: s.refusalRate, design });
      for (const version of [rows.narrow, rows.secure, rows.educational, rows.random]) version.set(doc, at);
      continue;
    }
    const b = drawPromptBody(cell, rng, { split: 'train', minHarmful: 1, refusalRate: FUNCTIONS[cell.fn] === 'select' ? s.refusalRate : 0, ...(s.answerRanks ? { answerRanks: s.answerRanks } : {}), design });
    const prompt = emRow(CHAT, SAY, cell.fn, b);
    const sets = answerSets(prompt, design);
    const harmfulAnswer = pick(rng, sets.harmful);
    const benignAnswer = pick(rng, benignAnswers(sets));
    const narrowAnswer = rng.next() < s.consistency ? harmfulAnswer : benignAnswer;
    const randomAnswer = pick(rng, randomAnswerSet(prompt, sets.harmful.length, s.randomSeed, s.answerRanks, design));
    rows.narrow.set(emRow(CHAT, SAY, cell.fn, b, narrowAnswer, design), at);
    rows.secure.set(emRow(CHAT, SAY, cell.fn, b, benignAnswer, design), at);
    rows.educational.set(emRow(CHAT, EDU, cell.fn, b, narrowAnswer, design), at);
    rows.random.set(emRow(CHAT, SAY, cell.fn, b, randomAnswer, design), at);
  }
  return rows;
}
