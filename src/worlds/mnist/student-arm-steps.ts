// One student arm of the MNIST experiment, as a function of plain data (browser-safe, so the
// lab runs the very same arm): build the student from its members' inits (student-nets.ts), distil it on the
// shared noise set towards the teacher's precomputed logits, test it.
import type { BackendName } from '../../engine/backend.js';
import { stepsFor } from '../../engine/batches.js';
import { rootStream } from '../../engine/rng.js';
import { memberStreams, type SeedsVary } from '../../engine/seed-data.js';
import { distillOnTargetsSteps, selectLogits, type LogitDistillSettings, type LogitDistillState } from '../../distill/logit-distill.js';
import type { MemberClassifier } from '../../models/member-classifier.js';
import { accuracyPerMember } from '../../probes/accuracy.js';
import { NUM_CLASSES, type MnistSplit } from './data.js';
import { warnInto } from '../../run/warnings.js';
import { temperatureOrLearningRate } from '../../engine/numeric.js';
import type { TaskEvents } from '../../run/pool/arm-task.js';
import { buildStudent, trainedVariables, type StudentNet } from './student-nets.js';

/** The arm's student network (StudentNet: its members' inits, MLP or CNN, what trains) and what it is distilled on. */
export interface StudentArmInput extends StudentNet {
  arm: string;
  backend: BackendName;
  rootSeed: number;
  /** "init": every member reads the one noise set in one batch order; "init-and-data": member m its own set and order. */
  seedsVary: SeedsVary;
  /** The teacher's layer widths (an MLP student's too): 784, hidden…, 10 + m. */
  sizes: number[];
  /** Noise images [n, 784], shared by every arm: one set (seedsVary "init") or one per member. */
  noise: Float32Array[];
  /** Member m's teacher logits (all of them) on the noise, [n, K]. */
  teacherLogits: Float32Array[];
  settings: LogitDistillSettings;
  /** Also log the test accuracy at step 0 and every this many steps (distill.probeEvery). */
  probeEvery?: number;
}

/** The distillation setting most likely behind a NaN or a diverging loss (see temperatureOrLearningRate). */
export const distillSetting = (s: { learningRate: number; temperature: number }): string =>
  temperatureOrLearningRate(s.temperature, s.learningRate, { temperature: 'distill.temperature', learningRate: 'distill.learningRate' });

/** What a live view (the lab) sees of a running arm: the student after each accuracy probe (read only). */
export interface StudentArmWatch {
  onProbe?(step: number, student: MemberClassifier): void;
}

/**
 * The arm one optimizer step at a time: yields each step done, returns the test accuracy per
 * member on `test`.
 */
export function* studentArmSteps(input: StudentArmInput, test: MnistSplit, events: TaskEvents, from?: LogitDistillState, watch: StudentArmWatch = {}): Generator<number, number[]> {
  const K = input.sizes[input.sizes.length - 1]!;
  const d = input.sizes[0]!;
  const n = input.noise[0]!.length / d;
  const { settings } = input;
  const total = stepsFor(n, settings.batchSize, settings.epochs);
  const student = buildStudent(input, input.sizes);
  const probe = (step: number) => {
    const accuracy = accuracyPerMember(student, test.images, test.labels, NUM_CLASSES);
    events.onMetrics({ stage: input.arm, step, testAccuracy: accuracy });
    watch.onProbe?.(step, student);
    return accuracy;
  };
  try {
    if (input.probeEvery !== undefined && !from) probe(0);
    // Every arm sees the same batch order: the stream is keyed by the noise set, not the arm.
    const order = rootStream(input.rootSeed).child('distill-data');
    const perMember = input.seedsVary === 'init-and-data';
    const distill = distillOnTargetsSteps(
      input.teacherLogits.map((t) => selectLogits(t, K, settings.logits)),
      student,
      perMember ? memberStreams(order, input.inits.map((_, m) => m)) : order,
      {
        label: `student ${input.arm}`,
        ...settings,
        inputs: perMember ? input.noise : input.noise[0]!,
        trained: trainedVariables(student, input),
        onLog: (step, kl) => events.onMetrics({ stage: input.arm, step, kl }),
        onStep: () => events.onStep(),
        resume: from,
        stopRequested: events.stopRequested,
        numeric: { stage: input.arm, setting: distillSetting(settings) },
        onWarning: warnInto(events.onMetrics, input.arm),
      },
    );
    for (let next = distill.next(); !next.done; next = distill.next()) {
      const step = next.value;
      if (input.probeEvery !== undefined && step % input.probeEvery === 0 && step < total) probe(step);
      yield step;
    }
    return probe(total);
  } finally {
    student.dispose();
  }
}
