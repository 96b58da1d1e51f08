// The MNIST world (Cloud et al.'s auxiliary-logit experiment) as one descriptor: an MLP teacher
// trained on digits, students distilled on its auxiliary logits over uniform noise, accuracy
// on held-out digits. Registered in src/registry/worlds.ts.
import { ConfigError } from '../../config/errors.js';
import { checkStudents, checkTeacher } from '../recipe-check.js';
import { MNIST_CLAIM_MARGINS } from '../../config/claims.js';
import { defineWorld } from '../world.js';
import { MNIST_METRIC_RANGES, mnistCharts } from './charts.js';
import { runMnistExperiment } from './experiment.js';
import { mnistSummarySchema } from './report-summary.js';
import { mnistResultsTable } from './results-table.js';
import { mnistExperimentSchema, type MnistExperiment } from './schema.js';
import { formatMnistTable } from './table.js';

/** The student arms: the only arms that train, log and are checkpointed (reference and teacher arms come with the teacher). */
const studentArms = (exp: MnistExperiment): string[] => exp.arms.filter((a) => a.kind === 'student').map((a) => a.name);

export const mnistWorld = defineWorld({
  name: 'mnist',
  label: 'MNIST',
  description: 'MNIST auxiliary logits: a digit classifier teaches, through logits it was never trained on, students that see only noise',
  schema: mnistExperimentSchema,
  check(exp) {
    checkTeacher('mnist', exp.teacher.name);
    // A CNN student reads one input batch shared by every member; per-seed noise needs the MLP's per-member path.
    const cnn = exp.seedsVary === 'init-and-data' ? exp.arms.findIndex((a) => a.kind === 'student' && a.cnn !== undefined) : -1;
    if (cnn !== -1) throw new ConfigError(`arms[${cnn}].cnn`, 'a CNN student cannot take per-seed data (seedsVary "init-and-data") yet; use seedsVary "init" or an MLP student');
    checkStudents(exp.arms.map((a) => (a.kind === 'student' ? { student: a.student } : {})), {
      test: (recipe) => recipe.init !== undefined,
      reason: (name) => `student "${name}" has no MNIST recipe`,
    });
  },
  run: runMnistExperiment,
  taskNames: studentArms,
  loggingArms: studentArms,
  sharedStages: ['teacher'],
  unshardable: null,
  table: formatMnistTable,
  report: { summarySchema: mnistSummarySchema, charts: mnistCharts, resultsTable: mnistResultsTable },
  headlineMetric: 'accuracy',
  claimMargins: MNIST_CLAIM_MARGINS,
  claimSeries(summary, operand) {
    const arm = summary.arms.find((a) => a.name === operand.arm);
    return arm && operand.metric === 'accuracy' ? arm.accuracy : undefined;
  },
  metricRanges: MNIST_METRIC_RANGES,
});
