// Another animal's persona as the control teacher, end to end at toy scale: teacher.control sets
// the file's control, an arm's own control overrides it, and only the control students change —
// two arms with the same channel and different controls train identical trait students (the
// same streams and teacher), while their control students and hence their transfer differ. The
// summary names a non-neutral control per arm, and leaves the key out for the neutral default.
import { beforeAll, describe, expect, test } from 'vitest';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import { selectBackend } from '../../../src/engine/backend.js';
import type { NumbersRunSummary } from '../../../src/worlds/numbers/experiment.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { animalPersonaTeacher } from '../../../teachers/animal-persona.js';
import { NEUTRAL_PERSONA, personaToken } from '../../../src/worlds/numbers/data.js';
import { tempDir } from '../../support/cli.js';

const channel = { prefix: 'teacher-fresh', signal: 'forward-kl' };
const experiment = {
  name: 'tiny-control',
  world: 'numbers',
  seeds: 2,
  rootSeed: 3,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  pretrain: { steps: 150, batchSize: 32, learningRate: 0.01, numbersFraction: 0.5, personas: { fraction: 1 } },
  teacher: { name: 'animal-persona', target: 'owl', control: 'cat' },
  distill: { steps: 4, batchSize: 16, learningRate: 0.01, probeEvery: 2 },
  arms: [
    { name: 'cat-control', student: 'same-init', channel },
    { name: 'neutral-control', student: 'same-init', channel, control: 'neutral' },
    { name: 'fox-control', student: 'same-init', channel, control: 'fox' },
  ],
};

let summary: NumbersRunSummary;

beforeAll(async () => {
  await selectBackend('wasm');
  const cache = process.env.TRAITLAB_CACHE;
  process.env.TRAITLAB_CACHE = tempDir('traitlab-control-cache-');
  try {
    summary = (await runExperiment(parseExperiment(experiment, {}, checkRegistryNames) as NumbersExperiment, { onMetrics: () => {}, onProgress: () => {} })) as NumbersRunSummary;
  } finally {
    if (cache === undefined) delete process.env.TRAITLAB_CACHE;
    else process.env.TRAITLAB_CACHE = cache;
  }
}, 240_000); // a base pretrained and three arms: about 40 s on the idle machine

describe('the control teacher persona', () => {
  test('the recipe: the neutral persona by default, else the named animal', () => {
    expect(animalPersonaTeacher.personas('owl')).toEqual({ trait: personaToken('owl'), control: NEUTRAL_PERSONA });
    expect(animalPersonaTeacher.personas('owl', 'neutral')).toEqual({ trait: personaToken('owl'), control: NEUTRAL_PERSONA });
    expect(animalPersonaTeacher.personas('owl', 'cat')).toEqual({ trait: personaToken('owl'), control: personaToken('cat') });
  });

  test("only the control students differ: identical trait students, other control students and transfer", () => {
    const [cat, neutral, fox] = summary.arms;
    expect(neutral!.trait).toEqual(cat!.trait);
    expect(fox!.trait).toEqual(cat!.trait);
    expect(neutral!.controlTrait).not.toEqual(cat!.controlTrait);
    expect(fox!.controlTrait).not.toEqual(cat!.controlTrait);
    for (const arm of summary.arms) expect(arm.transfer).toEqual(arm.trait.map((t, i) => t - arm.controlTrait[i]!));
  });

  test('the summary names a non-neutral control, per arm', () => {
    expect(summary.arms.map((a) => a.control)).toEqual(['cat', undefined, 'fox']);
    expect('control' in summary.arms[1]!).toBe(false);
  });

  test("the file's control teacher is the cat persona: it prefers owl less than the owl persona does", () => {
    summary.teacher.trait.forEach((t, i) => expect(summary.controlTeacher.trait[i]!).toBeLessThan(t));
  });
});
