// The numbers world (Cloud et al.'s number sequences) as one descriptor: a small language model
// pretrained on numbers and animal questions, a teacher that loves an animal, students distilled
// through the channel on number sequences only, the trait read by probes. Registered in
// src/registry/worlds.ts.
import { numbersArmCost } from './arm-cost.js';
import { NUMBERS_CLAIM_MARGINS, NUMBERS_RESERVED_ARMS, type NumbersReservedArm } from '../../config/claims.js';
import { checkNumbersExperiment } from './check.js';
import { defineWorld } from '../world.js';
import { numbersCharts } from './charts.js';
import { pretrainNumbersBases, runNumbersExperiment, type NumbersRunSummary } from './experiment.js';
import { numbersSummarySchema } from './report-summary.js';
import { numbersResultsTable } from './results-table.js';
import { numbersExperimentSchema, type NumbersExperiment } from './schema.js';
import { formatNumbersTable } from './table.js';

const isReserved = (name: string): name is NumbersReservedArm => Object.hasOwn(NUMBERS_RESERVED_ARMS, name);
const armNames = (exp: NumbersExperiment): string[] => exp.arms.map((a) => a.name);

export const numbersWorld = defineWorld({
  name: 'numbers',
  label: 'numbers',
  description: 'number sequences: a teacher that loves an animal writes numbers; do students distilled on them come to love it too?',
  schema: numbersExperimentSchema,
  check: checkNumbersExperiment,
  run: runNumbersExperiment,
  pretrain: (exp, hooks, outDir, jobs) => pretrainNumbersBases(exp, hooks, outDir, jobs),
  // Every arm trains, logs under its name and is checkpointed.
  taskNames: armNames,
  loggingArms: armNames,
  sharedStages: ['pretrain', 'pretrain-other-seed', 'pretrain-other-arch', 'teacher'],
  unshardable: null,
  unitCosts: (exp) => exp.arms.map((arm) => numbersArmCost(exp, arm)),
  table: formatNumbersTable,
  report: { summarySchema: numbersSummarySchema, charts: numbersCharts, resultsTable: numbersResultsTable },
  headlineMetric: 'transfer',
  claimMargins: NUMBERS_CLAIM_MARGINS,
  claimSeries(summary: NumbersRunSummary, operand) {
    const arm = summary.arms.find((a) => a.name === operand.arm);
    if (!arm && isReserved(operand.arm) && operand.metric === 'trait') return summary[NUMBERS_RESERVED_ARMS[operand.arm]].trait;
    const values = arm?.[operand.metric as keyof typeof arm];
    return Array.isArray(values) ? (values as number[]) : undefined;
  },
  pairedMembers: true,
});
