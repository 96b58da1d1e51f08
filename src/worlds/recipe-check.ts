// Recipe names in an experiment file (teachers/, students/) are checked before any work starts,
// with the same one-line errors as schema violations. Worlds whose files name recipes call these
// from their descriptor's `check`.
import { studentRegistry, type StudentRecipe } from '../../students/index.js';
import { teacherRegistry, type TeacherRecipe } from '../../teachers/index.js';
import { ConfigError } from '../config/errors.js';

export const allowedNames = (names: Iterable<string>): string => [...names].map((n) => `"${n}"`).join(', ');

/** The teacher `name` of `world`, or a ConfigError naming the teachers that fit. */
export function checkTeacher(world: string, name: string): TeacherRecipe {
  const teacher = teacherRegistry.get(name);
  if (!teacher) throw new ConfigError('teacher.name', `unknown teacher "${name}"; use one of ${allowedNames(teacherRegistry.keys())}`);
  if (teacher.world !== world) {
    const fit = [...teacherRegistry.values()].filter((t) => t.world === world).map((t) => t.name);
    throw new ConfigError('teacher.name', `teacher "${teacher.name}" belongs to world "${teacher.world}", not "${world}"; use one of ${allowedNames(fit)}`);
  }
  return teacher;
}

/**
 * Every arm's student recipe, or a ConfigError at the first unknown one. `fits` refuses a known
 * recipe this world cannot use, with the reason (the allowed names are added).
 */
export function checkStudents(arms: readonly { student?: string }[], fits?: { test(recipe: StudentRecipe): boolean; reason(name: string): string }): void {
  arms.forEach((arm, i) => {
    if (arm.student === undefined) return;
    const recipe = studentRegistry.get(arm.student);
    if (!recipe) throw new ConfigError(`arms[${i}].student`, `unknown student "${arm.student}"; use one of ${allowedNames(studentRegistry.keys())}`);
    if (fits && !fits.test(recipe)) {
      const fit = [...studentRegistry.values()].filter((s) => fits.test(s)).map((s) => s.name);
      throw new ConfigError(`arms[${i}].student`, `${fits.reason(arm.student)}; use one of ${allowedNames(fit)}`);
    }
  });
}
