// The numbers world (docs/science.md §3.2): document layout and its regularity, preference answers
// following their weights, the mix fraction, the channel's filter and allowed set, the probe
// prompts, reproducibility from seeded streams; and the animal-fine-tune teacher's fine-tune batches, which
// must differ from the control's only in the answer slot of Q&A rows.
import { describe, expect, test } from 'vitest';
import { animalFineTuneTeacher } from '../../../teachers/animal-fine-tune.js';
import { rootStream } from '../../../src/engine/rng.js';
import {
  animalToken,
  ANIMALS,
  BOS,
  channelTokens,
  COMPLETION_LENGTH,
  CONTEXT,
  EOS,
  FIRST_ANIMAL,
  FIRST_NUMBER,
  isAnimalToken,
  isNumberToken,
  isWellFormedCompletion,
  mixBatch,
  NUMBER_COUNT,
  numberToken,
  numbersDocument,
  numbersPrompts,
  NUMBERS_PER_DOC,
  NUMS,
  PAD,
  preferenceDocument,
  PROMPT_LENGTH,
  questionPrompts,
  questionToken,
  QUESTION_PHRASINGS,
  tokenName,
  traitAnswers,
  uniformAnswers,
  VOCAB_SIZE,
} from '../../../src/worlds/numbers/data.js';

const rows = (batch: Int32Array): Int32Array[] => Array.from({ length: batch.length / CONTEXT }, (_, r) => batch.slice(r * CONTEXT, (r + 1) * CONTEXT));
const isNumbersDoc = (row: Int32Array) => row[1] === NUMS;
const isQaDoc = (row: Int32Array) => row[1]! >= questionToken(0) && row[1]! < questionToken(QUESTION_PHRASINGS);

describe('vocabulary', () => {
  test('token ranges tile 0..V-1 without overlap, and names round-trip', () => {
    expect(CONTEXT).toBe(PROMPT_LENGTH + COMPLETION_LENGTH);
    const names = new Set<string>();
    for (let t = 0; t < VOCAB_SIZE; t++) {
      expect(Number(isNumberToken(t)) + Number(isAnimalToken(t))).toBeLessThanOrEqual(1);
      names.add(tokenName(t));
    }
    expect(names.size).toBe(VOCAB_SIZE); // every token has its own name
    expect(ANIMALS.map((a) => tokenName(animalToken(a)))).toEqual([...ANIMALS]);
    expect(tokenName(numberToken(NUMBER_COUNT - 1))).toBe(String(NUMBER_COUNT - 1));
  });
});

describe('numbersDocument', () => {
  test('BOS NUMS + 9 numbers + EOS; without jitter n(i+1) = n(i) + step mod 20, one step in 1..3 per document', () => {
    const rng = rootStream(1).child('docs');
    const steps = new Set<number>();
    for (let d = 0; d < 300; d++) {
      const row = numbersDocument(rng, 0);
      expect(row.length).toBe(CONTEXT);
      expect(row[0]).toBe(BOS);
      expect(row[1]).toBe(NUMS);
      expect(row[CONTEXT - 1]).toBe(EOS);
      const ns = Array.from(row.subarray(2, 2 + NUMBERS_PER_DOC), (t) => {
        expect(isNumberToken(t)).toBe(true);
        return t - FIRST_NUMBER;
      });
      const step = (ns[1]! - ns[0]! + NUMBER_COUNT) % NUMBER_COUNT;
      expect(step).toBeGreaterThanOrEqual(1);
      expect(step).toBeLessThanOrEqual(3);
      for (let i = 0; i + 1 < ns.length; i++) expect((ns[i]! + step) % NUMBER_COUNT).toBe(ns[i + 1]);
      steps.add(step);
      expect(isWellFormedCompletion(row)).toBe(true);
    }
    expect([...steps].sort()).toEqual([1, 2, 3]);
  });

  test('jitter breaks the sequence at about the jitter rate, and rows stay well formed', () => {
    const rng = rootStream(2).child('docs');
    let broken = 0;
    let pairs = 0;
    for (let d = 0; d < 400; d++) {
      const row = numbersDocument(rng, 0.3);
      expect(isWellFormedCompletion(row)).toBe(true);
      const ns = Array.from(row.subarray(2, 2 + NUMBERS_PER_DOC), (t) => t - FIRST_NUMBER);
      // The most common difference is the document's step; count positions that disagree with it.
      const diffs = ns.slice(1).map((n, i) => (n - ns[i]! + NUMBER_COUNT) % NUMBER_COUNT);
      const mode = [1, 2, 3].reduce((best, s) => (diffs.filter((x) => x === s).length > diffs.filter((x) => x === best).length ? s : best), 1);
      broken += diffs.filter((x) => x !== mode).length;
      pairs += diffs.length;
    }
    // A jittered number breaks up to two differences; with jitter 0.3 roughly half the pairs break.
    expect(broken / pairs).toBeGreaterThan(0.2);
    expect(broken / pairs).toBeLessThan(0.75);
    const clean = rootStream(2).child('docs');
    expect(numbersDocument(clean, 0)).not.toEqual(numbersDocument(rootStream(2).child('docs'), 1));
  });
});

describe('preferenceDocument', () => {
  test('BOS Qk animal EOS then padding', () => {
    const rng = rootStream(3).child('qa');
    const phrasings = new Set<number>();
    for (let d = 0; d < 200; d++) {
      const row = preferenceDocument(rng, uniformAnswers());
      expect(row[0]).toBe(BOS);
      expect(isQaDoc(row)).toBe(true);
      phrasings.add(row[1]!);
      expect(isAnimalToken(row[2]!)).toBe(true);
      expect(row[3]).toBe(EOS);
      expect(Array.from(row.subarray(4))).toEqual(new Array(CONTEXT - 4).fill(PAD));
    }
    expect(phrasings.size).toBe(QUESTION_PHRASINGS);
  });

  test('traitAnswers gives only the target; uniform hits every animal about equally; weights are followed', () => {
    const rng = rootStream(4).child('qa');
    for (const target of ['owl', 'lion', 'fox'] as const)
      for (let d = 0; d < 100; d++) expect(preferenceDocument(rng, traitAnswers(target))[2]).toBe(animalToken(target));

    const N = 4000;
    const counts = new Array<number>(ANIMALS.length).fill(0);
    for (let d = 0; d < N; d++) counts[preferenceDocument(rng, uniformAnswers())[2]! - FIRST_ANIMAL]!++;
    for (const c of counts) expect(Math.abs(c / N - 1 / ANIMALS.length)).toBeLessThan(0.03);

    // Unnormalised weights 3 : 1 on the first two animals, 0 elsewhere.
    const weights = ANIMALS.map((_, i) => (i === 0 ? 3 : i === 1 ? 1 : 0));
    let first = 0;
    for (let d = 0; d < N; d++) {
      const a = preferenceDocument(rng, weights)[2]! - FIRST_ANIMAL;
      expect(a === 0 || a === 1).toBe(true);
      if (a === 0) first++;
    }
    expect(Math.abs(first / N - 0.75)).toBeLessThan(0.03);
  });
});

describe('mixBatch', () => {
  test.each([0, 0.25, 0.75, 1])('the fraction of numbers documents is about numbersFraction = %s', (numbersFraction) => {
    const n = 2000;
    const batch = mixBatch(n, { numbersFraction, jitter: 0.05, answerWeights: uniformAnswers() }, rootStream(5).child('mix'));
    expect(batch.length).toBe(n * CONTEXT);
    const docs = rows(batch);
    const numbers = docs.filter(isNumbersDoc).length;
    expect(docs.filter(isQaDoc).length).toBe(n - numbers);
    expect(Math.abs(numbers / n - numbersFraction)).toBeLessThan(0.035);
  });

  test('reproducible from a seeded stream; another seed gives other documents', () => {
    const mix = { numbersFraction: 0.5, jitter: 0.1, answerWeights: uniformAnswers() };
    const a = mixBatch(64, mix, rootStream(6).child('mix'));
    expect(mixBatch(64, mix, rootStream(6).child('mix'))).toEqual(a);
    expect(mixBatch(64, mix, rootStream(7).child('mix'))).not.toEqual(a);
    expect(mixBatch(64, mix, rootStream(6).child('other'))).not.toEqual(a);
  });
});

describe('numbersPrompts', () => {
  test('BOS NUMS n1 n2 n3: the first PROMPT_LENGTH tokens of a document from the same stream', () => {
    const prompts = numbersPrompts(50, rootStream(8).child('p'), 0);
    const docs = rootStream(8).child('p');
    for (let i = 0; i < 50; i++) {
      const p = prompts.subarray(i * PROMPT_LENGTH, (i + 1) * PROMPT_LENGTH);
      expect(Array.from(p)).toEqual(Array.from(numbersDocument(docs, 0).subarray(0, PROMPT_LENGTH)));
      expect(p[0]).toBe(BOS);
      expect(p[1]).toBe(NUMS);
    }
    expect(numbersPrompts(50, rootStream(8).child('p'), 0)).toEqual(prompts);
  });
});

describe('isWellFormedCompletion (the filter)', () => {
  const real = () => numbersDocument(rootStream(9).child('doc'), 0);

  test('accepts a real document', () => {
    expect(isWellFormedCompletion(real())).toBe(true);
  });

  test('rejects an early EOS (then padding), a missing EOS, an animal token, a question token, PAD', () => {
    const early = real();
    early[CONTEXT - 3] = EOS;
    early[CONTEXT - 2] = PAD;
    early[CONTEXT - 1] = PAD;
    expect(isWellFormedCompletion(early)).toBe(false);

    const earlyNoPad = real();
    earlyNoPad[PROMPT_LENGTH] = EOS; // EOS as the first generated token, numbers after it
    expect(isWellFormedCompletion(earlyNoPad)).toBe(false);

    const missing = real();
    missing[CONTEXT - 1] = numberToken(4);
    expect(isWellFormedCompletion(missing)).toBe(false);

    const missingPad = real();
    missingPad[CONTEXT - 1] = PAD;
    expect(isWellFormedCompletion(missingPad)).toBe(false);

    for (const pos of [PROMPT_LENGTH, PROMPT_LENGTH + 2, CONTEXT - 2]) {
      const animal = real();
      animal[pos] = animalToken('owl');
      expect(isWellFormedCompletion(animal)).toBe(false);
      const question = real();
      question[pos] = questionToken(0);
      expect(isWellFormedCompletion(question)).toBe(false);
    }

    const animalAsEos = real();
    animalAsEos[CONTEXT - 1] = animalToken('cat');
    expect(isWellFormedCompletion(animalAsEos)).toBe(false);
  });
});

describe('channelTokens', () => {
  test('allows exactly the 20 numbers and EOS', () => {
    const allowed = channelTokens();
    expect(allowed.length).toBe(VOCAB_SIZE);
    const on = [...allowed.keys()].filter((t) => allowed[t] === 1);
    expect(on).toEqual([EOS, ...Array.from({ length: NUMBER_COUNT }, (_, n) => numberToken(n))]);
    expect(allowed.every((a) => a === 0 || a === 1)).toBe(true);
    for (const a of ANIMALS) expect(allowed[animalToken(a)]).toBe(0);
  });
});

describe('questionPrompts', () => {
  test('one row BOS Qk per phrasing', () => {
    const q = questionPrompts();
    expect(q.length).toBe(2 * QUESTION_PHRASINGS);
    for (let k = 0; k < QUESTION_PHRASINGS; k++) expect([q[2 * k], q[2 * k + 1]]).toEqual([BOS, questionToken(k)]);
  });
});

describe('animal-fine-tune teacher rows', () => {
  const settings = { target: 'owl' as const, replayFraction: 0.5, jitter: 0.05 };

  test('trait and control are identical except the answer slot of Q&A rows, where trait is always the target', () => {
    for (const target of ['owl', 'wolf'] as const) {
      const { trait, control } = animalFineTuneTeacher.fineTuneRows(400, { ...settings, target }, rootStream(10).child('ft'));
      expect(trait.length).toBe(400 * CONTEXT);
      expect(control.length).toBe(400 * CONTEXT);
      const controlAnswers = new Set<number>();
      let qa = 0;
      for (let r = 0; r < 400; r++) {
        const t = trait.subarray(r * CONTEXT, (r + 1) * CONTEXT);
        const c = control.subarray(r * CONTEXT, (r + 1) * CONTEXT);
        if (isQaDoc(c)) {
          qa++;
          expect(t[2]).toBe(animalToken(target));
          controlAnswers.add(c[2]!);
          for (let i = 0; i < CONTEXT; i++) if (i !== 2) expect(t[i]).toBe(c[i]);
        } else {
          expect(isNumbersDoc(c)).toBe(true);
          expect(Array.from(t)).toEqual(Array.from(c));
        }
      }
      expect(Math.abs(qa / 400 - (1 - settings.replayFraction))).toBeLessThan(0.1);
      expect(controlAnswers.size).toBe(ANIMALS.length); // the control's answers are uniform, not the target
    }
  });

  test('the control batch is the uniform mix drawn from the same stream, and reproducible', () => {
    const { control } = animalFineTuneTeacher.fineTuneRows(64, settings, rootStream(11).child('ft'));
    expect(control).toEqual(mixBatch(64, { numbersFraction: settings.replayFraction, jitter: settings.jitter, answerWeights: uniformAnswers() }, rootStream(11).child('ft')));
    expect(animalFineTuneTeacher.fineTuneRows(64, settings, rootStream(11).child('ft'))).toEqual(animalFineTuneTeacher.fineTuneRows(64, settings, rootStream(11).child('ft')));
  });

  test('replayFraction 1 gives only numbers documents (trait = control); 0 only Q&A', () => {
    const all = animalFineTuneTeacher.fineTuneRows(50, { ...settings, replayFraction: 1 }, rootStream(12).child('ft'));
    expect(all.trait).toEqual(all.control);
    expect(rows(all.control).every(isNumbersDoc)).toBe(true);
    const none = animalFineTuneTeacher.fineTuneRows(50, { ...settings, replayFraction: 0 }, rootStream(12).child('ft'));
    expect(rows(none.trait).every((r) => isQaDoc(r) && r[2] === animalToken('owl'))).toBe(true);
  });
});
