// The numbers experiment end to end at toy scale: bases (pretrained, then cached), the owl
// teacher and its control, three student arms (same-init off-policy, cross-arch on fresh
// teacher samples, cross-init on a λ mix, and the first again with its own batch size and
// learning rate), their probes, budgets and drift; and a second run, now
// reading the cached bases, that reproduces the summary exactly.
import { restoreCacheEnvAfterAll } from '../../support/cache-env.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { selectBackend } from '../../../src/engine/backend.js';
import type { NumbersRunSummary } from '../../../src/worlds/numbers/experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import { COMPLETION_LENGTH } from '../../../src/worlds/numbers/data.js';
import { tempDir } from '../../support/cli.js';

const STEPS = 8;
const PROBE_EVERY = 4;
const B = 16;
const FIXED = 32;
const SEEDS = 2;

const file = {
  name: 'tiny-numbers',
  world: 'numbers',
  seeds: SEEDS,
  rootSeed: 3,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  crossArch: { kind: 'gru', hidden: 16, embedding: 8 },
  pretrain: { steps: 40, batchSize: 32, learningRate: 0.01 },
  teacher: { name: 'animal-fine-tune', target: 'owl', steps: 20, batchSize: 32, learningRate: 0.01 },
  distill: { steps: STEPS, batchSize: B, learningRate: 0.01, fixedSetSize: FIXED, probeEvery: PROBE_EVERY },
  arms: [
    { name: 'same-fixed-tokens', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } },
    { name: 'arch-fresh-fkl', student: 'cross-arch', channel: { prefix: 'teacher-fresh', signal: 'forward-kl' } },
    { name: 'cross-mix-jsd', student: 'cross-init', channel: { prefix: 'mix', signal: 'jsd', lambda: 0.5, beta: 0.5 } },
    // The first arm again with its own, smaller batch and learning rate.
    { name: 'same-fixed-tokens-slow', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' }, distill: { batchSize: B / 2, learningRate: 1e-4 } },
  ],
};

restoreCacheEnvAfterAll();
let cache: string;
let exp: NumbersExperiment;

async function runOnce(): Promise<{ summary: NumbersRunSummary; metrics: MetricsRecord[]; progress: [number, number][]; stages: [string, number][] }> {
  const metrics: MetricsRecord[] = [];
  const progress: [number, number][] = [];
  const stages: [string, number][] = []; // label, and how many steps were counted before it
  const summary = (await runExperiment(exp, {
    onMetrics: (r) => metrics.push(structuredClone(r)),
    onProgress: (done, total) => progress.push([done, total]),
    onStage: (label) => stages.push([label, progress.length]),
  })) as NumbersRunSummary;
  return { summary, metrics, progress, stages };
}

let first: Awaited<ReturnType<typeof runOnce>>;

beforeAll(async () => {
  await selectBackend('wasm');
  cache = tempDir('traitlab-numbers-cache-');
  process.env.TRAITLAB_CACHE = cache;
  exp = parseExperiment(file, {}, checkRegistryNames) as NumbersExperiment;
  first = await runOnce();
});

describe('a tiny numbers experiment', () => {
  test('the summary: per-seed trait, control trait and transfer = trait − control, audit 0', () => {
    const { summary } = first;
    expect(summary.world).toBe('numbers');
    expect(summary.experiment).toBe('tiny-numbers');
    expect(summary.seeds).toBe(SEEDS);
    expect(summary.target).toBe('owl');
    expect(summary.backend).toBe('wasm');
    expect(summary.arms.map((a) => a.name)).toEqual(file.arms.map((a) => a.name));
    for (const arm of summary.arms) {
      for (const key of ['trait', 'controlTrait', 'transfer', 'sampledRate', 'controlSampledRate', 'nll', 'agreement', 'forwardKl', 'reverseKl'] as const) {
        expect(arm[key], `${arm.name}.${key}`).toHaveLength(SEEDS);
        for (const x of arm[key]) expect(Number.isFinite(x), `${arm.name}.${key}`).toBe(true);
      }
      for (let i = 0; i < SEEDS; i++) {
        expect(arm.transfer[i]).toBe(arm.trait[i]! - arm.controlTrait[i]!);
        expect(arm.trait[i]).toBeGreaterThan(0);
        expect(arm.trait[i]).toBeLessThan(1);
      }
      expect(arm.transferStats.mean).toBeCloseTo((arm.transfer[0]! + arm.transfer[1]!) / 2, 12);
      expect(arm.audit.traitTokens).toBe(0);
    }
  });

  test('drift: from the start each student shared with its control; |control − start| and TV per seed', () => {
    const { summary, metrics } = first;
    for (const arm of summary.arms) {
      const { drift } = arm;
      const start = metrics.find((r) => r.stage === arm.name && r.step === 0 && 'trait' in r)!;
      // The start is the step-0 probe of the same student, bit for bit.
      expect(drift.startTrait).toEqual(start.trait);
      for (let i = 0; i < SEEDS; i++) {
        expect(drift.controlTarget[i]).toBe(Math.abs(arm.controlTrait[i]! - drift.startTrait[i]!));
        for (const tv of [drift.traitTv[i]!, drift.controlTv[i]!]) {
          expect(tv).toBeGreaterThan(0); // every student trained
          expect(tv).toBeLessThanOrEqual(1);
        }
      }
      expect(drift.stats.traitTv.mean).toBeCloseTo((drift.traitTv[0]! + drift.traitTv[1]!) / 2, 12);
    }
    // The probes log the TV as it grows: 0 at step 0, the summary's at the last step.
    for (const arm of summary.arms) {
      const probes = metrics.filter((r) => r.stage === arm.name && 'trait' in r);
      expect(probes[0]!.traitTv).toEqual([0, 0]);
      expect(probes[0]!.controlTv).toEqual([0, 0]);
      expect(probes.at(-1)!.traitTv).toEqual(arm.drift.traitTv);
      expect(probes.at(-1)!.controlTv).toEqual(arm.drift.controlTv);
    }
    // A same-init student starts as the base.
    expect(summary.arms[0]!.drift.startTrait).toEqual(summary.base.trait);
  });

  test('the trait fine-tune works even at this scale: teacher p(owl) > control p(owl) for every seed', () => {
    const { summary } = first;
    expect(summary.teacher.trait).toHaveLength(SEEDS);
    expect(summary.controlTeacher.trait).toHaveLength(SEEDS);
    for (let i = 0; i < SEEDS; i++) {
      expect(summary.teacher.trait[i]).toBeGreaterThan(summary.controlTeacher.trait[i]!);
      expect(summary.teacher.trait[i]).toBeGreaterThan(summary.base.trait[i]!);
    }
  });

  test('budgets follow the channel of each arm', () => {
    const M2 = 2 * SEEDS; // trait-side and control-side students train side by side
    const [fixed, fresh, mix] = first.summary.arms as [NumbersRunSummary['arms'][number], NumbersRunSummary['arms'][number], NumbersRunSummary['arms'][number]];
    for (const arm of [fixed, fresh, mix]) {
      expect(arm.budget.steps).toBe(STEPS);
      expect(arm.budget.trainedTokens).toHaveLength(SEEDS);
      for (let i = 0; i < SEEDS; i++) {
        expect(arm.budget.trainedTokens[i]).toBeGreaterThan(0);
        expect(arm.budget.trainedTokens[i]).toBe((B * STEPS - arm.budget.filteredRows[i]!) * COMPLETION_LENGTH);
      }
    }
    expect(fixed.budget).toMatchObject({ teacherRows: M2 * FIXED, studentRows: 0, studentSteps: 0 });
    expect(fresh.budget).toMatchObject({ teacherRows: 2 * M2 * B * STEPS, studentRows: 0, studentSteps: 0 }); // sampled + scored
    const s = mix.budget.studentSteps;
    expect(mix.budget.studentRows).toBe(M2 * B * s);
    expect(mix.budget.teacherRows).toBe(M2 * B * (STEPS - s) + M2 * B * STEPS);
  });

  test("an arm's own batch size and learning rate: half the rows trained, far less drift, recorded in the summary", () => {
    const [fixed, , , slow] = first.summary.arms as NumbersRunSummary['arms'];
    expect(slow!.distill).toEqual({ batchSize: B / 2, learningRate: 1e-4 });
    expect(fixed!.distill).toBeUndefined();
    for (let i = 0; i < SEEDS; i++) {
      expect(slow!.budget.trainedTokens[i]).toBe(((B / 2) * STEPS - slow!.budget.filteredRows[i]!) * COMPLETION_LENGTH);
      expect(slow!.drift.traitTv[i]).toBeLessThan(fixed!.drift.traitTv[i]! / 5);
      expect(slow!.drift.controlTv[i]).toBeLessThan(fixed!.drift.controlTv[i]! / 5);
    }
  });

  test('metrics: a trait probe at step 0 and at the last step, and a source for every step, per arm', () => {
    const { metrics, summary } = first;
    for (const arm of summary.arms) {
      const records = metrics.filter((r) => r.stage === arm.name);
      const probes = records.filter((r) => 'trait' in r);
      expect(probes.map((r) => r.step)).toEqual([0, 4, 8]);
      for (const p of probes) {
        expect(p.trait as number[]).toHaveLength(SEEDS);
        expect(p.transfer).toEqual((p.trait as number[]).map((x, i) => x - (p.controlTrait as number[])[i]!));
      }
      // Before training both halves of the student are the same base: no transfer yet.
      expect(probes[0]!.transfer).toEqual([0, 0]);
      // The last probe is the state the summary reports.
      expect(probes.at(-1)!.trait).toEqual(arm.trait);
      expect(probes.at(-1)!.controlTrait).toEqual(arm.controlTrait);
      const steps = records.filter((r) => 'source' in r);
      expect(steps.map((r) => r.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
      const sources = steps.map((r) => r.source);
      expect(sources.every((x) => x === 'teacher' || x === 'student')).toBe(true);
      expect(sources.filter((x) => x === 'student')).toHaveLength(arm.budget.studentSteps);
      expect(steps.filter((r) => 'loss' in r).map((r) => r.step)).toEqual([4, 8]);
    }
    // The same-init student starts as the base itself.
    const same = metrics.find((r) => r.stage === 'same-fixed-tokens' && r.step === 0)!;
    (same.trait as number[]).forEach((x, i) => expect(x).toBeCloseTo(first.summary.base.trait[i]!, 6));
    // Progress counts the optimizer steps of every stage: 3 bases, the teachers, 4 arms; one by one.
    const total = 3 * 40 + 20 + file.arms.length * STEPS;
    expect(first.progress.at(-1)).toEqual([total, total]);
    expect(first.progress.map(([d]) => d)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Every base was pretrained (and logged) on this first run, then cached.
    for (const stage of ['pretrain', 'pretrain-other-seed', 'pretrain-other-arch']) expect(metrics.some((r) => r.stage === stage)).toBe(true);
    expect(readdirSync(join(cache, 'bases')).sort()).toHaveLength(3);
  });

  test('a second run reads the cached bases and gives an identical summary', async () => {
    const second = await runOnce();
    for (const stage of ['pretrain', 'pretrain-other-seed', 'pretrain-other-arch']) expect(second.metrics.some((r) => r.stage === stage)).toBe(false);
    expect(second.summary).toEqual(first.summary);
    const notPretrain = (m: MetricsRecord[]) => m.filter((r) => !r.stage.startsWith('pretrain'));
    expect(notPretrain(second.metrics)).toEqual(notPretrain(first.metrics));
    // Progress counts only the work left: the teachers and the arms, from 1, the cached bases out of the total.
    const left = 20 + file.arms.length * STEPS;
    expect(second.progress[0]).toEqual([1, left]);
    expect(second.progress.map(([d, t]) => `${d}/${t}`)).toEqual(Array.from({ length: left }, (_, i) => `${i + 1}/${left}`));
    // What it does before the first step, and before the arms' first.
    const before = (at: number) => second.stages.filter(([, n]) => n === at).map(([label]) => label);
    expect(before(0)).toEqual(['reading base pretrain from disk', 'reading base pretrain-other-seed from disk', 'reading base pretrain-other-arch from disk', "probing the base's p(owl)", 'fine-tuning the teacher']);
    expect(before(20)).toEqual(['sampling the teacher for the fidelity probe', `starting ${file.arms.length} arms`]);
    expect(first.stages.filter(([, n]) => n === 0).map(([label]) => label)).toEqual(['pretraining base pretrain']);
  });
});
