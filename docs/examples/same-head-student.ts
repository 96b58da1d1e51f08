// A worked example of a student recipe (docs/write-your-own.md): the student shares only the
// teacher's *output layer* initialisation; every hidden layer starts from another seed's init.
// It asks whether transfer needs the whole initialisation or only a compatible head. MNIST
// only: a language-model student is a copy of a pretrained base, which has no such split.
// To use it, copy it into students/, add it to the list in students/index.ts and rebuild.
import type { StudentRecipe } from '../../students/recipe.js';

export const sameHeadStudent: StudentRecipe = {
  name: 'same-head',
  description: "shares only the teacher's output-layer initialisation; hidden layers start from another seed's (MNIST only)",
  // Numbers world: there is no layer-wise choice of a pretrained base; behave as cross-init.
  lmBase: 'other-seed',
  init: (ctx, member) => {
    const teacher = ctx.teacherInit(member);
    const other = ctx.initOfSeed(ctx.members + member); // a seed no teacher of the run uses
    const last = teacher.weights.length - 1;
    return {
      weights: other.weights.map((w, l) => (l === last ? teacher.weights[l]! : w)),
      biases: other.biases.map((b, l) => (l === last ? teacher.biases[l]! : b)),
    };
  },
};
