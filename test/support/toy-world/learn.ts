// One toy arm as an arm-pool task: M learners (one per seed) start from their seed's init and
// descend (w − rate)² · x², x uniform in [−1, 1] from the seed's data stream.
import { rootStream } from '../../../src/engine/rng.js';
import type { ArmTask, TaskEvents } from '../../../src/run/pool/arm-task.js';
import type { ToyArm } from './schema.js';

export interface ToyArmInput {
  arm: ToyArm;
  seeds: number;
  rootSeed: number;
  steps: number;
  learningRate: number;
  logEvery: number;
}

/** Per seed: 1 − |w − rate| after the last step. */
export function learn(input: ToyArmInput, events: TaskEvents): number[] {
  const root = rootStream(input.rootSeed);
  const seeds = Array.from({ length: input.seeds }, (_, m) => m);
  const w = seeds.map((m) => 2 * root.child('init').child(String(m)).next() - 1); // same init per seed in every arm
  const data = seeds.map((m) => root.child('data').child(String(m)));
  for (let step = 1; step <= input.steps; step++) {
    const loss = seeds.map((m) => {
      const x = 2 * data[m]!.next() - 1;
      const err = w[m]! - input.arm.rate;
      w[m] = w[m]! - input.learningRate * 2 * err * x * x;
      return err * err * x * x;
    });
    if (step % input.logEvery === 0) events.onMetrics({ stage: input.arm.name, step, loss });
    events.onStep();
  }
  return seeds.map((m) => 1 - Math.abs(w[m]! - input.arm.rate));
}

export const toyArmTask: ArmTask<ToyArmInput, number[]> = {
  kind: 'toy-arm',
  module: import.meta.url,
  exportName: 'toyArmTask',
  run: learn,
  armName: (input) => input.arm.name,
};
