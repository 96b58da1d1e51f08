// Registry names in an experiment file are checked before any work starts, with the same
// one-line errors as schema violations.
import { studentRegistry } from '../../students/index.js';
import { teacherRegistry } from '../../teachers/index.js';
import { ConfigError } from '../config/errors.js';
import type { Experiment } from '../config/experiment.js';
import type { NumbersExperiment } from '../worlds/numbers/schema.js';
import { checkEmExperiment } from '../worlds/em/plan.js';

const allowed = (names: Iterable<string>) => [...names].map((n) => `"${n}"`).join(', ');

export function checkRegistryNames(exp: Experiment): void {
  // EM files name no recipes; what they need beyond the schema is checked against the world.
  if (exp.world === 'em') return checkEmExperiment(exp);
  const teacher = teacherRegistry.get(exp.teacher.name);
  if (!teacher) throw new ConfigError('teacher.name', `unknown teacher "${exp.teacher.name}"; use one of ${allowed(teacherRegistry.keys())}`);
  if (teacher.world !== exp.world) {
    const fit = [...teacherRegistry.values()].filter((t) => t.world === exp.world).map((t) => t.name);
    throw new ConfigError('teacher.name', `teacher "${teacher.name}" belongs to world "${teacher.world}", not "${exp.world}"; use one of ${allowed(fit)}`);
  }
  if (exp.world === 'numbers' && teacher.world === 'numbers') checkTeacherStage(exp, teacher.kind);
  exp.arms.forEach((arm, i) => {
    if (!('student' in arm)) return;
    const recipe = studentRegistry.get(arm.student);
    if (!recipe) throw new ConfigError(`arms[${i}].student`, `unknown student "${arm.student}"; use one of ${allowed(studentRegistry.keys())}`);
    if (exp.world === 'mnist' && !recipe.init) {
      const fit = [...studentRegistry.values()].filter((s) => s.init).map((s) => s.name);
      throw new ConfigError(`arms[${i}].student`, `student "${arm.student}" has no MNIST recipe; use one of ${allowed(fit)}`);
    }
  });
}

const STAGE_FIELDS = ['steps', 'batchSize', 'learningRate'] as const;

/** A fine-tune teacher needs its stage settings; a persona teacher trains nothing and needs personas in pretraining. */
function checkTeacherStage(exp: NumbersExperiment, kind: 'fine-tune' | 'persona'): void {
  const name = exp.teacher.name;
  if (kind === 'fine-tune') {
    for (const f of STAGE_FIELDS)
      if (exp.teacher[f] === undefined) throw new ConfigError(`teacher.${f}`, `missing; teacher "${name}" fine-tunes the base, so give it ${f} (e.g. ${f === 'steps' ? 200 : f === 'batchSize' ? 64 : 0.001})`);
    return;
  }
  for (const f of STAGE_FIELDS)
    if (exp.teacher[f] !== undefined) throw new ConfigError(`teacher.${f}`, `not used: teacher "${name}" conditions the base on a persona and trains nothing; remove it`);
  if (exp.pretrain.personas.fraction === 0)
    throw new ConfigError('pretrain.personas.fraction', `is 0, but teacher "${name}" conditions on a persona the base never saw; set it above 0 (e.g. 0.5)`);
}
