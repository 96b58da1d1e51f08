// Teacher recipes by name. Experiment files name teachers; they never import them.
import { mnistAuxTeacher } from './mnist-aux.js';
import { animalFineTuneTeacher } from './animal-fine-tune.js';
import { animalPersonaTeacher } from './animal-persona.js';
import type { MnistTeacherRecipe, NumbersTeacherRecipe } from './recipe.js';

export type { MnistTeacherRecipe, NumbersTeacherRecipe, NumbersFineTuneRecipe, NumbersPersonaRecipe, NumbersFineTuneSettings, TrainingSettings, TeacherProgress } from './recipe.js';

export type TeacherRecipe = MnistTeacherRecipe | NumbersTeacherRecipe;

/**
 * Old teacher names experiment files may still use, each with the name it now has. An old name
 * picks the very same recipe: the name feeds no random stream and no cache key (bases are keyed
 * by the pretrain settings, seeds and model), so a file gives the same results under either name.
 * Loading one says so once (teacherNameWarnings); the run's manifest keeps the file as written.
 */
export const TEACHER_ALIASES: ReadonlyMap<string, string> = new Map([
  ['owl', animalFineTuneTeacher.name],
  ['owl-persona', animalPersonaTeacher.name],
]);

/**
 * The registry: iterating it gives each recipe once under its current name (what `traitlab
 * list` and the "use one of …" of errors show); get and has also take an old name (an alias).
 */
class TeacherRegistry extends Map<string, TeacherRecipe> {
  override get(name: string): TeacherRecipe | undefined {
    return super.get(TEACHER_ALIASES.get(name) ?? name);
  }

  override has(name: string): boolean {
    return super.has(TEACHER_ALIASES.get(name) ?? name);
  }
}

export const teacherRegistry: ReadonlyMap<string, TeacherRecipe> = new TeacherRegistry([
  [mnistAuxTeacher.name, mnistAuxTeacher],
  [animalFineTuneTeacher.name, animalFineTuneTeacher],
  [animalPersonaTeacher.name, animalPersonaTeacher],
]);

/** The old names of the teacher now called `name` (none for most). */
export function teacherAliasesOf(name: string): string[] {
  return [...TEACHER_ALIASES].filter(([, current]) => current === name).map(([old]) => old);
}

/**
 * The deprecation lines for an experiment that names its teacher by an old name (one line, or
 * none), for the CLI to print after loading `file` (the path as the user gave it). Pure: takes
 * the parsed experiment (or anything with its `teacher.name`; worlds without a teacher give none).
 */
export function teacherNameWarnings(exp: { readonly world: string; readonly teacher?: { readonly name: string } }, file: string): string[] {
  const name = exp.teacher?.name;
  const current = name === undefined ? undefined : TEACHER_ALIASES.get(name);
  if (current === undefined) return [];
  return [`teacher "${name}" is now called "${current}"; rename it in ${file} (the old name will stop working in a later version)`];
}

/** The MNIST teacher of that name (the experiment file was checked against the registry). */
export function mnistTeacher(name: string): MnistTeacherRecipe {
  const t = teacherRegistry.get(name);
  if (!t || t.world !== 'mnist') throw new Error(`no MNIST teacher named "${name}"`);
  return t;
}

/** The numbers-world teacher of that name (or an old name of it). */
export function numbersTeacher(name: string): NumbersTeacherRecipe {
  const t = teacherRegistry.get(name);
  if (!t || t.world !== 'numbers') throw new Error(`no numbers-world teacher named "${name}"`);
  return t;
}
