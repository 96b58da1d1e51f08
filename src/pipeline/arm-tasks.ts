// The independent units of work an experiment hands to worker threads, by name. The same
// functions run in this thread when there is one job, so results cannot depend on where.
import { runNumbersArm, type NumbersArmInput, type NumbersArmSummary } from './numbers-arm.js';
import { runStudentArm, type StudentArmInput } from './student-arm.js';
import type { MetricsRecord } from './types.js';

export interface TaskEvents {
  onMetrics(record: MetricsRecord): void;
  onStep(): void;
}

export interface ArmTasks {
  'mnist-student': { input: StudentArmInput; result: number[] };
  'numbers-arm': { input: NumbersArmInput; result: NumbersArmSummary };
}
export type ArmTaskKind = keyof ArmTasks;

export const armTasks: { [K in ArmTaskKind]: (input: ArmTasks[K]['input'], events: TaskEvents) => ArmTasks[K]['result'] } = {
  'mnist-student': runStudentArm,
  'numbers-arm': runNumbersArm,
};

/** What a worker receives. */
export interface TaskMessage<K extends ArmTaskKind = ArmTaskKind> {
  kind: K;
  backend: string;
  input: ArmTasks[K]['input'];
}
