// The MNIST teacher on every core: with worker threads to spare, the teacher's members are split
// into contiguous parts (5 seeds on 2 threads: seeds 0–2 and 3–4), each trained, evaluated and
// run over the noise set on its own thread (teacher-stage.ts), instead of one family on one core
// while the other waits for the students. Each member's numbers are its own in any split, so the
// merged stage is the one-family stage bit for bit: the same losses per logged step (the parts'
// side by side), the same divergence warning and numeric fault (the earliest step's, lowest
// member first), accuracies and logits in seed order. test/worlds/mnist/teacher-parts.test.ts
// compares the two.
import type { MnistExperiment } from './schema.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { NumericFault, type NumericFaultData } from '../../engine/numeric.js';
import { runArmTasks } from '../../run/pool/arm-pool.js';
import type { ArmTask, TaskEvents } from '../../run/pool/arm-task.js';
import { loadMnist } from './digit-files.js';
import { runTeacherStage, type Alloc } from './teacher-stage.js';
import type { TrainedTeacher } from './prepare-arms.js';

export interface TeacherPartInput {
  exp: MnistExperiment;
  /** The part's seeds, contiguous and ascending. */
  seeds: number[];
  /** The noise the part's members run over: the shared set, each of its seeds' own, or none. */
  noise: Float32Array[];
}

export interface TeacherPartResult {
  /** The part's metrics records (losses of its members per logged step, its warning), in order. */
  records: MetricsRecord[];
  accuracy: number[];
  logits: Float32Array[];
  /** A numeric fault stops the part; it is returned (not thrown) so the earliest of all parts is the one reported. */
  fault?: NumericFaultData;
}

/** Runs one part; a worker thread's logits come back copied, so they are made in plain memory. */
export function runTeacherPart(input: TeacherPartInput, events: TaskEvents): TeacherPartResult {
  const records: MetricsRecord[] = [];
  try {
    const hooks = { onMetrics: (r: MetricsRecord) => records.push(r), onStep: () => events.onStep(), onLogits: () => undefined };
    return { records, ...runTeacherStage(input.exp, loadMnist(), input.seeds, input.noise, hooks, (n) => new Float32Array(n)) };
  } catch (e) {
    if (!(e instanceof NumericFault)) throw e;
    return { records, accuracy: [], logits: [], fault: e.toData() };
  }
}

/** A teacher part as the arm pool runs it (see arm-task.ts). */
export const teacherPartTask: ArmTask<TeacherPartInput, TeacherPartResult> = {
  kind: 'mnist-teacher-part',
  module: import.meta.url,
  exportName: 'teacherPartTask',
  run: runTeacherPart,
  armName: (input) => `teacher seeds ${input.seeds[0]}–${input.seeds.at(-1)}`,
  cost: (input) => input.seeds.length,
};

/** Seeds 0 … seeds − 1 in `parts` contiguous runs, the larger first (5 in 2: [0, 1, 2], [3, 4]). */
export function seedParts(seeds: number, parts: number): number[][] {
  const n = Math.max(1, Math.min(parts, seeds));
  const out: number[][] = [];
  let next = 0;
  for (let p = 0; p < n; p++) {
    const size = Math.floor(seeds / n) + (p < seeds % n ? 1 : 0);
    out.push(Array.from({ length: size }, (_, i) => next + i));
    next += size;
  }
  return out;
}

/**
 * The parts' results as the one-family stage gives them: `onMetrics` receives the loss records
 * with every member's losses, and the one warning the whole family would give; a numeric fault
 * is thrown as the whole family would throw it.
 */
export function mergeTeacherParts(results: readonly TeacherPartResult[], onMetrics: (r: MetricsRecord) => void): { accuracy: number[]; logits: Float32Array[] } {
  const faults = results.map((r) => r.fault).filter((f): f is NumericFaultData => f !== undefined);
  // the family stops at the first step where any member's loss is not finite, the lowest member's value
  const fault = faults.reduce<NumericFaultData | null>((first, f) => (first === null || f.step < first.step ? f : first), null);
  const losses = results.map((r) => r.records.filter((rec) => Array.isArray(rec.loss)));
  const warnings = results.map((r) => r.records.find((rec) => typeof rec.warning === 'string')).filter((w): w is MetricsRecord => w !== undefined);
  const warning = warnings.reduce<MetricsRecord | null>((first, w) => (first === null || (w.step as number) < (first.step as number) ? w : first), null);
  for (const [i, rec] of losses[0]!.entries()) {
    if (fault !== null && (rec.step as number) >= fault.step) break;
    onMetrics({ ...rec, loss: losses.flatMap((part) => part[i]!.loss as number[]) });
    if (warning !== null && warning.step === rec.step) onMetrics(warning);
  }
  if (fault !== null) throw new NumericFault(fault);
  return { accuracy: results.flatMap((r) => r.accuracy), logits: results.flatMap((r) => r.logits) };
}

/** Whether the teacher runs in parts: a teacher to train, two seeds or more, and more than one job. */
export function teacherInParts(exp: MnistExperiment, jobs: number): boolean {
  return jobs > 1 && exp.seeds > 1 && exp.arms.some((a) => a.kind !== 'reference');
}

/**
 * The teacher stage of every seed in parts on up to `jobs` threads. `noise` is every seed's
 * (mnistNoise's): the shared set goes to every part, per-seed sets to their seeds' part.
 */
export async function runTeacherInParts(exp: MnistExperiment, noise: Float32Array[], jobs: number, onMetrics: (r: MetricsRecord) => void, onStep: () => void, alloc: Alloc): Promise<TrainedTeacher> {
  const parts = seedParts(exp.seeds, jobs);
  const inputs = parts.map((seeds) => ({ exp, seeds, noise: noise.length > 1 ? seeds.map((s) => noise[s]!) : noise }));
  // progress moves with the slowest part: a step is done when every part has made it
  const done = parts.map(() => 0);
  let reported = 0;
  const results = await runArmTasks(teacherPartTask, inputs, jobs, {
    onMetrics: () => undefined, // the parts return their records; merged below
    onStep: (i) => {
      done[i]!++;
      for (; reported < Math.min(...done); reported++) onStep();
    },
  });
  const merged = mergeTeacherParts(results, onMetrics);
  // the students' arrays in `alloc`'s memory (shared, for their worker threads)
  const logits = merged.logits.map((l) => {
    const out = alloc(l.length);
    out.set(l);
    return out;
  });
  return { accuracy: merged.accuracy, logits, noise };
}
