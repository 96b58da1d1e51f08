// The numbers world (Cloud et al.'s number sequences) as one descriptor: a small language model
// pretrained on numbers and animal questions, a teacher that loves an animal, students distilled
// through the channel on number sequences only, the trait read by probes. Registered in
// src/registry/worlds.ts.
import type { NumbersTeacherRecipe } from '../../../teachers/index.js';
import { NUMBERS_RESERVED_ARMS, type NumbersReservedArm } from '../../config/claims.js';
import { ConfigError } from '../../config/errors.js';
import { checkStudents, checkTeacher } from '../recipe-check.js';
import { defineWorld } from '../world.js';
import { numbersCharts } from './charts.js';
import { pretrainNumbersBases, runNumbersExperiment, type NumbersRunSummary } from './experiment.js';
import { numbersSummarySchema } from './report-summary.js';
import { numbersResultsTable } from './results-table.js';
import type { NumbersExperiment } from './schema.js';
import { numbersExperimentSchema } from './schema.js';
import { formatNumbersTable } from './table.js';

const STAGE_FIELDS = ['steps', 'batchSize', 'learningRate'] as const;

/** A fine-tune teacher needs its stage settings; a persona teacher trains nothing and needs personas in pretraining. */
function checkTeacherStage(exp: NumbersExperiment, kind: NumbersTeacherRecipe['kind']): void {
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

const isReserved = (name: string): name is NumbersReservedArm => Object.hasOwn(NUMBERS_RESERVED_ARMS, name);
const armNames = (exp: NumbersExperiment): string[] => exp.arms.map((a) => a.name);

export const numbersWorld = defineWorld({
  name: 'numbers',
  label: 'numbers',
  description: 'number sequences: a teacher that loves an animal writes numbers; do students distilled on them come to love it too?',
  schema: numbersExperimentSchema,
  check(exp: NumbersExperiment) {
    const teacher = checkTeacher('numbers', exp.teacher.name);
    if (teacher.world === 'numbers') checkTeacherStage(exp, teacher.kind);
    checkStudents(exp.arms);
  },
  run: runNumbersExperiment,
  pretrain: (exp, hooks, outDir, jobs) => pretrainNumbersBases(exp, hooks, outDir, jobs),
  // Every arm trains, logs under its name and is checkpointed.
  taskNames: armNames,
  loggingArms: armNames,
  sharedStages: ['pretrain', 'pretrain-other-seed', 'pretrain-other-arch', 'teacher'],
  unshardable: null,
  table: formatNumbersTable,
  report: { summarySchema: numbersSummarySchema, charts: numbersCharts, resultsTable: numbersResultsTable },
  claimSeries(summary: NumbersRunSummary, operand) {
    const arm = summary.arms.find((a) => a.name === operand.arm);
    if (!arm && isReserved(operand.arm) && operand.metric === 'trait') return summary[NUMBERS_RESERVED_ARMS[operand.arm]].trait;
    const values = arm?.[operand.metric as keyof typeof arm];
    return Array.isArray(values) ? (values as number[]) : undefined;
  },
  pairedMembers: true,
});
