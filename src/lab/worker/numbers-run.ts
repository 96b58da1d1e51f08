// A numbers experiment of one arm, in the page: the same stages as `traitlab run` (bases →
// teacher side → the arm, step by step → summary), from the shipped bases, with the live views
// the CLI does not need (answer bars at every probe, the batch of every step).
import { activeBackend } from '../../engine/backend.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { rootStream } from '../../engine/rng.js';
import { numbersArmSteps } from '../../worlds/numbers/arm.js';
import { CONTEXT, channelTokens } from '../../worlds/numbers/data.js';
import { numbersRunSummary, prepareNumbersArms } from '../../worlds/numbers/prepare-arms.js';
import type { NumbersExperiment } from '../../worlds/numbers/schema.js';
import type { FromWorker } from '../protocol.js';
import { answerDistribution } from './answer-bars.js';
import { batchView } from './batch-view.js';
import { shippedBases } from './shipped-bases.js';
import type { Stepper } from './stepper.js';

/** Rows of member 0's batch the page shows. */
const SHOWN_ROWS = 4;

export async function runNumbersInPage(exp: NumbersExperiment, baseFiles: Readonly<Record<string, string>>, stepper: Stepper, post: (m: FromWorker) => void): Promise<void> {
  if (exp.arms.length !== 1) throw new Error(`arms: the lab runs one arm at a time, this experiment has ${exp.arms.length}`);
  const arm = exp.arms[0]!;
  const M = exp.seeds;
  const steps = exp.distill.steps;
  const status = (phase: 'loading' | 'preparing' | 'training' | 'paused' | 'done', text: string, step = 0) => post({ type: 'status', status: { phase, text, step, steps, arm: arm.name } });
  const onMetrics = (record: MetricsRecord) => post({ type: 'metrics', record });

  status('loading', 'reading the shipped bases');
  const bases = await shippedBases(exp, baseFiles);
  const root = rootStream(exp.rootSeed);
  let prepared;
  try {
    prepared = prepareNumbersArms(exp, bases, root, onMetrics, { stage: (text) => status('preparing', text), tick: () => () => {} });
  } finally {
    for (const b of Object.values(bases)) b?.family.dispose();
  }
  const allowed = channelTokens();
  const split = (xs: number[][]) => [xs.slice(0, M), xs.slice(M, 2 * M)] as const;
  let done = 0;
  const arm$ = numbersArmSteps(prepared.inputs[0]!, { onMetrics, onStep: () => {} }, undefined, {
    batchView: { rows: SHOWN_ROWS, see: (step, batch) => post({ type: 'batch', batch: batchView(step, batch, CONTEXT, allowed, exp.distill.lossTemperature) }) },
    onProbe: (step, student, teacher) => {
      const [t, c] = split(answerDistribution(teacher));
      const [s, cs] = split(answerDistribution(student));
      post({ type: 'answers', bars: { step, teacher: t, controlTeacher: c, student: s, controlStudent: cs } });
    },
  });
  const summary = await stepper.run(
    arm$,
    () => status('paused', `paused at step ${done} of ${steps}`, done),
    (step) => {
      done = step;
      status('training', `training ${arm.name}: step ${step} of ${steps}`, step);
    },
  );
  if (summary === undefined) return;
  status('done', `done: ${steps} steps`, steps);
  post({ type: 'done', summary: numbersRunSummary(exp, prepared, [summary], activeBackend()) });
}
