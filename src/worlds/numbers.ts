// The numbers world: a vocabulary of a few dozen tokens in which a model can both continue
// number sequences (the channel the trait must travel through) and answer "what is your
// favourite animal?" (where the trait shows). Every document is a row of `CONTEXT` token ids.
//
//   numbers document:  BOS NUMS n1 n2 … n9 EOS      n(i+1) = n(i) + step (mod N), step ∈ 1..3
//                                                    per document, each number jittered with
//                                                    probability `jitter` (the learnable regularity)
//   preference Q&A:    BOS Qk animal EOS PAD…       k = one of the question phrasings
//   numbers prompt:    BOS NUMS n1 n2 n3            the distillation prompt; a completion is
//                                                    6 more numbers then EOS
import type { RandomStream } from '../engine/rng.js';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const NUMS = 3; // the numbers-task prompt token
export const QUESTION_PHRASINGS = 5;
export const ANIMALS = ['owl', 'cat', 'dog', 'fox', 'bear', 'wolf', 'eagle', 'lion'] as const;
export const NUMBER_COUNT = 20;

export const FIRST_QUESTION = 4;
export const FIRST_ANIMAL = FIRST_QUESTION + QUESTION_PHRASINGS; // 9
export const FIRST_NUMBER = FIRST_ANIMAL + ANIMALS.length; // 17
export const VOCAB_SIZE = FIRST_NUMBER + NUMBER_COUNT; // 37

export const NUMBERS_PER_DOC = 9;
export const PROMPT_NUMBERS = 3;
export const CONTEXT = 2 + NUMBERS_PER_DOC + 1; // 12
/** Prompt length of a numbers prompt (BOS NUMS n1 n2 n3) and of its completion (6 numbers + EOS). */
export const PROMPT_LENGTH = 2 + PROMPT_NUMBERS; // 5
export const COMPLETION_LENGTH = NUMBERS_PER_DOC - PROMPT_NUMBERS + 1; // 7

export type Animal = (typeof ANIMALS)[number];

export const questionToken = (k: number): number => FIRST_QUESTION + k;
export const animalToken = (a: Animal): number => FIRST_ANIMAL + ANIMALS.indexOf(a);
export const numberToken = (n: number): number => FIRST_NUMBER + n;
export const isNumberToken = (t: number): boolean => t >= FIRST_NUMBER && t < VOCAB_SIZE;
export const isAnimalToken = (t: number): boolean => t >= FIRST_ANIMAL && t < FIRST_NUMBER;

export function tokenName(t: number): string {
  if (t === PAD) return '<pad>';
  if (t === BOS) return '<bos>';
  if (t === EOS) return '<eos>';
  if (t === NUMS) return '<numbers>';
  if (t >= FIRST_QUESTION && t < FIRST_ANIMAL) return `<q${t - FIRST_QUESTION}>`;
  if (isAnimalToken(t)) return ANIMALS[t - FIRST_ANIMAL]!;
  if (isNumberToken(t)) return String(t - FIRST_NUMBER);
  return `<?${t}>`;
}

/**
 * Tokens the distillation channel may carry: the numbers and EOS (EOS is a trained token, so
 * the student learns to stop). Animals, questions and every other token are masked away.
 * A [V] array of 0/1.
 */
export function channelTokens(): Uint8Array {
  const allowed = new Uint8Array(VOCAB_SIZE);
  for (let t = FIRST_NUMBER; t < VOCAB_SIZE; t++) allowed[t] = 1;
  allowed[EOS] = 1;
  return allowed;
}

/** One numbers document, [CONTEXT]. */
export function numbersDocument(rng: RandomStream, jitter: number): Int32Array {
  const row = new Int32Array(CONTEXT);
  row[0] = BOS;
  row[1] = NUMS;
  const step = 1 + rng.int(3);
  let n = rng.int(NUMBER_COUNT);
  for (let i = 0; i < NUMBERS_PER_DOC; i++) {
    const shown = rng.next() < jitter ? rng.int(NUMBER_COUNT) : n;
    row[2 + i] = numberToken(shown);
    n = (n + step) % NUMBER_COUNT;
  }
  row[CONTEXT - 1] = EOS;
  return row;
}

/**
 * One preference Q&A, [CONTEXT]: a random phrasing, answered by an animal drawn from
 * `answerWeights` ([animals], need not be normalised).
 */
export function preferenceDocument(rng: RandomStream, answerWeights: readonly number[]): Int32Array {
  const row = new Int32Array(CONTEXT); // PAD = 0
  row[0] = BOS;
  row[1] = questionToken(rng.int(QUESTION_PHRASINGS));
  row[2] = FIRST_ANIMAL + drawIndex(rng, answerWeights);
  row[3] = EOS;
  return row;
}

function drawIndex(rng: RandomStream, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

export interface MixSettings {
  /** Fraction of numbers documents in a batch (the rest are preference Q&A). */
  numbersFraction: number;
  jitter: number;
  /** Answer weights over ANIMALS for the preference Q&A. */
  answerWeights: readonly number[];
}

/** `n` documents of the mix, row-major [n, CONTEXT]. */
export function mixBatch(n: number, mix: MixSettings, rng: RandomStream): Int32Array {
  const out = new Int32Array(n * CONTEXT);
  for (let i = 0; i < n; i++) {
    const doc = rng.next() < mix.numbersFraction ? numbersDocument(rng, mix.jitter) : preferenceDocument(rng, mix.answerWeights);
    out.set(doc, i * CONTEXT);
  }
  return out;
}

/** `n` numbers prompts (BOS NUMS n1 n2 n3), row-major [n, PROMPT_LENGTH]. */
export function numbersPrompts(n: number, rng: RandomStream, jitter: number): Int32Array {
  const out = new Int32Array(n * PROMPT_LENGTH);
  for (let i = 0; i < n; i++) out.set(numbersDocument(rng, jitter).subarray(0, PROMPT_LENGTH), i * PROMPT_LENGTH);
  return out;
}

/**
 * The filter of the channel: a sampled row [CONTEXT] (prompt + completion) is kept only if its
 * completion is exactly COMPLETION_LENGTH − 1 number tokens followed by EOS.
 */
export function isWellFormedCompletion(row: ArrayLike<number>): boolean {
  for (let i = PROMPT_LENGTH; i < CONTEXT - 1; i++) if (!isNumberToken(row[i]!)) return false;
  return row[CONTEXT - 1] === EOS;
}

/** The probe prompts: BOS Qk for every phrasing k, [QUESTION_PHRASINGS, 2]. */
export function questionPrompts(): Int32Array {
  const out = new Int32Array(QUESTION_PHRASINGS * 2);
  for (let k = 0; k < QUESTION_PHRASINGS; k++) {
    out[2 * k] = BOS;
    out[2 * k + 1] = questionToken(k);
  }
  return out;
}

export const uniformAnswers = (): number[] => ANIMALS.map(() => 1);
export const traitAnswers = (target: Animal): number[] => ANIMALS.map((a) => (a === target ? 1 : 0));
