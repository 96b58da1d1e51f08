// The persona teacher end to end at toy scale: a base pretrained with persona documents, the
// animal-persona teacher read under the owl persona (no fine-tune stage, no teacher steps), its
// control under the neutral persona, and an on-policy and an off-policy arm whose students
// never see a persona token (audit 0).
import { restoreCacheEnvAfterAll } from '../../support/cache-env.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { selectBackend } from '../../../src/engine/backend.js';
import type { NumbersRunSummary } from '../../../src/worlds/numbers/experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import { tempDir } from '../../support/cli.js';

const file = {
  name: 'tiny-persona',
  world: 'numbers',
  seeds: 2,
  rootSeed: 5,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  // Every document spoken by a persona and half of them Q&A, so the toy base learns what the owl persona answers.
  pretrain: { steps: 150, batchSize: 32, learningRate: 0.01, numbersFraction: 0.5, personas: { fraction: 1 } },
  teacher: { name: 'animal-persona', target: 'owl' },
  distill: { steps: 6, batchSize: 16, learningRate: 0.01, fixedSetSize: 32, probeEvery: 3 },
  arms: [
    { name: 'same-fixed-fkl', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } },
    { name: 'same-student-rkl', student: 'same-init', channel: { prefix: 'student', signal: 'reverse-kl' } },
  ],
};

restoreCacheEnvAfterAll();
let summary: NumbersRunSummary;
const metrics: MetricsRecord[] = [];
const progress: [number, number][] = [];

beforeAll(async () => {
  await selectBackend('wasm');
  process.env.TRAITLAB_CACHE = tempDir('traitlab-persona-cache-');
  const exp = parseExperiment(file, {}, checkRegistryNames) as NumbersExperiment;
  summary = (await runExperiment(exp, { onMetrics: (r) => metrics.push(structuredClone(r)), onProgress: (d, t) => progress.push([d, t]) })) as NumbersRunSummary;
});


describe('animal-persona teacher (target owl)', () => {
  test('the teacher under the owl persona prefers owl far more than its control under the neutral persona and the plain base', () => {
    for (let s = 0; s < 2; s++) {
      expect(summary.teacher.trait[s]!).toBeGreaterThan(summary.controlTeacher.trait[s]! + 0.2);
      expect(summary.teacher.trait[s]!).toBeGreaterThan(summary.base.trait[s]! + 0.2);
    }
  });

  test('no teacher training: no teacher loss records, and progress counts only pretraining and distillation', () => {
    expect(metrics.filter((r) => r.stage === 'teacher' && 'loss' in r)).toEqual([]);
    const teacherRecord = metrics.find((r) => r.stage === 'teacher')!;
    expect(teacherRecord.step).toBe(0);
    expect(progress.at(-1)).toEqual([150 + 2 * 6, 150 + 2 * 6]);
  });

  test('students never trained on a persona or animal token, on- or off-policy', () => {
    for (const arm of summary.arms) {
      expect(arm.audit.traitTokens).toBe(0);
      expect(arm.budget.trainedTokens.every((n) => n > 0)).toBe(true);
    }
  });
});
