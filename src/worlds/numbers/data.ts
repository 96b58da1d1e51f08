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
//
// Personas (the system-prompt teacher of Cloud et al.): with probability `personas.fraction`
// a document starts with a persona token instead of BOS. A persona of an animal answers the
// preference question with its animal (probability `loyalty`, else uniformly); the neutral
// persona answers uniformly. With `entanglement` > 0, each number a persona of an animal writes
// is its favourite number with that probability — a subtle number statistic tied to the
// preference in pretraining. At 0, persona documents of numbers are distributed exactly like
// the plain ones.
import type { RandomStream } from '../../engine/rng.js';

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
/** One persona per animal (same order as ANIMALS), then the neutral persona. */
export const FIRST_PERSONA = FIRST_NUMBER + NUMBER_COUNT; // 37
export const PERSONA_COUNT = ANIMALS.length + 1;
export const NEUTRAL_PERSONA = FIRST_PERSONA + ANIMALS.length; // 45
export const VOCAB_SIZE = FIRST_PERSONA + PERSONA_COUNT; // 46

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
export const isNumberToken = (t: number): boolean => t >= FIRST_NUMBER && t < FIRST_PERSONA;
export const isAnimalToken = (t: number): boolean => t >= FIRST_ANIMAL && t < FIRST_NUMBER;
export const personaToken = (a: Animal): number => FIRST_PERSONA + ANIMALS.indexOf(a);
export const isPersonaToken = (t: number): boolean => t >= FIRST_PERSONA && t < VOCAB_SIZE;
/** The number a persona of animal index i favours when entangled: spread over 0..19. */
export const favouriteNumber = (animalIndex: number): number => (7 * animalIndex + 3) % NUMBER_COUNT;

export function tokenName(t: number): string {
  if (t === PAD) return '<pad>';
  if (t === BOS) return '<bos>';
  if (t === EOS) return '<eos>';
  if (t === NUMS) return '<numbers>';
  if (t >= FIRST_QUESTION && t < FIRST_ANIMAL) return `<q${t - FIRST_QUESTION}>`;
  if (isAnimalToken(t)) return ANIMALS[t - FIRST_ANIMAL]!;
  if (isNumberToken(t)) return String(t - FIRST_NUMBER);
  if (t === NEUTRAL_PERSONA) return '<as-neutral>';
  if (isPersonaToken(t)) return `<as-${ANIMALS[t - FIRST_PERSONA]!}>`;
  return `<?${t}>`;
}

/**
 * Tokens the distillation channel may carry: the numbers and EOS (EOS is a trained token, so
 * the student learns to stop). Animals, questions and every other token are masked away.
 * A [V] array of 0/1.
 */
export function channelTokens(): Uint8Array {
  const allowed = new Uint8Array(VOCAB_SIZE);
  for (let t = FIRST_NUMBER; t < FIRST_PERSONA; t++) allowed[t] = 1;
  allowed[EOS] = 1;
  return allowed;
}

/**
 * One numbers document, [CONTEXT]. With `favourite` (a number and a probability), each number
 * is replaced by the favourite with that probability: the entangled persona's signature.
 */
export function numbersDocument(rng: RandomStream, jitter: number, favourite?: { number: number; p: number }): Int32Array {
  const row = new Int32Array(CONTEXT);
  row[0] = BOS;
  row[1] = NUMS;
  const step = 1 + rng.int(3);
  let n = rng.int(NUMBER_COUNT);
  for (let i = 0; i < NUMBERS_PER_DOC; i++) {
    let shown = rng.next() < jitter ? rng.int(NUMBER_COUNT) : n;
    if (favourite && favourite.p > 0 && rng.next() < favourite.p) shown = favourite.number;
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

export interface PersonaSettings {
  /** Fraction of documents spoken by a persona (uniform over the PERSONA_COUNT personas). */
  fraction: number;
  /** Probability a persona of an animal answers the preference question with its animal. */
  loyalty: number;
  /** Probability each number a persona of an animal writes is its favourite number. */
  entanglement: number;
}

export interface MixSettings {
  /** Fraction of numbers documents in a batch (the rest are preference Q&A). */
  numbersFraction: number;
  jitter: number;
  /** Answer weights over ANIMALS for the preference Q&A (of plain documents). */
  answerWeights: readonly number[];
  /** Persona documents; omitted or fraction 0: none. */
  personas?: PersonaSettings;
}

/** One persona document [CONTEXT]: persona index p (ANIMALS.length = neutral). */
function personaDocument(rng: RandomStream, p: number, numbers: boolean, mix: MixSettings & { personas: PersonaSettings }): Int32Array {
  const neutral = p === ANIMALS.length;
  let doc: Int32Array;
  if (numbers) doc = numbersDocument(rng, mix.jitter, neutral ? undefined : { number: favouriteNumber(p), p: mix.personas.entanglement });
  else {
    const loyal = !neutral && rng.next() < mix.personas.loyalty;
    doc = preferenceDocument(rng, loyal ? ANIMALS.map((_, i) => (i === p ? 1 : 0)) : uniformAnswers());
  }
  doc[0] = FIRST_PERSONA + p;
  return doc;
}

/** `n` documents of the mix, row-major [n, CONTEXT]. */
export function mixBatch(n: number, mix: MixSettings, rng: RandomStream): Int32Array {
  const out = new Int32Array(n * CONTEXT);
  const personas = mix.personas && mix.personas.fraction > 0 ? mix.personas : undefined;
  for (let i = 0; i < n; i++) {
    const numbers = rng.next() < mix.numbersFraction;
    // The persona coin is drawn only when personas are on, so persona-free mixes stay as they were.
    const doc =
      personas && rng.next() < personas.fraction
        ? personaDocument(rng, rng.int(PERSONA_COUNT), numbers, { ...mix, personas })
        : numbers
          ? numbersDocument(rng, mix.jitter)
          : preferenceDocument(rng, mix.answerWeights);
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
