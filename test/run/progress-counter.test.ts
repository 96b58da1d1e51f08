// Progress counts only the work still to do: steps found done (a base on disk) leave the total
// before the first step is counted, and every stage is named before its first step.
import { describe, expect, test } from 'vitest';
import { pretrainPlanned, type BasePlan } from '../../src/worlds/lm/parallel-pretrain.js';
import { ProgressCounter, startingArms } from '../../src/run/progress-counter.js';
import type { RunHooks } from '../../src/run/types.js';
import type { ArmTask } from '../../src/run/pool/arm-task.js';
import { numbersBaseTask } from '../../src/worlds/numbers/bases.js';

/** Hooks that keep every event in order: `stage <label>` or `<done>/<total> <label>`. */
function recorder(): { hooks: RunHooks; events: string[] } {
  const events: string[] = [];
  return {
    events,
    hooks: {
      onMetrics: () => {},
      onProgress: (done, total, label) => events.push(`${done}/${total} ${label}`),
      onStage: (label) => events.push(`stage ${label}`),
    },
  };
}

describe('ProgressCounter', () => {
  test('skipped steps leave the total: the first step is 1 of what is left, not 2001 of 3200', () => {
    const { hooks, events } = recorder();
    const p = new ProgressCounter(hooks, 2000 + 1200); // the demo: 2 cached bases × 1000, 4 arms × 300
    p.stage('reading base pretrain from disk');
    p.skip(1000);
    p.skip(1000);
    p.stage('starting 4 arms, 2 at a time');
    p.step('same-init-off-policy');
    p.tick('cross-init-off-policy')();
    expect(events).toEqual(['stage reading base pretrain from disk', 'stage starting 4 arms, 2 at a time', '1/1200 same-init-off-policy', '2/1200 cross-init-off-policy']);
  });

  test('hooks without onStage still get the steps', () => {
    const seen: number[][] = [];
    const p = new ProgressCounter({ onMetrics: () => {}, onProgress: (d, t) => seen.push([d, t]) }, 5);
    p.stage('ignored');
    p.skip(2);
    p.step('x');
    expect(seen).toEqual([[1, 3]]);
  });

  test('startingArms', () => {
    expect([startingArms(4, 2), startingArms(1, 2), startingArms(3, 1, 'fine-tunes'), startingArms(5, 8)]).toEqual([
      'starting 4 arms, 2 at a time',
      'starting 1 arm',
      'starting 3 fine-tunes',
      'starting 5 arms, 5 at a time',
    ]);
  });
});

describe('pretrainPlanned', () => {
  interface Base {
    label: string;
    steps: number;
    onDisk: boolean;
  }
  const plan = (planned: Base[]): BasePlan<unknown, Base, { cached: boolean }> => ({
    task: numbersBaseTask as ArmTask<unknown, string>,
    planned,
    onDisk: (b) => b.onDisk,
    input: () => {
      throw new Error('no worker task in this test (jobs 1)');
    },
    label: (b) => b.label,
    steps: (b) => b.steps,
    make: (b, tick) => {
      if (!b.onDisk) for (let i = 0; i < b.steps; i++) tick();
      return { cached: b.onDisk };
    },
  });

  test('a base on disk is out of the total before any step, and each base is named before its work', async () => {
    const { hooks, events } = recorder();
    const counter = new ProgressCounter(hooks, 2 + 3 + 4);
    const made = await pretrainPlanned(plan([{ label: 'a', steps: 2, onDisk: false }, { label: 'b', steps: 3, onDisk: true }, { label: 'c', steps: 4, onDisk: false }]), 1, hooks, counter);
    expect(made.map((m) => m.cached)).toEqual([false, true, false]);
    expect(events).toEqual([
      'stage pretraining base a',
      '1/6 a',
      '2/6 a',
      'stage reading base b from disk',
      'stage pretraining base c',
      '3/6 c',
      '4/6 c',
      '5/6 c',
      '6/6 c',
    ]);
  });

  test('every base on disk: no step at all, only what it reads', async () => {
    const { hooks, events } = recorder();
    await pretrainPlanned(plan([{ label: 'pretrain', steps: 1000, onDisk: true }, { label: 'pretrain-other-seed', steps: 1000, onDisk: true }]), 2, hooks, new ProgressCounter(hooks, 2000));
    expect(events).toEqual(['stage reading base pretrain from disk', 'stage reading base pretrain-other-seed from disk']);
  });
});
