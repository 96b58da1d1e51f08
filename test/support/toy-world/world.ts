// The toy world's descriptor: schema, run, table, report and claim series, the whole of what a
// world gives the registry. Registered by the test that uses it, in one line.
import { z } from 'zod';
import { activeBackend } from '../../../src/engine/backend.js';
import { interval } from '../../../src/plot/chart-def.js';
import { fixed, meanPm } from '../../../src/plot/format.js';
import { cell, head } from '../../../src/plot/html-table.js';
import { intervalBarsSpec } from '../../../src/plot/interval-bars.js';
import { commonSummaryFields, stats, value } from '../../../src/plot/summary-fields.js';
import { meanCi, type MeanCi } from '../../../src/probes/stats.js';
import { runArmTasks } from '../../../src/run/pool/arm-pool.js';
import { ProgressCounter } from '../../../src/run/progress-counter.js';
import { defineWorld } from '../../../src/worlds/world.js';
import { toyArmTask } from './learn.js';
import { toyExperimentSchema, type ToyExperiment } from './schema.js';

export interface ToySummary {
  experiment: string;
  world: 'toy';
  seeds: number;
  rootSeed: number;
  backend: string;
  arms: { name: string; rate: number; score: number[]; scoreStats: MeanCi }[];
  interval: string;
}

const toyReportSummary = z.looseObject({
  ...commonSummaryFields,
  world: z.literal('toy'),
  arms: z.array(z.looseObject({ name: z.string(), score: z.array(value), scoreStats: stats })),
});
type ToyReportSummary = z.infer<typeof toyReportSummary>;

const armNames = (exp: ToyExperiment) => exp.arms.map((a) => a.name);

export const toyWorld = defineWorld({
  name: 'toy',
  label: 'toy',
  description: 'each arm learns a number by SGD (tests only)',
  schema: toyExperimentSchema,
  check() {},
  async run(exp, hooks, options): Promise<ToySummary> {
    const progress = new ProgressCounter(hooks, exp.arms.length * exp.steps);
    hooks.onMetrics({ stage: 'setup', step: 0, seeds: exp.seeds });
    const inputs = exp.arms.map((arm) => ({ arm, seeds: exp.seeds, rootSeed: exp.rootSeed, steps: exp.steps, learningRate: exp.learningRate, logEvery: exp.logEvery }));
    const scores = await runArmTasks(toyArmTask, inputs, options.jobs ?? 1, { onMetrics: hooks.onMetrics, onStep: (i) => progress.step(exp.arms[i]!.name), onResumed: (_, s) => progress.skip(s) }, options.control);
    return {
      experiment: exp.name,
      world: 'toy',
      seeds: exp.seeds,
      rootSeed: exp.rootSeed,
      backend: activeBackend(),
      arms: exp.arms.map((a, i) => ({ name: a.name, rate: a.rate, score: scores[i]!, scoreStats: meanCi(scores[i]!) })),
      interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
    };
  },
  taskNames: armNames,
  loggingArms: armNames,
  sharedStages: ['setup'],
  unshardable: null,
  table: (s: ToySummary, runDir) =>
    [`${s.experiment} · toy world · ${s.seeds} seeds`, ...s.arms.map((a) => `${a.name}  score ${meanPm(a.scoreStats.mean, a.scoreStats.ci95)}`), `run directory: ${runDir}`].join('\n'),
  report: {
    summarySchema: toyReportSummary,
    charts: (s: ToyReportSummary) => [
      {
        id: 'toy-score',
        section: 'result',
        title: 'Score per arm',
        caption: '1 − |w − rate| after the last step, mean ± 95 % interval over seeds.',
        spec: intervalBarsSpec({ bars: s.arms.map((a) => ({ label: a.name, group: 'arm', mean: a.scoreStats.mean, ...interval(a.scoreStats.mean, a.scoreStats.ci95) })), xTitle: 'score', groupTitle: 'arm' }),
      },
    ],
    resultsTable: (s: ToyReportSummary) =>
      `<table class="results">${head(['arm', 'score', 'per seed'])}<tbody>${s.arms.map((a) => `<tr>${cell(a.name)}${cell(meanPm(a.scoreStats.mean, a.scoreStats.ci95), 'n')}${cell(a.score.map((x) => fixed(x, 3)).join(' '), 'n seeds')}</tr>`).join('')}</tbody></table>`,
  },
  headlineMetric: 'score',
  claimSeries: (s: ToySummary, operand) => (operand.metric === 'score' ? s.arms.find((a) => a.name === operand.arm)?.score : undefined),
});
