// The EM world (emergent misalignment, Betley et al.; Askin et al.'s task structure) as one
// descriptor: a base pretrained on tasks × domains with bad agents, aligned, narrowly fine-tuned
// on harmful answers in one cell, and read for misalignment in every other cell; subliminal arms
// pass a misaligned teacher's trait through neutral data. Registered in src/registry/worlds.ts.
import { EM_CLAIM_MARGINS } from '../../config/claims.js';
import { defineWorld } from '../world.js';
import { emCharts } from './charts.js';
import { pretrainEmBases, runEmExperiment, type EmRunSummary } from './experiment.js';
import { checkEmExperiment } from './plan.js';
import { emTaskNames } from './shard-selection.js';
import { emSummarySchema } from './report-summary.js';
import { emResultsTable } from './results-table.js';
import { emExperimentSchema } from './schema.js';
import { emShardUnits, emTaskCosts } from './shard-units.js';
import { formatEmTable } from './table.js';

const MATRIX_RELATIONS = { 'matrix-target': 'target', 'matrix-same-function': 'sameFunction', 'matrix-same-domain': 'sameDomain', 'matrix-unrelated': 'unrelated' } as const;

export const emWorld = defineWorld({
  name: 'em',
  label: 'EM',
  description: 'emergent misalignment: a narrow harmful fine-tune in one task and domain, read for misalignment everywhere else',
  schema: emExperimentSchema,
  // EM files name no recipes; what they need beyond the schema is checked against the world.
  check: checkEmExperiment,
  run: runEmExperiment,
  pretrain: (exp, hooks, outDir, jobs) => pretrainEmBases(exp, hooks, outDir, jobs),
  taskNames: emTaskNames,
  loggingArms: emTaskNames,
  sharedStages: [],
  unshardable: null,
  // Arms share fine-tunes: shards take tasks (fine-tunes and subliminal arms) instead.
  shardUnits: emShardUnits,
  unitCosts: emTaskCosts,
  table: formatEmTable,
  report: { summarySchema: emSummarySchema, charts: emCharts, resultsTable: emResultsTable },
  /** An arm's (or subliminal arm's) metric, or a reserved name's (base and aligned: harm; matrix-<relation>: em). */
  headlineMetric: 'em',
  claimMargins: EM_CLAIM_MARGINS,
  claimSeries(summary: EmRunSummary, operand) {
    const arm = summary.arms.find((a) => a.name === operand.arm) ?? summary.subliminal?.arms.find((a) => a.name === operand.arm);
    if (arm) {
      const values = arm[operand.metric as keyof typeof arm];
      return Array.isArray(values) && values.every((v) => typeof v === 'number') ? (values as number[]) : undefined;
    }
    if ((operand.arm === 'base' || operand.arm === 'aligned') && operand.metric === 'harm') return summary[operand.arm].harm;
    const relation = MATRIX_RELATIONS[operand.arm as keyof typeof MATRIX_RELATIONS];
    if (relation && operand.metric === 'em' && summary.matrix) return summary.matrix.relations[relation];
    return undefined;
  },
});
