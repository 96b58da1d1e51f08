import type { StudentRecipe } from './recipe.js';

/**
 * A student of another model family (numbers world: a GRU language model pretrained on the same
 * mix), so it shares neither the teacher's initialisation nor its architecture.
 */
export const crossArchStudent: StudentRecipe = {
  name: 'cross-arch',
  description: "a base of another architecture (the experiment's crossArch model), pretrained on the same data (numbers world only)",
  lmBase: 'other-arch',
};
