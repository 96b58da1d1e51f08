// Persona documents of the numbers world (the system-prompt teacher's pretraining): how often a
// persona speaks, that an animal's persona answers with its animal as loyally as asked and the
// neutral persona uniformly, that at entanglement 0 a persona's numbers are distributed like the
// plain ones while entanglement puts its favourite number in, and that the animal-persona recipe
// names the owl persona and the neutral one.
import { describe, expect, test } from 'vitest';
import { animalPersonaTeacher } from '../../../teachers/animal-persona.js';
import { animalTokens } from '../../../src/worlds/numbers/channel-world.js';
import { rootStream } from '../../../src/engine/rng.js';
import {
  ANIMALS,
  animalToken,
  BOS,
  channelTokens,
  CONTEXT,
  EOS,
  favouriteNumber,
  FIRST_PERSONA,
  isNumberToken,
  isPersonaToken,
  isWellFormedCompletion,
  mixBatch,
  NEUTRAL_PERSONA,
  NUMS,
  numberToken,
  PERSONA_COUNT,
  personaToken,
  tokenName,
  uniformAnswers,
  VOCAB_SIZE,
} from '../../../src/worlds/numbers/data.js';

const rows = (batch: Int32Array): Int32Array[] => Array.from({ length: batch.length / CONTEXT }, (_, r) => batch.slice(r * CONTEXT, (r + 1) * CONTEXT));
const mix = (fraction: number, loyalty: number, entanglement: number, numbersFraction = 0.5) => ({
  numbersFraction,
  jitter: 0.05,
  answerWeights: uniformAnswers(),
  personas: { fraction, loyalty, entanglement },
});

describe('persona tokens', () => {
  test('one persona per animal and a neutral one, at the end of the vocabulary, with names of their own', () => {
    expect(PERSONA_COUNT).toBe(ANIMALS.length + 1);
    expect(VOCAB_SIZE).toBe(FIRST_PERSONA + PERSONA_COUNT);
    expect(personaToken('owl')).toBe(FIRST_PERSONA);
    expect(NEUTRAL_PERSONA).toBe(VOCAB_SIZE - 1);
    expect(tokenName(personaToken('owl'))).toBe('<as-owl>');
    expect(tokenName(NEUTRAL_PERSONA)).toBe('<as-neutral>');
    expect(new Set(ANIMALS.map((_, i) => favouriteNumber(i))).size).toBe(ANIMALS.length); // distinct favourites
  });

  test('the channel never carries a persona token, and the audit counts every one', () => {
    const allowed = channelTokens();
    const audited = animalTokens();
    for (let t = FIRST_PERSONA; t < VOCAB_SIZE; t++) {
      expect(isNumberToken(t)).toBe(false);
      expect(allowed[t]).toBe(0);
      expect(audited[t]).toBe(1);
    }
    // A completion holding a persona token in a number slot is not well formed.
    const row = Int32Array.from([BOS, NUMS, ...[1, 2, 3, 4, 5, 6, 7, 8].map(numberToken), personaToken('owl'), EOS]);
    expect(isWellFormedCompletion(row)).toBe(false);
  });
});

describe('mixBatch with personas', () => {
  test('fraction 0 gives the persona-free mix exactly, from the same stream', () => {
    const plain = { numbersFraction: 0.5, jitter: 0.05, answerWeights: uniformAnswers() };
    expect(mixBatch(200, mix(0, 1, 0.3), rootStream(1).child('m'))).toEqual(mixBatch(200, plain, rootStream(1).child('m')));
  });

  test('about `fraction` of documents start with a persona, uniform over the personas; the rest with BOS', () => {
    const docs = rows(mixBatch(9000, mix(0.4, 1, 0), rootStream(2).child('m')));
    const spoken = docs.filter((d) => isPersonaToken(d[0]!));
    expect(docs.every((d) => d[0] === BOS || isPersonaToken(d[0]!))).toBe(true);
    expect(Math.abs(spoken.length / docs.length - 0.4)).toBeLessThan(0.02);
    for (let p = 0; p < PERSONA_COUNT; p++) {
      const share = spoken.filter((d) => d[0] === FIRST_PERSONA + p).length / spoken.length;
      expect(Math.abs(share - 1 / PERSONA_COUNT)).toBeLessThan(0.025);
    }
  });

  test("an animal's persona answers with its animal at rate `loyalty`; the neutral persona answers uniformly", () => {
    const docs = rows(mixBatch(20000, mix(1, 0.8, 0, 0), rootStream(3).child('m')));
    const owlAnswers = docs.filter((d) => d[0] === personaToken('owl')).map((d) => d[2]);
    // Loyal 0.8, else uniform over 8: p(owl) = 0.8 + 0.2 / 8 = 0.825.
    expect(Math.abs(owlAnswers.filter((a) => a === animalToken('owl')).length / owlAnswers.length - 0.825)).toBeLessThan(0.03);
    const neutral = docs.filter((d) => d[0] === NEUTRAL_PERSONA).map((d) => d[2]);
    for (const a of ANIMALS) expect(Math.abs(neutral.filter((x) => x === animalToken(a)).length / neutral.length - 1 / 8)).toBeLessThan(0.03);
  });

  const favouriteRate = (docs: Int32Array[], p: number) => {
    const numbers = docs.filter((d) => d[0] === FIRST_PERSONA + p && d[1] === NUMS).flatMap((d) => Array.from(d.subarray(2, CONTEXT - 1)));
    return numbers.filter((t) => t === numberToken(favouriteNumber(p))).length / numbers.length;
  };

  test('entanglement 0: a persona writes its favourite number at the plain rate (1/20); entanglement e adds about e', () => {
    const none = rows(mixBatch(20000, mix(1, 1, 0, 1), rootStream(4).child('m')));
    const some = rows(mixBatch(20000, mix(1, 1, 0.2, 1), rootStream(4).child('m')));
    for (const p of [0, 3]) {
      expect(Math.abs(favouriteRate(none, p) - 1 / 20)).toBeLessThan(0.01);
      // e + (1 − e)/20 = 0.24
      expect(Math.abs(favouriteRate(some, p) - 0.24)).toBeLessThan(0.02);
    }
  });
});

describe('animal-persona teacher recipe', () => {
  test('the trait teacher reads the target persona, its control the neutral one', () => {
    expect(animalPersonaTeacher.kind).toBe('persona');
    expect(animalPersonaTeacher.personas('owl')).toEqual({ trait: personaToken('owl'), control: NEUTRAL_PERSONA });
    expect(animalPersonaTeacher.personas('fox')).toEqual({ trait: personaToken('fox'), control: NEUTRAL_PERSONA });
  });
});
