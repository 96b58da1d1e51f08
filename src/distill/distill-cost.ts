// A relative estimate of a distillation run's work, for starting the costliest arms first
// (src/run/pool/arm-task.ts `cost`): rows trained, each weighed by what a step does with it.
// In forward-pass units per row: the student's forward and backward (3); the teacher's forward
// when the signal reads its distribution (1; fixed teacher tokens need none); sampling a
// completion when the prefixes are fresh (teacher-fresh, student, mix: about one more training
// step's worth, 3). An ordering, not a time.
import type { PrefixSource, TeacherSignal } from './channel-types.js';

export function distillCost(run: { steps: number; batchSize: number }, channel: { prefix: PrefixSource; signal: TeacherSignal }): number {
  const teacherForward = channel.prefix === 'teacher-fixed' && channel.signal === 'tokens' ? 0 : 1;
  const sampling = channel.prefix === 'teacher-fixed' ? 0 : 3;
  return run.steps * run.batchSize * (3 + teacherForward + sampling);
}
