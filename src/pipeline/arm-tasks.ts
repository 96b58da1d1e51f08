// The independent units of work an experiment hands to worker threads, by name. The same
// functions run in this thread when there is one job, so results cannot depend on where.
import type { ChannelState } from '../distill/channel.js';
import type { LogitDistillState } from '../distill/logit-distill.js';
import { fineTuneTaskName, runEmFineTune, type EmFineTuneInput, type EmFineTuneResult, type EmFineTuneState } from './em-fine-tune.js';
import { subliminalTaskName } from './em-subliminal-names.js';
import { runEmSubliminal, type EmSubliminalInput, type EmSubliminalResult, type EmSubliminalState } from './em-subliminal.js';
import { runEmBase, type EmBaseInput } from './em-bases.js';
import { runNumbersArm, type NumbersArmInput, type NumbersArmSummary } from './numbers-arm.js';
import { runNumbersBase, type NumbersBaseInput } from './numbers-bases.js';
import { runStudentArm, type StudentArmInput } from './student-arm.js';
import type { MetricsRecord } from './types.js';

export interface TaskEvents {
  onMetrics(record: MetricsRecord): void;
  onStep(): void;
  /** Asked after every step; true → the task throws Interrupted with its state. */
  stopRequested?(): boolean;
}

/** Per kind: the input, the result, and the state an interrupted task continues from. */
export interface ArmTasks {
  'mnist-student': { input: StudentArmInput; result: number[]; state: LogitDistillState };
  'numbers-arm': { input: NumbersArmInput; result: NumbersArmSummary; state: ChannelState };
  'em-fine-tune': { input: EmFineTuneInput; result: EmFineTuneResult; state: EmFineTuneState };
  'em-subliminal': { input: EmSubliminalInput; result: EmSubliminalResult; state: EmSubliminalState };
  /** A pretrained base, written to disk (result: its file); never interrupted midway. */
  'numbers-base': { input: NumbersBaseInput; result: string; state: never };
  'em-base': { input: EmBaseInput; result: string; state: never };
}
export type ArmTaskKind = keyof ArmTasks;

export const armTasks: { [K in ArmTaskKind]: (input: ArmTasks[K]['input'], events: TaskEvents, from?: ArmTasks[K]['state']) => ArmTasks[K]['result'] } = {
  'mnist-student': runStudentArm,
  'numbers-arm': runNumbersArm,
  'em-fine-tune': runEmFineTune,
  'em-subliminal': runEmSubliminal,
  'numbers-base': runNumbersBase,
  'em-base': runEmBase,
};

/** The arm a task runs, by name (checkpoints key arms by name, not by place). */
export const armTaskNames: { [K in ArmTaskKind]: (input: ArmTasks[K]['input']) => string } = {
  'mnist-student': (input) => input.arm,
  'numbers-arm': (input) => input.arm.name,
  'em-fine-tune': (input) => fineTuneTaskName(input.name),
  'em-subliminal': (input) => subliminalTaskName(input.name),
  'numbers-base': (input) => `numbers-base ${input.index}`,
  'em-base': (input) => `em-base ${input.index}`,
};

/** What a worker receives. */
export interface TaskMessage<K extends ArmTaskKind = ArmTaskKind> {
  kind: K;
  backend: string;
  input: ArmTasks[K]['input'];
  /** Continue from this state of an interrupted run. */
  from?: ArmTasks[K]['state'];
  /** The run's stop flag (StopFlag.buffer), read after every step. */
  stop?: SharedArrayBuffer;
}
