// The numbers world's checks beyond its schema: the teacher and students are registered
// recipes, and a teacher's stage settings fit its kind. Browser-safe: the lab checks an imported
// file with it, as `traitlab run` does.
import type { NumbersTeacherRecipe } from '../../../teachers/index.js';
import { ConfigError } from '../../config/errors.js';
import { checkStudents, checkTeacher } from '../recipe-check.js';
import type { NumbersExperiment } from './schema.js';

const STAGE_FIELDS = ['steps', 'batchSize', 'learningRate'] as const;

/** A fine-tune teacher needs its stage settings; a persona teacher trains nothing and needs personas in pretraining. */
function checkTeacherStage(exp: NumbersExperiment, kind: NumbersTeacherRecipe['kind']): void {
  const name = exp.teacher.name;
  if (kind === 'fine-tune') {
    for (const f of STAGE_FIELDS)
      if (exp.teacher[f] === undefined) throw new ConfigError(`teacher.${f}`, `missing; teacher "${name}" fine-tunes the base, so give it ${f} (e.g. ${f === 'steps' ? 200 : f === 'batchSize' ? 64 : 0.001})`);
    const noPersona = `not used: teacher "${name}" has one control (fine-tuned on uniform answers), not a persona; remove it (a persona control needs a persona teacher such as "animal-persona")`;
    if (exp.teacher.control !== undefined) throw new ConfigError('teacher.control', noPersona);
    const i = exp.arms.findIndex((a) => a.control !== undefined);
    if (i >= 0) throw new ConfigError(`arms[${i}].control`, noPersona);
    return;
  }
  for (const f of STAGE_FIELDS)
    if (exp.teacher[f] !== undefined) throw new ConfigError(`teacher.${f}`, `not used: teacher "${name}" conditions the base on a persona and trains nothing; remove it`);
  if (exp.pretrain.personas.fraction === 0)
    throw new ConfigError('pretrain.personas.fraction', `is 0, but teacher "${name}" conditions on a persona the base never saw; set it above 0 (e.g. 0.5)`);
}

/** Throws the ConfigError of the first problem. */
export function checkNumbersExperiment(exp: NumbersExperiment): void {
  const teacher = checkTeacher('numbers', exp.teacher.name);
  if (teacher.world === 'numbers') checkTeacherStage(exp, teacher.kind);
  checkStudents(exp.arms);
}
