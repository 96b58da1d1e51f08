// The numbers-world persona teacher (the system-prompt teacher of Cloud et al.): the base itself,
// reading every row with the target animal's persona token where BOS stands. Pretraining taught
// the base that this persona answers the preference question with its animal, so the teacher
// has the trait without any fine-tune. Its control reads the same rows as the neutral persona,
// who answers uniformly — the persona token is the only difference between the two — or, as a
// tighter control, as another animal's persona, which differs only in which animal it loves.
import { NEUTRAL_PERSONA, personaToken } from '../src/worlds/numbers/data.js';
import type { NumbersPersonaRecipe } from './recipe.js';

export const animalPersonaTeacher: NumbersPersonaRecipe = {
  name: 'animal-persona',
  world: 'numbers',
  kind: 'persona',
  description: "the base conditioned on the target animal's persona token in place of BOS (needs pretrain.personas.fraction > 0); control: the neutral persona, or another animal's (teacher.control)",
  personas: (target, control = 'neutral') => ({ trait: personaToken(target), control: control === 'neutral' ? NEUTRAL_PERSONA : personaToken(control) }),
};
