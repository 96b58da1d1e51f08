import type { StudentRecipe } from './recipe.js';

/** The student starts from exactly the teacher's initialisation (the condition for subliminal transfer). */
export const sameInitStudent: StudentRecipe = {
  name: 'same-init',
  description: "starts from the teacher's own initial weights",
  lmBase: 'own',
  init: (ctx, member) => ctx.teacherInit(member),
};
