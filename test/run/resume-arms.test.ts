// The arm stage stopped between two steps — again and again, each time continued from what the
// last attempt saved — ends as an uninterrupted run does: the same summary, the same metrics
// in the same order, for both worlds. Arms run in this thread here, where the stop lands
// exactly after a chosen number of arm steps; the CLI tests cover worker threads and files.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mnistExperimentSchema as experimentSchema } from '../../src/worlds/mnist/schema.js';
import type { Experiment } from '../../src/registry/worlds.js';
import { parseExperiment } from '../../src/registry/load-experiment.js';
import type { NumbersExperiment } from '../../src/worlds/numbers/schema.js';
import { selectBackend } from '../../src/engine/backend.js';
import { StopFlag } from '../../src/engine/stop.js';
import { ArmsInterrupted, type ArmResume, type ArmStageControl } from '../../src/run/pool/arm-control.js';
import { pretrainNumbersBases } from '../../src/worlds/numbers/experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { runExperiment } from '../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../src/run/types.js';
import { tempDir, tinyExperiment } from '../support/cli.js';
import { tinyNumbers } from '../support/tiny-numbers.js';
import type { ChannelState } from '../../src/distill/channel.js';

interface Outcome {
  summary: unknown;
  metrics: MetricsRecord[];
}

interface Attempt {
  done?: Outcome;
  preArm: MetricsRecord[];
  armMetrics: MetricsRecord[];
  /** Every progress report, [done, total]. */
  progress: [number, number][];
}

/** One attempt at the run, continuing from `saved`, stopped once `stopAfter` arm steps were reported. */
async function attempt(exp: Experiment, saved: Map<string, ArmResume>, stopAfter?: number): Promise<Attempt> {
  const preArm: MetricsRecord[] = [];
  const armMetrics: MetricsRecord[] = [];
  const progress: [number, number][] = [];
  let inArms = false;
  let armSteps = 0;
  const stop = new StopFlag();
  const control: ArmStageControl = {
    stop,
    threads: false,
    resume: new Map(saved),
    armsStarting: () => (inArms = true),
    armDone: (arm) => saved.set(arm.name, { done: structuredClone(arm) }),
  };
  // Progress leaves the steps made before out of its total; stopAfter counts from the run's start.
  const before = [...saved.values()].reduce((n, r) => n + ('done' in r ? r.done.steps : r.partial.steps), 0);
  const hooks = {
    onMetrics: (r: MetricsRecord) => (inArms ? armMetrics : preArm).push(structuredClone(r)),
    onProgress: (done: number, total: number) => {
      progress.push([done, total]);
      if (inArms && before + ++armSteps === stopAfter) stop.request();
    },
  };
  try {
    const summary = await runExperiment(exp, hooks, { jobs: 1, control });
    return { done: { summary, metrics: [...preArm, ...armMetrics] }, preArm, armMetrics, progress };
  } catch (e) {
    if (!(e instanceof ArmsInterrupted)) throw e;
    for (const p of e.partial) saved.set(p.name, { partial: structuredClone(p) });
    return { preArm, armMetrics, progress };
  }
}

/** Stops after each of `stops` arm steps in turn, then lets the last attempt finish. */
async function stopAndResume(exp: Experiment, stops: number[]): Promise<{ outcome: Outcome; partialArms: number[]; lastProgress: [number, number][] }> {
  const saved = new Map<string, ArmResume>();
  const first = await attempt(exp, saved, stops[0]);
  expect(first.done, 'the first attempt stopped').toBeUndefined();
  const partialArms = [[...saved.values()].filter((r) => 'partial' in r).length];
  for (const stop of stops.slice(1)) {
    expect((await attempt(exp, saved, stop)).done, `the attempt stopped at ${stop}`).toBeUndefined();
    partialArms.push([...saved.values()].filter((r) => 'partial' in r).length);
  }
  const last = await attempt(exp, saved);
  // The stages before the arms are recomputed on resume; what they log is kept from the first attempt.
  expect(last.preArm).toEqual(first.preArm);
  return { outcome: { summary: last.done!.summary, metrics: [...first.preArm, ...last.armMetrics] }, partialArms, lastProgress: last.progress };
}

const savedCache = process.env.TRAITLAB_CACHE;
beforeAll(async () => {
  await selectBackend('wasm');
  process.env.TRAITLAB_CACHE = tempDir('traitlab-resume-cache-');
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.TRAITLAB_CACHE;
  else process.env.TRAITLAB_CACHE = savedCache;
});

test('MNIST: stopped mid-way through the first student, then on the first step of the second → identical', async () => {
  // Two student arms of 8 steps (512 noise images, batch 128, 2 epochs).
  const exp = experimentSchema.parse(tinyExperiment({ distill: { noiseImages: 512, epochs: 2, batchSize: 128, learningRate: 0.003 } }));
  const first = await attempt(exp, new Map());
  const plain = first.done!;
  const { outcome, partialArms, lastProgress } = await stopAndResume(exp, [5, 9]);
  expect(partialArms).toEqual([1, 1]);
  expect(outcome).toEqual(plain);
  // The last attempt counts only what it did: the teacher again, and the 16 − 9 arm steps left.
  const total = first.progress.at(-1)![0];
  expect(lastProgress.at(-1)).toEqual([total - 9, total - 9]);
  expect(lastProgress.every(([, t], i) => t === (i < total - 16 ? total : total - 9))).toBe(true);
});

describe('numbers', () => {
  let exp: Experiment;
  beforeAll(async () => {
    exp = parseExperiment(tinyNumbers(), {}, checkRegistryNames);
    // Bases first, so every attempt reads them from the cache and logs the same stages.
    await pretrainNumbersBases(exp as NumbersExperiment, { onMetrics: () => {}, onProgress: () => {} });
  });

  test('stopped in each arm in turn (fixed set mid-epoch, on-policy pg, λ mix + relabel) → identical', async () => {
    const plain = (await attempt(exp, new Map())).done!;
    // 3 arms of 6 steps; the fixed set is 2 batches, so after step 3 one batch of an epoch is left.
    const { outcome, partialArms } = await stopAndResume(exp, [3, 6 + 2, 12 + 4]);
    expect(partialArms).toEqual([1, 1, 1]);
    expect(outcome).toEqual(plain);
  });

  test('a LoRA arm stopped mid-way (on-policy: it samples through its adapters) → identical; its saved state is the adapters', async () => {
    const adapter = { kind: 'lora', rank: 2, learningRate: 0.05 };
    const loraExp = parseExperiment(tinyNumbers({ arms: [{ name: 'lora', student: 'same-init', channel: { prefix: 'student', signal: 'reverse-kl' }, adapter }] }), {}, checkRegistryNames);
    const plain = (await attempt(loraExp, new Map())).done!;
    const saved = new Map<string, ArmResume>();
    expect((await attempt(loraExp, saved, 3)).done).toBeUndefined();
    const resume = saved.get('lora')!;
    const state = ('partial' in resume ? resume.partial.state : null) as ChannelState;
    // tinyNumbers: 1 block of width 16 (MLP 64), 2 seeds → 4 members; 6 modules × (A, B), nothing else
    const d = 16;
    const shapes = [[d, 2], [2, d], [d, 2], [2, d], [d, 2], [2, d], [d, 2], [2, d], [d, 2], [2, 64], [64, 2], [2, d]];
    expect(state.train.params.map((p) => p.length)).toEqual(shapes.map(([a, b]) => 4 * a! * b!));
    expect(state.train.adam.firstMoment.map((p) => p.length)).toEqual(shapes.map(([a, b]) => 4 * a! * b!));
    expect((await attempt(loraExp, saved)).done).toEqual(plain);
  });
});
