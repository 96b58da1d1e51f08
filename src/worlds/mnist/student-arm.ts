// One student arm of the MNIST experiment, as a pure function of plain data, so that it runs
// the same in this process or in a worker thread: build the student from its members' inits,
// distil it on the shared noise set towards the teacher's precomputed logits, test it.
import type { BackendName } from '../../engine/backend.js';
import { stepsFor } from '../../engine/batches.js';
import { rootStream } from '../../engine/rng.js';
import { distillOnTargets, selectLogits, type LogitDistillSettings, type LogitDistillState } from '../../distill/logit-distill.js';
import { MlpFamily, type MemberInit } from '../../models/mlp.js';
import { accuracyPerMember } from '../../probes/accuracy.js';
import { NUM_CLASSES } from './data.js';
import { loadMnist } from './digit-files.js';
import type { MetricsRecord } from '../../run/types.js';
import { warnInto } from '../../run/warnings.js';
import { temperatureOrLearningRate } from '../../engine/numeric.js';
import type { ArmTask, TaskEvents } from '../../run/pool/arm-task.js';

export interface StudentArmInput {
  arm: string;
  backend: BackendName;
  rootSeed: number;
  sizes: number[];
  /** Member m's initial parameters. */
  inits: MemberInit[];
  /** Noise images [n, 784], shared by every arm. */
  noise: Float32Array;
  /** Member m's teacher logits (all of them) on the noise, [n, K]. */
  teacherLogits: Float32Array[];
  settings: LogitDistillSettings;
}

/** The distillation setting most likely behind a NaN or a diverging loss (see temperatureOrLearningRate). */
export const distillSetting = (s: { learningRate: number; temperature: number }): string =>
  temperatureOrLearningRate(s.temperature, s.learningRate, { temperature: 'distill.temperature', learningRate: 'distill.learningRate' });

/** Runs the arm (or continues it `from` where it was interrupted) and returns the test accuracy per member. */
export function runStudentArm(input: StudentArmInput, events: TaskEvents, from?: LogitDistillState): number[] {
  const K = input.sizes[input.sizes.length - 1]!;
  const d = input.sizes[0]!;
  const n = input.noise.length / d;
  const { settings } = input;
  const student = new MlpFamily(input.sizes, input.inits);
  try {
    // Every arm sees the same batch order: the stream is keyed by the noise set, not the arm.
    distillOnTargets(
      input.teacherLogits.map((t) => selectLogits(t, K, settings.logits)),
      student,
      rootStream(input.rootSeed).child('distill-data'),
      {
        label: `student ${input.arm}`,
        ...settings,
        inputs: input.noise,
        onLog: (step, kl) => events.onMetrics({ stage: input.arm, step, kl }),
        onStep: () => events.onStep(),
        resume: from,
        stopRequested: events.stopRequested,
        numeric: { stage: input.arm, setting: distillSetting(settings) },
        onWarning: warnInto(events.onMetrics, input.arm),
      },
    );
    const test = loadMnist().test;
    const accuracy = accuracyPerMember(student, test.images, test.labels, NUM_CLASSES);
    events.onMetrics({ stage: input.arm, step: stepsFor(n, settings.batchSize, settings.epochs), testAccuracy: accuracy });
    return accuracy;
  } finally {
    student.dispose();
  }
}

/** The student arm as the arm pool runs it (see arm-task.ts). */
export const studentArmTask: ArmTask<StudentArmInput, number[], LogitDistillState> = {
  kind: 'mnist-student',
  module: import.meta.url,
  exportName: 'studentArmTask',
  run: runStudentArm,
  armName: (input) => input.arm,
};
