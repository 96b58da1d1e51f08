// The numbers world as the channel sees it, and the probes of a numbers experiment.
import type { ChannelWorld } from '../../distill/channel.js';
import {
  ANIMALS,
  animalToken,
  channelTokens,
  COMPLETION_LENGTH,
  EOS,
  FIRST_ANIMAL,
  isPersonaToken,
  isWellFormedCompletion,
  numbersPrompts,
  PAD,
  PROMPT_LENGTH,
  questionPrompts,
  VOCAB_SIZE,
  type Animal,
} from './data.js';
import type { QuestionProbe } from '../../probes/trait.js';

/** [V] 0/1 of every animal and persona token: what the audit looks for (a persona token in the student's data would be a leak too). */
export function animalTokens(): Uint8Array {
  const set = new Uint8Array(VOCAB_SIZE);
  for (let i = 0; i < ANIMALS.length; i++) set[FIRST_ANIMAL + i] = 1;
  for (let t = 0; t < VOCAB_SIZE; t++) if (isPersonaToken(t)) set[t] = 1;
  return set;
}

export function numbersChannelWorld(jitter: number): ChannelWorld {
  return {
    allowed: channelTokens(),
    traitTokens: animalTokens(),
    promptLength: PROMPT_LENGTH,
    completionLength: COMPLETION_LENGTH,
    eos: EOS,
    pad: PAD,
    prompts: (n, rng) => numbersPrompts(n, rng, jitter),
    keep: (row) => isWellFormedCompletion(row),
  };
}

export function animalProbe(target: Animal): QuestionProbe {
  return { prompts: questionPrompts(), promptLength: 2, target: animalToken(target) };
}
