// Teacher recipes by name. Experiment files name teachers; they never import them.
import { mnistAuxTeacher } from './mnist-aux.js';
import type { MnistTeacherRecipe } from './recipe.js';

export type { MnistTeacherRecipe, TrainingSettings, TeacherProgress } from './recipe.js';

export const teacherRegistry: ReadonlyMap<string, MnistTeacherRecipe> = new Map([[mnistAuxTeacher.name, mnistAuxTeacher]]);
