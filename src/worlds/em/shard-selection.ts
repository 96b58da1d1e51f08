// Which of an EM plan's work a shard does. EM arms share fine-tunes, so `--shard` deals out
// the run's tasks (its distinct fine-tunes, then its subliminal arms, as the checkpoint names
// them) instead of arms. A shard runs its tasks plus the teacher fine-tune of each subliminal arm
// it was dealt (planned exactly as in the whole run, so its numbers and logged lines are the
// same wherever it runs); it reports the arms and matrix rows of the fine-tunes it was dealt
// and the subliminal arms it was dealt, and trains only the bases and aligned models those need.
import type { EmExperiment } from './schema.js';
import { fineTuneTaskName } from './fine-tune.js';
import { planEm, type EmPlan } from './plan.js';
import { subliminalTaskName } from './subliminal-names.js';

/** An EM experiment as a shard runs it: the whole file's plan, and the tasks this shard was dealt. */
export type EmShardExperiment = EmExperiment & { shardTasks?: readonly string[] };

export interface EmSelection {
  /** Fine-tunes (plan indices) this shard reports: the ones it was dealt. */
  owned: ReadonlySet<number>;
  /** Fine-tunes it trains: the owned ones and the teachers of its subliminal arms. */
  trained: ReadonlySet<number>;
  /** Subliminal arms (plan indices) it runs and reports. */
  subliminal: ReadonlySet<number>;
  /** Aligned models (plan indices) it needs: the file's own, and those of its fine-tunes and students. */
  aligned: ReadonlySet<number>;
  /** Bases (plan indices) those aligned models start from. */
  bases: ReadonlySet<number>;
}

/** The task names of a plan, in run order: fine-tunes, then subliminal arms. */
export const planTaskNames = (plan: EmPlan): string[] => [...plan.fineTunes.map((f) => fineTuneTaskName(f.name)), ...plan.subliminal.map((s) => subliminalTaskName(s.arm.name))];

const indices = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** What a run of `exp` does: everything, or a shard's share. Throws on a task the plan does not have. */
export function emSelection(exp: EmShardExperiment, plan: EmPlan): EmSelection {
  const dealt = exp.shardTasks && new Set(exp.shardTasks);
  if (dealt) {
    const known = new Set(planTaskNames(plan));
    const stranger = [...dealt].find((t) => !known.has(t));
    if (stranger !== undefined) throw new Error(`shard task "${stranger}" is not a task of ${exp.name}`);
  }
  const owned = new Set(indices(plan.fineTunes.length).filter((f) => !dealt || dealt.has(fineTuneTaskName(plan.fineTunes[f]!.name))));
  const subliminal = new Set(indices(plan.subliminal.length).filter((s) => !dealt || dealt.has(subliminalTaskName(plan.subliminal[s]!.arm.name))));
  const trained = new Set([...owned, ...[...subliminal].flatMap((s) => plan.subliminal[s]!.fineTune ?? [])]);
  const aligned = new Set([0, ...[...trained].map((f) => plan.fineTunes[f]!.aligned), ...[...subliminal].map((s) => plan.subliminal[s]!.aligned)]);
  const bases = new Set([...aligned].map((a) => plan.aligned[a]!.base));
  return { owned, trained, subliminal, aligned, bases };
}

/** The task names a run of `exp` trains (a shard: its share and the teachers it needs), in run order. */
export function selectedTaskNames(exp: EmShardExperiment, plan: EmPlan): string[] {
  const sel = emSelection(exp, plan);
  return [...[...sel.trained].sort((a, b) => a - b).map((f) => fineTuneTaskName(plan.fineTunes[f]!.name)), ...[...sel.subliminal].sort((a, b) => a - b).map((s) => subliminalTaskName(plan.subliminal[s]!.arm.name))];
}

/** The units of an EM run's arm stage as its checkpoint names them: one per distinct fine-tune, then one per subliminal arm (a shard: those it trains). */
export function emTaskNames(exp: EmShardExperiment): string[] {
  return selectedTaskNames(exp, planEm(exp));
}
