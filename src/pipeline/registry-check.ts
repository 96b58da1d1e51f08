// Registry names in an experiment file are checked before any work starts, with the same
// one-line errors as schema violations.
import { studentRegistry } from '../../students/index.js';
import { teacherRegistry } from '../../teachers/index.js';
import { ConfigError } from '../config/errors.js';
import type { Experiment } from '../config/experiment.js';

const allowed = (names: Iterable<string>) => [...names].map((n) => `"${n}"`).join(', ');

export function checkRegistryNames(exp: Experiment): void {
  const teacher = teacherRegistry.get(exp.teacher.name);
  if (!teacher) throw new ConfigError('teacher.name', `unknown teacher "${exp.teacher.name}"; use one of ${allowed(teacherRegistry.keys())}`);
  if (teacher.world !== exp.world) throw new ConfigError('teacher.name', `teacher "${teacher.name}" belongs to world "${teacher.world}", not "${exp.world}"`);
  exp.arms.forEach((arm, i) => {
    if (arm.kind === 'student' && !studentRegistry.has(arm.student))
      throw new ConfigError(`arms[${i}].student`, `unknown student "${arm.student}"; use one of ${allowed(studentRegistry.keys())}`);
  });
}
