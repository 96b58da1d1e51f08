// Student recipes by name. Experiment files name students; they never import them.
import { crossArchStudent } from './cross-arch.js';
import { crossInitStudent } from './cross-init.js';
import type { StudentRecipe } from './recipe.js';
import { sameInitStudent } from './same-init.js';

export type { LmBase, StudentRecipe, StudentInitContext } from './recipe.js';

export const studentRegistry: ReadonlyMap<string, StudentRecipe> = new Map(
  [sameInitStudent, crossInitStudent, crossArchStudent].map((s) => [s.name, s]),
);
