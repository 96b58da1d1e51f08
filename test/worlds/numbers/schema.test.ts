// Numbers-world experiment files: parseExperiment picks the numbers schema by `world`, fills
// defaults, and turns every problem (schema or registry) into one ConfigError line that starts
// with the offending field's path.
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { schemaAt } from '../../../src/config/json-schema.js';
import { experimentJsonSchema } from '../../../src/registry/experiment-json-schema.js';
import { loadExperimentFile, parseExperiment } from '../../../src/registry/load-experiment.js';
import { ANIMALS } from '../../../src/worlds/numbers/data.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { tempDir, writeJson } from '../../support/cli.js';
import { problem } from '../../support/problem.js';

const valid = () => ({
  name: 'tiny-numbers',
  world: 'numbers',
  seeds: 2,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  crossArch: { kind: 'gru', hidden: 16, embedding: 8 },
  pretrain: { steps: 40, batchSize: 32, learningRate: 0.01 },
  teacher: { name: 'animal-fine-tune', target: 'owl', steps: 20, batchSize: 32, learningRate: 0.01 },
  distill: { steps: 8, batchSize: 16, learningRate: 0.01, fixedSetSize: 32 },
  arms: [
    { name: 'same', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } },
    { name: 'arch', student: 'cross-arch', channel: { prefix: 'mix', signal: 'jsd', lambda: 0.5, beta: 0.5 } },
  ],
});

type Input = ReturnType<typeof valid>;
const withChannel = (channel: Record<string, unknown>, student = 'same-init'): Input => ({ ...valid(), arms: [{ name: 'a', student, channel }] as Input['arms'] });


describe('a valid numbers file', () => {
  test('parses with the numbers schema and its defaults', () => {
    const exp = parseExperiment(valid(), {}, checkRegistryNames) as NumbersExperiment;
    expect(exp.world).toBe('numbers');
    expect(exp.rootSeed).toBe(0);
    expect(exp.pretrain).toMatchObject({ numbersFraction: 0.75, jitter: 0.05 });
    expect(exp.teacher).toMatchObject({ replayFraction: 0.5, freeze: [] });
    expect(exp.distill).toMatchObject({ fixedSetSize: 32, samplingTemperature: 1, lossTemperature: 1, probeEvery: 100 });
    expect(exp.arms[1]!.channel).toEqual({ prefix: 'mix', signal: 'jsd', lambda: 0.5, beta: 0.5 });
  });

  test('--seeds overrides a numbers file too', () => {
    expect(parseExperiment(valid(), { seeds: 3 }).seeds).toBe(3);
  });

  test('loads from disk', () => {
    const dir = tempDir();
    writeJson(dir, 'n.json', valid());
    expect(loadExperimentFile('n.json', {}, dir, checkRegistryNames).world).toBe('numbers');
  });
});

describe('one ConfigError line naming the path', () => {
  test.each([
    ['unknown top-level key', { ...valid(), foo: 1 }, /^foo: unknown key; remove it/],
    ['an MNIST key in a numbers file', { ...valid(), logEvery: 3 }, /^logEvery: unknown key/],
    ['unknown distill key', { ...valid(), distill: { ...valid().distill, temperature: 1 } }, /^distill\.temperature: unknown key/],
    ['misspelt channel key', withChannel({ prefix: 'student', signal: 'pg', lamda: 1 }), /^arms\[0\]\.channel\.lamda: unknown key; did you mean "lambda"\?/],
    ['missing lambda for mix', withChannel({ prefix: 'mix', signal: 'tokens' }), /^arms\[0\]\.channel\.lambda: missing; prefix "mix" needs lambda/],
    ['lambda for a non-mix prefix', withChannel({ prefix: 'student', signal: 'tokens', lambda: 0.5 }), /^arms\[0\]\.channel\.lambda: only used with prefix "mix"; remove it/],
    ['lambda out of range', withChannel({ prefix: 'mix', signal: 'tokens', lambda: 1.5 }), /^arms\[0\]\.channel\.lambda: must be ≤ 1/],
    ['jsd without beta', withChannel({ prefix: 'student', signal: 'jsd' }), /^arms\[0\]\.channel\.beta: missing; signal "jsd" needs beta/],
    ['beta for a non-jsd signal', withChannel({ prefix: 'student', signal: 'forward-kl', beta: 0.5 }), /^arms\[0\]\.channel\.beta: only used with signal "jsd"/],
    ['discount for a non-pg signal', withChannel({ prefix: 'student', signal: 'tokens', discount: 0.5 }), /^arms\[0\]\.channel\.discount: only used with signal "pg"/],
    ['unknown prefix source', withChannel({ prefix: 'teacher', signal: 'tokens' }), /^arms\[0\]\.channel\.prefix: invalid value "teacher"; use one of "teacher-fixed", "teacher-fresh", "student", "mix"/],
    ['unknown signal', withChannel({ prefix: 'student', signal: 'kl' }), /^arms\[0\]\.channel\.signal: invalid value "kl"/],
    ['missing channel', { ...valid(), arms: [{ name: 'a', student: 'same-init' }] }, /^arms\[0\]\.channel: missing/],
    ['heads not dividing dModel', { ...valid(), model: { kind: 'gpt', layers: 1, dModel: 16, heads: 3 } }, /^model\.heads: heads must divide dModel/],
    ['heads not dividing dModel (crossArch)', { ...valid(), crossArch: { kind: 'gpt', layers: 1, dModel: 10, heads: 3 } }, /^crossArch\.heads: heads must divide dModel/],
    ['a gru base model', { ...valid(), model: { kind: 'gru', hidden: 16, embedding: 8 } }, /^model\.kind: invalid value "gru"; use "gpt"/],
    ['unknown crossArch kind', { ...valid(), crossArch: { kind: 'lstm' } }, /^crossArch\.kind: invalid value "lstm"/],
    ['cross-arch student without crossArch', (() => { const { crossArch: _, ...rest } = valid(); return rest; })(), /^arms\[1\]\.student: a cross-arch student needs the top-level crossArch model; add it/],
    ['duplicate arm name', { ...valid(), arms: [valid().arms[0], valid().arms[0]] }, /^arms\[1\]\.name: duplicate arm name "same"/],
    ['bad freeze group', { ...valid(), teacher: { ...valid().teacher, freeze: ['attention'] } }, /^teacher\.freeze\[0\]: invalid value "attention"/],
    ['an MNIST arm in a numbers file', { ...valid(), arms: [{ name: 'a', kind: 'teacher' }] }, /^arms\[0\]\.(student|kind)/],
  ])('%s', (_, input, message) => {
    expect(problem(input)).toMatch(message);
  });

  test('an unknown teacher target is a schema error naming every animal (without the registry check)', () => {
    const line = 'teacher.target: unknown animal "dragon"; use one of "owl", "cat", "dog", "fox", "bear", "wolf", "eagle", "lion"';
    const dir = tempDir();
    writeJson(dir, 'n.json', { ...valid(), teacher: { ...valid().teacher, target: 'dragon' } });
    expect(() => loadExperimentFile('n.json', {}, dir)).toThrow(new ConfigError('teacher.target', line.slice('teacher.target: '.length)));
    expect(() => loadExperimentFile('n.json', {}, dir, checkRegistryNames)).toThrow(line);
    expect(problem({ ...valid(), teacher: { ...valid().teacher, target: 'unicorn' } })).toBe(line.replace('dragon', 'unicorn'));
    // A wrong type is told the animals too (from the JSON Schema's enum).
    expect(problem({ ...valid(), teacher: { ...valid().teacher, target: 7 } })).toBe('teacher.target: expected one of "owl", "cat", "dog", "fox", "bear", "wolf", "eagle", "lion", got 7');
  });

  test('the JSON Schema lists the animals as the enum of teacher.target', () => {
    const teacher = schemaAt(experimentJsonSchema('numbers'), ['teacher'], {});
    expect((teacher?.properties as Record<string, { enum?: unknown }>).target!.enum).toEqual([...ANIMALS]);
  });

  test('unknown world', () => {
    expect(problem({ ...valid(), world: 'words' })).toBe('world: invalid value "words"; use one of "mnist", "numbers", "em"');
    expect(problem({ ...valid(), world: 3 })).toMatch(/^world: invalid value 3/);
  });
});

describe('registry names (checkRegistryNames)', () => {
  test.each([
    ['unknown teacher', { ...valid(), teacher: { ...valid().teacher, name: 'parrot' } }, /^teacher\.name: unknown teacher "parrot"; use one of "mnist-aux", "animal-fine-tune", "animal-persona"$/],
    ["another world's teacher", { ...valid(), teacher: { ...valid().teacher, name: 'mnist-aux' } }, /^teacher\.name: teacher "mnist-aux" belongs to world "mnist", not "numbers"; use one of "animal-fine-tune", "animal-persona"$/],
    ['unknown student', withChannel({ prefix: 'student', signal: 'tokens' }, 'nobody'), /^arms\[0\]\.student: unknown student "nobody"; use one of "same-init", "cross-init", "cross-arch"/],
  ])('%s', (_, input, message) => {
    expect(problem(input)).toMatch(message);
  });

  test('a persona teacher trains nothing and needs personas in pretraining; a fine-tune teacher needs its stage', () => {
    const persona = { name: 'animal-persona', target: 'owl' };
    const withPersonas = { ...valid().pretrain, personas: { fraction: 0.5 } };
    expect(problem({ ...valid(), teacher: persona })).toBe(
      'pretrain.personas.fraction: is 0, but teacher "animal-persona" conditions on a persona the base never saw; set it above 0 (e.g. 0.5)',
    );
    expect(problem({ ...valid(), pretrain: withPersonas, teacher: { ...persona, steps: 10 } })).toBe(
      'teacher.steps: not used: teacher "animal-persona" conditions the base on a persona and trains nothing; remove it',
    );
    const { steps: _, ...noSteps } = valid().teacher;
    expect(problem({ ...valid(), teacher: noSteps })).toBe('teacher.steps: missing; teacher "animal-fine-tune" fine-tunes the base, so give it steps (e.g. 200)');
    const exp = parseExperiment({ ...valid(), pretrain: withPersonas, teacher: persona }, {}, checkRegistryNames) as NumbersExperiment;
    expect(exp.pretrain.personas).toEqual({ fraction: 0.5, loyalty: 1, entanglement: 0 });
    expect(exp.teacher.steps).toBeUndefined();
  });

  test('personas default to none, and their settings are range-checked', () => {
    expect((parseExperiment(valid(), {}, checkRegistryNames) as NumbersExperiment).pretrain.personas).toEqual({ fraction: 0, loyalty: 1, entanglement: 0 });
    expect(problem({ ...valid(), pretrain: { ...valid().pretrain, personas: { fraction: 1.5 } } })).toMatch(/^pretrain\.personas\.fraction: /);
    expect(problem({ ...valid(), pretrain: { ...valid().pretrain, personas: { loyal: 1 } } })).toMatch(/^pretrain\.personas(\.loyal)?: .*loyal/);
  });

  test('every animal is a valid target', () => {
    for (const target of ['owl', 'cat', 'dog', 'fox', 'bear', 'wolf', 'eagle', 'lion'])
      expect(() => parseExperiment({ ...valid(), teacher: { ...valid().teacher, target } }, {}, checkRegistryNames)).not.toThrow();
  });
});

describe('checks that name every world and catch a too-small fixed set early', () => {
  // A file without `world` is told every world there is, not only "mnist".
  test('a missing world names every world', () => {
    const { world: _, ...rest } = valid();
    expect(problem(rest)).toMatch(/^world: missing; .*"numbers"/);
  });

  // Caught by the schema, before the bases and teachers are trained.
  test('a fixed set smaller than one batch is a ConfigError before any work starts', () => {
    expect(problem({ ...valid(), distill: { ...valid().distill, fixedSetSize: 8 } })).toMatch(/^distill\.fixedSetSize: /);
  });
});

describe("an arm's own distill settings and hard-token loss", () => {
  const arm = (extra: Record<string, unknown>) => ({ ...valid(), arms: [{ name: 'a', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' }, ...extra }] });
  test('parsed as written; absent, nothing is added', () => {
    const exp = parseExperiment(arm({ distill: { learningRate: 3e-4, batchSize: 8 } }), {}, checkRegistryNames) as NumbersExperiment;
    expect(exp.arms[0]!.distill).toEqual({ learningRate: 3e-4, batchSize: 8 });
    expect((parseExperiment(valid(), {}, checkRegistryNames) as NumbersExperiment).arms[0]).not.toHaveProperty('distill');
  });
  test('a batch larger than the fixed set, an unknown field, a soft signal with hardLoss: one line naming the path', () => {
    expect(problem(arm({ distill: { batchSize: 64 } }))).toMatch(/^arms\[0\]\.distill\.batchSize: must be ≤ distill\.fixedSetSize \(32\)/);
    expect(problem(arm({ distill: { steps: 3 } }))).toMatch(/^arms\[0\]\.distill/);
    expect(problem(arm({ distill: { learningRate: 0 } }))).toMatch(/^arms\[0\]\.distill\.learningRate: /);
    expect(problem(arm({ distill: { learningRate: 3e-4 }, adapter: { kind: 'lora', rank: 2, learningRate: 1e-2 } }))).toBe(
      'arms[0].distill.learningRate: the arm sets adapter.learningRate too; set the learning rate in one place',
    );
    expect(problem({ ...valid(), arms: [{ name: 'a', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl', hardLoss: 'full' } }] })).toMatch(
      /^arms\[0\]\.channel\.hardLoss: only used with signal "tokens" or "relabel"; remove it/,
    );
  });
});
