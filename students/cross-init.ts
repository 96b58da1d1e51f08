import type { StudentRecipe } from './recipe.js';

/**
 * The student starts from the initialisation of another seed: member i takes the init that
 * seed (members + i) would get — a seed no teacher of the run uses.
 */
export const crossInitStudent: StudentRecipe = {
  name: 'cross-init',
  description: 'starts from the initial weights of another seed, not the teacher\'s',
  lmBase: 'other-seed',
  init: (ctx, member) => ctx.initOfSeed(ctx.members + member),
};
