// One student arm of the MNIST experiment as the arm pool runs it, on a worker thread or in this
// process: the steps of student-arm-steps.ts, tested on the digits read from disk.
import { drain } from '../../engine/drain.js';
import type { LogitDistillState } from '../../distill/logit-distill.js';
import { loadMnist } from './digit-files.js';
import type { ArmTask, TaskEvents } from '../../run/pool/arm-task.js';
import { studentArmSteps, type StudentArmInput } from './student-arm-steps.js';

export { distillSetting, type StudentArmInput } from './student-arm-steps.js';

/** Runs the arm (or continues it `from` where it was interrupted) and returns the test accuracy per member. */
export function runStudentArm(input: StudentArmInput, events: TaskEvents, from?: LogitDistillState): number[] {
  return drain(studentArmSteps(input, loadMnist().test, events, from));
}

/** The student arm as the arm pool runs it (see arm-task.ts). */
export const studentArmTask: ArmTask<StudentArmInput, number[], LogitDistillState> = {
  kind: 'mnist-student',
  module: import.meta.url,
  exportName: 'studentArmTask',
  run: runStudentArm,
  armName: (input) => input.arm,
  // Epochs over the noise set: every arm of a file reads the same set, so epochs order them.
  cost: (input) => input.settings.epochs * (input.noise[0]!.length / input.sizes[0]!),
};
