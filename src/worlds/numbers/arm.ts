// One arm of a numbers experiment, as a function of plain data, so that it runs the same in
// this thread or on a worker thread: rebuild the teacher side (trait teachers and controls,
// 2M members) and the student (its base, twice), run the channel, probe, summarise.
import { numbersArmCost } from './arm-cost.js';
import type { NumbersArm, NumbersExperiment } from './schema.js';
import { checkFinite } from '../../engine/numeric.js';
import { rootStream } from '../../engine/rng.js';
import { memberStreams } from '../../engine/seed-data.js';
import { drain } from '../../engine/drain.js';
import { channelSetting, channelSteps, type BatchViewer, type ChannelState } from '../../distill/channel.js';
import type { LmFamily } from '../../models/lm.js';
import { fidelity, type FidelityProbe } from '../../probes/fidelity.js';
import { meanCi, type MeanCi } from '../../probes/stats.js';
import { answerProbabilities, logTraitScore, sampledAnswerRate, traitScore } from '../../probes/trait.js';
import { AlignmentRecorder, divergenceSummary, type AlignmentSummary, type DivergenceSummary } from './signals.js';
import { armDrift, memberTv, type ArmDrift } from '../../probes/drift.js';
import { ANIMALS, animalToken } from './data.js';
import { ConditionedLm } from '../../models/conditioned.js';
import { assembleParams, type LmConfig } from '../lm/lm-factory.js';
import { studentModel } from '../lm/student-model.js';
import { animalProbe, numbersChannelWorld } from './channel-world.js';
import { warnInto } from '../../run/warnings.js';
import type { ArmTask, TaskEvents } from '../../run/pool/arm-task.js';

export interface NumbersArmSummary extends Partial<DivergenceSummary>, Partial<AlignmentSummary> {
  name: string;
  student: string;
  channel: NumbersArm['channel'];
  /** The arm's adapter (absent: full fine-tuning). */
  adapter?: NumbersArm['adapter'];
  /** This arm's own learning rate or batch size (only when the file sets them). */
  distill?: NumbersArm['distill'];
  /** The control teacher's persona, when not the neutral default (an arm's own, else teacher.control). */
  control?: string;
  /** p(target) of the student distilled from the trait teacher, per seed. */
  trait: number[];
  /** p(target) of the same student distilled from the control teacher, per seed. */
  controlTrait: number[];
  /** trait − controlTrait per seed, with its mean and 95 % t half-width. */
  transfer: number[];
  transferStats: MeanCi;
  traitStats: MeanCi;
  /** Sampled answer rate (fraction of answers that are the target), per seed. */
  sampledRate: number[];
  controlSampledRate: number[];
  /** Capability on the numbers task against its own teacher, per seed (trait-teacher students). */
  nll: number[];
  agreement: number[];
  forwardKl: number[];
  reverseKl: number[];
  audit: { traitTokens: number };
  /** How far the students' animal preferences moved from their initialisation. */
  drift: ArmDrift;
  budget: { steps: number; trainedTokens: number[]; filteredRows: number[]; teacherRows: number; studentRows: number; studentSteps: number };
}

export interface NumbersArmInput {
  exp: NumbersExperiment;
  arm: NumbersArm;
  /**
   * The teacher side: member i < M the trait teacher of seed i, member M + i its control; for a
   * persona teacher, the token member m reads at position 0 (null: plain rows).
   */
  teacher: { config: LmConfig; params: Float32Array[][]; firstTokens: number[] | null };
  /** The student's base, M members (seed i); the student family holds it twice. */
  base: { config: LmConfig; params: Float32Array[][] };
  /** Held-out teacher samples for capability and fidelity, [2M, R, L]. */
  heldOut: FidelityProbe;
}

/** The seed of each member of a 2M family: 0..M−1 for the trait side, again for the control side. */
export const pairedSeeds = (M: number): number[] => Array.from({ length: 2 * M }, (_, m) => m % M);

/** Splits per-member values of a 2M family into [trait members 0..M−1, control members M..2M−1]. */
export const traitAndControl = <T>(xs: T[], M: number) => [xs.slice(0, M), xs.slice(M, 2 * M)] as const;

/** What a live view (the lab) sees of a running arm beyond its metrics; absent, nothing extra is computed. */
export interface ArmWatch {
  batchView?: BatchViewer;
  /** After each probe, with the student and teacher families (both 2M members; read only). */
  onProbe?(step: number, student: LmFamily, teacher: LmFamily): void;
}

/** The summary's `control`: present only when the arm's control teacher is not the neutral default, so default files' summaries stay as they were. */
function controlOf(exp: NumbersExperiment, arm: NumbersArm): { control?: string } {
  const control = arm.control ?? exp.teacher.control;
  return control === undefined || control === 'neutral' ? {} : { control };
}

/** Runs the arm, or continues it `from` where it was interrupted. */
export function runNumbersArm(input: NumbersArmInput, events: TaskEvents, from?: ChannelState): NumbersArmSummary {
  return drain(numbersArmSteps(input, events, from));
}

/** runNumbersArm one optimizer step at a time: yields the step just done, returns the summary. */
export function* numbersArmSteps(input: NumbersArmInput, events: TaskEvents, from?: ChannelState, watch: ArmWatch = {}): Generator<number, NumbersArmSummary> {
  const { exp, arm } = input;
  const M = exp.seeds;
  const root = rootStream(exp.rootSeed);
  const probe = animalProbe(exp.teacher.target);
  const plainTeacher = assembleParams(input.teacher.config, input.teacher.params, false);
  const { firstTokens } = input.teacher;
  const teacher = firstTokens ? new ConditionedLm(plainTeacher, Int32Array.from(firstTokens)) : plainTeacher;
  // Member i and its control student M + i share the base of seed i, and with an adapter its init too.
  const student = studentModel(input.base.config, [...input.base.params, ...input.base.params], arm.adapter, root.child('adapter'), (m) => m % M);
  // The file's distill settings, this arm's overrides (learning rate, batch size), its channel, its adapter's learning rate.
  const settings = { ...exp.distill, ...arm.distill, ...arm.channel, ...(arm.adapter?.learningRate !== undefined ? { learningRate: arm.adapter.learningRate } : {}) };
  const armIndex = exp.arms.findIndex((a) => a.name === arm.name);
  const lrField =
    arm.adapter?.learningRate !== undefined
      ? `arms[${armIndex}].adapter.learningRate`
      : arm.distill?.learningRate !== undefined
        ? `arms[${armIndex}].distill.learningRate`
        : 'distill.learningRate';
  const numeric = { stage: arm.name, setting: channelSetting(settings).replace('distill.learningRate', lrField) };
  // Liminal training's frozen reference: the student's initialisation, only when the arm asks.
  const base = arm.channel.baseKl ? assembleParams(input.base.config, [...input.base.params, ...input.base.params], false) : undefined;
  const divergenceOn = (arm.channel.divergence ?? 'off') !== 'off';
  // Member i (trait student) and member M + i (its control) each take the other's teacher as the neutral reference.
  const neutralPartner = Array.from({ length: 2 * M }, (_, m) => (m < M ? m + M : m - M));
  const alignment = exp.distill.gradientCosine ? new AlignmentRecorder(M) : null;
  let lastCosine: number[] | null = null;
  // The recorder lives in this call: a resumed arm has not seen the probes before the interruption.
  if (alignment && from)
    warnInto(events.onMetrics, arm.name)(from.step, `resumed at step ${from.step}: the gradient-alignment summary (cosines, early transfer) covers only the probes after it`);
  // The answer distribution over the animals before any training (a resumed arm's student is
  // still its base here: the channel restores the trained state).
  const animals = ANIMALS.map(animalToken);
  const startAnswers = answerProbabilities(student, probe, animals);
  // Seeds with their own data: the trait student of seed i (member i) and its control (member M + i) read seed i's.
  const dataSeeds = exp.seedsVary === 'init-and-data' ? pairedSeeds(M) : undefined;
  try {
    const report = yield* channelSteps(
      teacher,
      student,
      numbersChannelWorld(exp.pretrain.jitter),
      { ...settings, ...(divergenceOn ? { neutralPartner } : {}), ...(dataSeeds ? { dataSeeds } : {}) },
      // Keyed by the arm's channel, not its place in the file: an arm's numbers do not depend on the others.
      root.child('channel').child(`${arm.channel.prefix}+${arm.channel.signal}`),
      {
        probeEvery: exp.distill.probeEvery,
        logEvery: exp.distill.probeEvery,
        numeric,
        onWarning: warnInto(events.onMetrics, arm.name),
        probe: (step) => {
          const [t, c] = traitAndControl(traitScore(student, probe), M);
          const fid = fidelity(student, teacher, input.heldOut);
          // p(target) and the NLL come from the student's softmax: NaN logits make them NaN. At
          // step 0 the student is still its base (pretrained, or read from the cache).
          checkFinite([...t, ...c, ...fid.nll], { ...numeric, ...(step === 0 ? { setting: 'pretrain.learningRate' } : {}), step, what: 'probe' });
          const transfer = t.map((x, i) => x - c[i]!);
          const cosine = step > 0 ? lastCosine : null;
          if (alignment) {
            alignment.transfer(step, transfer);
            if (cosine) alignment.cosine(cosine);
          }
          events.onMetrics({
            stage: arm.name,
            step,
            trait: t,
            controlTrait: c,
            transfer,
            ...(cosine ? { gradientCosine: cosine.slice(0, M), controlGradientCosine: cosine.slice(M) } : {}),
            // Capability and fidelity of the trait students (members 0..M−1) against their teachers.
            nll: fid.nll.slice(0, M),
            agreement: fid.agreement.slice(0, M),
            forwardKl: fid.forwardKl.slice(0, M),
            reverseKl: fid.reverseKl.slice(0, M),
            // How far each student's answers over the animals moved from its start (see probes/drift.ts).
            ...memberTv(startAnswers, answerProbabilities(student, probe, animals), M),
          });
          watch.onProbe?.(step, student, teacher);
        },
        ...(watch.batchView ? { batchView: watch.batchView } : {}),
        ...(alignment ? { alignment: { objective: () => logTraitScore(student, probe), see: (_: number, cosine: number[]) => (lastCosine = cosine) } } : {}),
        onStep: (step, record) => {
          events.onMetrics({
            stage: arm.name,
            step,
            source: record.source,
            ...(record.loss ? { loss: record.loss } : {}),
            // Fraction of this step's trained positions that are divergence positions, trait students then controls.
            ...(record.divergence ? { divergence: record.divergence.slice(0, M), controlDivergence: record.divergence.slice(M) } : {}),
          });
          events.onStep();
        },
      },
      { from, stopRequested: events.stopRequested, ...(base ? { base } : {}) },
    );
    const [t, c] = traitAndControl(traitScore(student, probe), M);
    const answerStream = root.child('answer-sample').child(arm.name);
    const [rate, controlRate] = traitAndControl(sampledAnswerRate(student, probe, 20, dataSeeds ? memberStreams(answerStream, dataSeeds) : answerStream), M);
    const fid = fidelity(student, teacher, input.heldOut);
    const transfer = t.map((x, i) => x - c[i]!);
    const drift = armDrift(startAnswers, answerProbabilities(student, probe, animals), ANIMALS.indexOf(exp.teacher.target), M);
    return {
      name: arm.name,
      student: arm.student,
      channel: arm.channel,
      ...(arm.adapter ? { adapter: arm.adapter } : {}),
      ...controlOf(exp, arm),
      trait: t,
      controlTrait: c,
      transfer,
      transferStats: meanCi(transfer),
      traitStats: meanCi(t),
      sampledRate: rate,
      controlSampledRate: controlRate,
      nll: fid.nll.slice(0, M),
      agreement: fid.agreement.slice(0, M),
      forwardKl: fid.forwardKl.slice(0, M),
      reverseKl: fid.reverseKl.slice(0, M),
      ...(arm.distill ? { distill: arm.distill } : {}),
      audit: { traitTokens: report.auditTraitTokens },
      drift,
      budget: {
        steps: exp.distill.steps,
        trainedTokens: report.trainedTokens.slice(0, M),
        filteredRows: report.filteredRows.slice(0, M),
        teacherRows: report.teacherRows,
        studentRows: report.studentRows,
        studentSteps: report.studentSteps,
      },
      ...(report.divergentTokens ? divergenceSummary(report.divergentTokens, report.trainedTokens, M) : {}),
      ...(alignment ? alignment.summary(exp.distill.steps, transfer) : {}),
    };
  } finally {
    student.dispose();
    teacher.dispose();
    base?.dispose();
  }
}

/** The arm as the arm pool runs it (see arm-task.ts). */
export const numbersArmTask: ArmTask<NumbersArmInput, NumbersArmSummary, ChannelState> = {
  kind: 'numbers-arm',
  module: import.meta.url,
  exportName: 'numbersArmTask',
  run: runNumbersArm,
  armName: (input) => input.arm.name,
  cost: (input) => numbersArmCost(input.exp, input.arm),
};
