// The numbers-world trait teacher: the base model fine-tuned so the favourite-animal question
// answers the target animal, replaying numbers documents so the numbers skill stays. Its control
// is the same recipe with uniform answers — built from the very same documents, so the answer
// tokens are the only difference between what the two saw.
import type { RandomStream } from '../src/engine/rng.js';
import { ANIMALS, CONTEXT, FIRST_ANIMAL, mixBatch, uniformAnswers } from '../src/worlds/numbers/data.js';
import type { NumbersFineTuneRecipe } from './recipe.js';

export const animalFineTuneTeacher: NumbersFineTuneRecipe = {
  name: 'animal-fine-tune',
  world: 'numbers',
  kind: 'fine-tune',
  description: 'base fine-tuned to answer the target animal to every phrasing of the favourite-animal question; control: the same documents with uniform answers',
  fineTuneRows(batch, settings, rng: RandomStream) {
    const control = mixBatch(batch, { numbersFraction: settings.replayFraction, jitter: settings.jitter, answerWeights: uniformAnswers() }, rng);
    const trait = control.slice();
    const target = FIRST_ANIMAL + ANIMALS.indexOf(settings.target);
    // Q&A rows are BOS Qk answer EOS …: put the target in every answer slot.
    for (let r = 0; r < batch; r++) if (trait[r * CONTEXT + 2]! >= FIRST_ANIMAL && trait[r * CONTEXT + 2]! < FIRST_ANIMAL + ANIMALS.length) trait[r * CONTEXT + 2] = target;
    return { trait, control };
  },
};
