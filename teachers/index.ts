// Teacher recipes by name. Experiment files name teachers; they never import them.
import { mnistAuxTeacher } from './mnist-aux.js';
import { owlTeacher } from './owl.js';
import { owlPersonaTeacher } from './owl-persona.js';
import type { MnistTeacherRecipe, NumbersTeacherRecipe } from './recipe.js';

export type { MnistTeacherRecipe, NumbersTeacherRecipe, NumbersFineTuneRecipe, NumbersPersonaRecipe, NumbersFineTuneSettings, TrainingSettings, TeacherProgress } from './recipe.js';

export type TeacherRecipe = MnistTeacherRecipe | NumbersTeacherRecipe;

export const teacherRegistry: ReadonlyMap<string, TeacherRecipe> = new Map<string, TeacherRecipe>([
  [mnistAuxTeacher.name, mnistAuxTeacher],
  [owlTeacher.name, owlTeacher],
  [owlPersonaTeacher.name, owlPersonaTeacher],
]);

/** The MNIST teacher of that name (the experiment file was checked against the registry). */
export function mnistTeacher(name: string): MnistTeacherRecipe {
  const t = teacherRegistry.get(name);
  if (!t || t.world !== 'mnist') throw new Error(`no MNIST teacher named "${name}"`);
  return t;
}

/** The numbers-world teacher of that name. */
export function numbersTeacher(name: string): NumbersTeacherRecipe {
  const t = teacherRegistry.get(name);
  if (!t || t.world !== 'numbers') throw new Error(`no numbers-world teacher named "${name}"`);
  return t;
}
