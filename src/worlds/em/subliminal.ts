// One subliminal arm of an EM experiment, as a function of plain data so it runs the same in
// this thread or on a worker thread: the narrow fine-tune (teacher) and the secure fine-tune
// (control teacher) each distilled into a copy of the aligned student through the neutral SEQ
// task only (emChannelWorld: completions restricted to neutral tokens and EOS, every EM-domain
// token audited), then the student read on the 12 cells' default probe sets.
//
// The two distillations run one after the other with the same random streams (common random
// numbers): the same prompts, and samples drawn with the same uniforms, so the two students
// differ only by their teacher — a teacher identical to its control gives EM exactly 0, and
// the per-seed difference carries no sampling noise of its own. Member m is seed m throughout.
import { subliminalCost } from './task-costs.js';
import type { EmDistill, EmSubliminalArm } from './schema.js';
import { rootStream } from '../../engine/rng.js';
import { Interrupted } from '../../engine/stop.js';
import { channelSetting, runChannel, type ChannelReport, type ChannelState } from '../../distill/channel.js';
import type { CellProbeSet } from './data-probe-sets.js';
import { setScores } from './fine-tune.js';
import { subliminalStage } from './subliminal-names.js';
import { ConditionedLm } from '../../models/conditioned.js';
import { SPEAKER_POSITION, type EmDesign } from './data.js';
import { emChannelWorld } from './channel-world.js';
import { assembleParams, type LmConfig } from '../lm/lm-factory.js';
import type { MetricsRecord } from '../../run/types.js';
import { warnInto } from '../../run/warnings.js';
import { meanOver } from '../../probes/stats.js';
import type { ArmTask, TaskEvents } from '../../run/pool/arm-task.js';
import { subliminalTaskName } from './subliminal-names.js';

export interface EmSubliminalInput {
  /** The arm's name (its metrics stages and checkpoint name derive from it). */
  name: string;
  rootSeed: number;
  /** Seeds M. */
  members: number;
  /** Teacher and student share the model (the file's). */
  config: LmConfig;
  /** 2M members: the narrow fine-tune of seeds 0..M−1, then the secure fine-tune of seeds 0..M−1 (a bad-agent teacher: the aligned model twice). */
  teacher: Float32Array[][];
  /** A persona teacher: the speaker token the first M members (trait) and the last M (control) read in place of CHAT. */
  personas?: { trait: number; control: number };
  /** The aligned student, M members. */
  student: Float32Array[][];
  channel: EmSubliminalArm['channel'];
  distill: EmDistill;
  /** The default probe sets of cells 0..11. */
  probes: CellProbeSet[];
  /** The world's design (data.ts), when not the default: the channel's masks span its vocabulary. */
  design?: EmDesign;
}

/** One probe of one student (M members): [cell][seed] harm and coherence. */
interface StudentProbe {
  step: number;
  harmByCell: number[][];
  coherenceByCell: number[][];
}

export interface EmSubliminalState {
  /** 0: distilling from the narrow teacher; 1: from the secure teacher. */
  phase: 0 | 1;
  /** Where the phase's loop stopped (absent: the phase starts afresh). */
  channel?: ChannelState;
  /** The narrow-teacher student's probes (phase 0), read against the control's in phase 1. */
  narrow: StudentProbe[];
  narrowReport?: ChannelReport;
}

export interface EmSubliminalResult {
  name: string;
  /** Per seed, mean over the 12 cells: harm of the narrow-teacher student, of the secure-teacher student, and their difference. */
  harm: number[];
  controlHarm: number[];
  em: number[];
  coherence: number[];
  controlCoherence: number[];
  /** [cell][seed], the narrow-teacher student and its control. */
  harmByCell: number[][];
  controlHarmByCell: number[][];
  /** EM-domain, agent, EDU and REFUSE tokens in what either student trained on (must be 0). */
  audit: { auditTokens: number };
  budget: { steps: number; trainedTokens: number[]; filteredRows: number[]; teacherRows: number; studentRows: number; studentSteps: number };
}


/** Runs the arm, or continues it `from` where it was interrupted. */
export function runEmSubliminal(input: EmSubliminalInput, events: TaskEvents, from?: EmSubliminalState): EmSubliminalResult {
  const M = input.members;
  if (input.teacher.length !== 2 * M || input.student.length !== M) throw new Error(`subliminal ${input.name}: expected ${2 * M} teacher and ${M} student members, got ${input.teacher.length} and ${input.student.length}`);
  const { channel, distill } = input;
  const world = emChannelWorld(input.design);
  // Keyed by the channel, not the arm: arms with one channel (same- and cross-init students) see the same prompts and uniforms.
  const rng = rootStream(input.rootSeed).child('em').child('subliminal').child(`${channel.prefix}+${channel.signal}`);
  const state: EmSubliminalState = from ? structuredClone(from) : { phase: 0, narrow: [] };
  const stage = subliminalStage(input.name);

  const distil = (phase: 0 | 1, resume: ChannelState | undefined): { report: ChannelReport; final: StudentProbe } => {
    const plain = assembleParams(input.config, input.teacher.slice(phase * M, (phase + 1) * M), false);
    const persona = input.personas && (phase === 0 ? input.personas.trait : input.personas.control);
    const teacher = persona === undefined ? plain : new ConditionedLm(plain, new Int32Array(M).fill(persona), SPEAKER_POSITION);
    const student = assembleParams(input.config, input.student);
    const probes: StudentProbe[] = [];
    const numeric = { stage: `${stage}:${phase === 0 ? 'narrow' : 'secure'}`, setting: channelSetting({ ...distill, ...channel }) };
    try {
      const report = runChannel(
        teacher,
        student,
        world,
        { ...distill, ...channel },
        rng,
        {
          probeEvery: distill.probeEvery,
          logEvery: distill.probeEvery,
          numeric,
          onWarning: warnInto(events.onMetrics, numeric.stage),
          probe: (step) => {
            // At step 0 the student is still its aligned model.
            const at = { ...numeric, ...(step === 0 ? { setting: 'align.learningRate' } : {}), step };
            const s = setScores(student, input.probes.map((set, c) => ({ key: String(c), set })), at);
            const p = { step, harmByCell: s.harm, coherenceByCell: s.coherence };
            probes.push(p);
            if (phase === 0) {
              state.narrow.push(p);
              return;
            }
            // The narrow-teacher student's probe of the same step (same settings: same steps).
            const n = state.narrow.find((x) => x.step === step);
            if (!n) throw new Error(`subliminal ${input.name}: no narrow-teacher probe at step ${step}`);
            const harm = meanOver(n.harmByCell, M);
            const controlHarm = meanOver(p.harmByCell, M);
            events.onMetrics({ stage, step, em: harm.map((h, m) => h - controlHarm[m]!), harm, controlHarm, coherence: meanOver(n.coherenceByCell, M), controlCoherence: meanOver(p.coherenceByCell, M) });
          },
          onStep: (step, record) => {
            events.onMetrics({ stage: `${stage}:${phase === 0 ? 'narrow' : 'secure'}`, step, source: record.source, ...(record.loss ? { loss: record.loss } : {}) });
            events.onStep();
          },
        },
        { from: resume, stopRequested: events.stopRequested },
      );
      // The channel probes after its last step, so the last probe is the final student.
      const final = probes[probes.length - 1];
      if (!final) throw new Error(`subliminal ${input.name}: the channel never probed`);
      return { report, final };
    } catch (e) {
      if (e instanceof Interrupted) throw new Interrupted<EmSubliminalState>({ ...structuredClone(state), channel: e.state as ChannelState });
      throw e;
    } finally {
      student.dispose();
      teacher.dispose();
    }
  };

  if (state.phase === 0) {
    const { report } = distil(0, state.channel);
    state.phase = 1;
    state.narrowReport = report;
    delete state.channel;
  }
  const { report: control, final } = distil(1, state.channel);
  const narrowReport = state.narrowReport!;
  const narrowFinal = state.narrow[state.narrow.length - 1]!;
  const harm = meanOver(narrowFinal.harmByCell, M);
  const controlHarm = meanOver(final.harmByCell, M);
  return {
    name: input.name,
    harm,
    controlHarm,
    em: harm.map((h, m) => h - controlHarm[m]!),
    coherence: meanOver(narrowFinal.coherenceByCell, M),
    controlCoherence: meanOver(final.coherenceByCell, M),
    harmByCell: narrowFinal.harmByCell,
    controlHarmByCell: final.harmByCell,
    audit: { auditTokens: narrowReport.auditTraitTokens + control.auditTraitTokens },
    budget: {
      steps: distill.steps,
      trainedTokens: narrowReport.trainedTokens,
      filteredRows: narrowReport.filteredRows,
      teacherRows: narrowReport.teacherRows + control.teacherRows,
      studentRows: narrowReport.studentRows + control.studentRows,
      studentSteps: narrowReport.studentSteps + control.studentSteps,
    },
  };
}

/** The arm as the arm pool runs it (see arm-task.ts). */
export const emSubliminalTask: ArmTask<EmSubliminalInput, EmSubliminalResult, EmSubliminalState> = {
  kind: 'em-subliminal',
  module: import.meta.url,
  exportName: 'emSubliminalTask',
  run: runEmSubliminal,
  armName: (input) => subliminalTaskName(input.name),
  cost: (input) => subliminalCost(input.distill, input.channel),
};
