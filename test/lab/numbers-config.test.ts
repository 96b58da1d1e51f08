// The lab's settings ⇄ experiment file: what Export writes is a valid numbers experiment (the
// schema `traitlab run` uses) that Import reads back to the same settings; Import refuses, in one
// line naming the field, what the lab cannot run as the file says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../src/lab/lab-config.js';
import { configOf, importExperimentText, labExperiment, labSettingsError, parseExperimentText } from '../../src/lab/numbers-config.js';
import { checkNumbersExperiment } from '../../src/worlds/numbers/check.js';
import { numbersExperimentSchema } from '../../src/worlds/numbers/schema.js';
import { root } from '../support/imports.js';
import { editedFile, errorOf } from '../support/lab-files.js';

const CONFIGS: LabConfig[] = [
  DEFAULT_CONFIG,
  { ...DEFAULT_CONFIG, target: 'fox', student: 'cross-init', prefix: 'student', signal: 'reverse-kl', seeds: 3, steps: 120, probeEvery: 7 },
  { ...DEFAULT_CONFIG, prefix: 'mix', lambda: 0.25, signal: 'jsd', beta: 0.9, learningRate: 0.0005, samplingTemperature: 0.7, lossTemperature: 2.5 },
  { ...DEFAULT_CONFIG, target: 'lion', prefix: 'student', signal: 'pg', seeds: 2, steps: 1, probeEvery: 1 },
  { ...DEFAULT_CONFIG, prefix: 'student', signal: 'relabel', lambda: 0.1, beta: 0.3 },
  { ...DEFAULT_CONFIG, signal: 'tokens', steps: 10_000, probeEvery: 10_000, learningRate: 1 },
];

/** The text Export downloads. */
const exported = (c: LabConfig) => `${JSON.stringify(labExperiment(c), null, 2)}\n`;

/** An exported file with one change made by `edit`, as text. */
const edited = (edit: (exp: Record<string, any>) => void, c: LabConfig = DEFAULT_CONFIG): string => editedFile(exported(c), edit);

const importError = (text: string) => errorOf(() => importExperimentText('lab.json', text, checkNumbersExperiment));

describe('settings that do not go together', () => {
  test('policy gradient off the student\'s samples, or at unequal temperatures: the schema\'s one line; the rest go together', () => {
    expect(labSettingsError({ ...DEFAULT_CONFIG, prefix: 'teacher-fixed', signal: 'pg' })?.message).toBe(
      'arms[0].channel.prefix: "teacher-fixed" cannot go with signal "pg", whose gradient is right only on the student\'s own samples; use prefix "student" (or a signal such as "reverse-kl")',
    );
    expect(labSettingsError({ ...DEFAULT_CONFIG, prefix: 'student', signal: 'pg', samplingTemperature: 0.5 })?.message).toMatch(/^distill\.samplingTemperature: 0\.5 ≠ distill\.lossTemperature 1, but arms\[0\]\.channel\.signal uses signal "pg"/);
    for (const c of CONFIGS) expect(labSettingsError(c)).toBeUndefined();
  });
});

describe('labExperiment', () => {
  test('is demo.json with one arm: the controls set the arm, seeds and distillation; the rest is demo.json', () => {
    const demo = numbersExperimentSchema.parse(JSON.parse(readFileSync(join(root, 'experiments/demo.json'), 'utf8')));
    const c = CONFIGS[1]!;
    const exp = labExperiment(c);
    expect(exp.name).toBe('lab-fox-cross-init-student-reverse-kl');
    expect(exp.description).toMatch(/^Exported from the traitlab lab page/);
    expect(exp.arms).toEqual([{ name: 'cross-init-student+reverse-kl', student: 'cross-init', channel: { prefix: 'student', signal: 'reverse-kl' } }]);
    expect(exp.claims).toEqual([]);
    expect([exp.model, exp.pretrain, exp.rootSeed]).toEqual([demo.model, demo.pretrain, demo.rootSeed]);
    expect(exp.teacher).toEqual({ ...demo.teacher, target: 'fox' });
    expect(exp.seeds).toBe(3);
    expect(exp.distill).toEqual({ ...demo.distill, steps: 120, probeEvery: 7, batchSize: 32, fixedSetSize: 1024 });
  });

  test.each(CONFIGS.map((c, i) => [i, c] as const))('config %i: the exported file passes the numbers schema and reads back to the same settings', (_, c) => {
    const text = exported(c);
    expect(numbersExperimentSchema.safeParse(JSON.parse(text)).success).toBe(true);
    expect(parseExperimentText('lab.json', text, checkNumbersExperiment)).toEqual(labExperiment(c));
    expect(configOf(labExperiment(c), c)).toEqual({ config: c, notices: [] });
    expect(importExperimentText('lab.json', text, checkNumbersExperiment, c)).toEqual({ config: c, notices: [] });
  });

  test('λ and β go into the file only with the prefix and signal that use them; without them, import keeps the sliders given', () => {
    const mix = CONFIGS[2]!;
    expect(labExperiment(mix).arms[0]!.channel).toEqual({ prefix: 'mix', signal: 'jsd', lambda: 0.25, beta: 0.9 });
    const plain = CONFIGS[4]!;
    expect(labExperiment(plain).arms[0]!.channel).toEqual({ prefix: 'student', signal: 'relabel' });
    expect(configOf(labExperiment(plain)).config).toEqual({ ...plain, lambda: DEFAULT_CONFIG.lambda, beta: DEFAULT_CONFIG.beta });
  });
});

describe('import', () => {
  test('a shipped experiment with several arms loads its first arm, with a notice for the rest and for its claims', () => {
    const { config, notices } = importExperimentText('demo.json', readFileSync(join(root, 'experiments/demo.json'), 'utf8'), checkNumbersExperiment);
    expect(config).toEqual({ ...DEFAULT_CONFIG, seeds: 3, probeEvery: 50 });
    expect(notices).toEqual([
      'the lab runs one arm at a time: loaded arm 1 of 4, "same-init-off-policy"',
      "the lab does not evaluate claims: left out the file's 5 (traitlab run evaluates them)",
    ]);
  });

  test('an invalid file gives the one line `traitlab run` gives, naming the field', () => {
    expect(importError(edited((e) => (e.distill.learningRate = 5)))).toBe('distill.learningRate: must be ≤ 1 (got 5)');
    expect(importError(edited((e) => (e.arms[0].channel.signal = 'kl')))).toBe(
      'arms[0].channel.signal: invalid value "kl"; use one of "tokens", "relabel", "forward-kl", "reverse-kl", "jsd", "pg"',
    );
    expect(importError(edited((e) => (e.teacher.target = 'dragon')))).toMatch(/^teacher\.target: unknown animal "dragon"; use one of "owl", /);
    expect(importError(edited((e) => (e.distill.stepz = 3)))).toMatch(/^distill\.stepz: unknown key; did you mean "steps"\?/);
    expect(importError('{ "name": "x", }')).toBe('lab.json: invalid JSON at line 1 column 16: expected double-quoted property name; fix the syntax (JSON has no comments or trailing commas)');
    expect(importError('')).toMatch(/^lab\.json: the file is empty/);
    expect(importError(edited((e) => (e.world = 'mnist')))).toBe('world: invalid value "mnist"; use "numbers"');
  });

  test("the numbers world's check names an unknown teacher or student, as traitlab run does", () => {
    expect(importError(edited((e) => (e.teacher.name = 'sage')))).toBe('teacher.name: unknown teacher "sage"; use one of "mnist-aux", "animal-fine-tune", "animal-persona"');
    expect(importError(edited((e) => (e.arms[0].student = 'twin')))).toBe('arms[0].student: unknown student "twin"; use one of "same-init", "cross-init", "cross-arch"');
  });

  test('a file made for other bases is refused with one line naming the field', () => {
    expect(importError(edited((e) => (e.pretrain.steps = 2000)))).toBe(
      "pretrain: the lab starts from the bases shipped in bases/, made with experiments/demo.json's pretraining; use its pretrain settings",
    );
    expect(importError(edited((e) => (e.model.dModel = 64)))).toBe("model: the lab starts from the bases shipped in bases/, made with experiments/demo.json's model; use its model settings");
    expect(importError(edited((e) => (e.rootSeed = 7)))).toBe("rootSeed: the lab starts from the bases shipped in bases/, made with experiments/demo.json's root seed 0; use its rootSeed");
  });

  test('settings beyond the browser lab or without a control are refused, naming the field', () => {
    expect(importError(edited((e) => (e.seeds = 5)))).toBe('seeds: must be ≤ 3 (got 5); the lab trains at most 3 seeds in the browser');
    expect(importError(edited((e) => (e.distill.steps = 20_000)))).toBe('distill.steps: must be ≤ 10000 (got 20000); the lab trains at most 10000 steps in the browser');
    expect(importError(edited((e) => (e.distill.batchSize = 64)))).toBe("distill.batchSize: the lab trains with experiments/demo.json's batchSize 32; use it");
    const fineTune = { name: 'animal-fine-tune', target: 'owl', steps: 200, batchSize: 64, learningRate: 0.001 };
    expect(importError(edited((e) => (e.teacher = fineTune)))).toMatch(/^teacher\.name: the lab runs experiments\/demo\.json's teacher \("animal-persona"/);
    const pg = (e: Record<string, any>) => ((e.arms[0].channel.prefix = 'student'), (e.arms[0].channel.signal = 'pg'));
    expect(importError(edited((e) => (pg(e), (e.arms[0].channel.discount = 0.5))))).toMatch(/^arms\[0\]\.channel\.discount: the lab has no control/);
    expect(importError(edited((e) => (pg(e), (e.arms[0].channel.baseline = 'leave-one-out'))))).toBe('arms[0].channel.baseline: the lab has no control for the policy-gradient baseline (it runs the default, none); remove it');
    expect(importError(edited((e) => ((e.arms[0].channel.signal = 'relabel'), (e.arms[0].channel.relabel = 'argmax'))))).toBe(
      "arms[0].channel.relabel: the lab has no control for the relabel token (it runs the default, the teacher's sampled token); remove it",
    );
    expect(importError(edited((e) => ((e.arms[0].channel.signal = 'forward-kl'), (e.arms[0].channel.teacherTopK = 5))))).toBe(
      "arms[0].channel.teacherTopK: the lab has no control for a truncated teacher (it runs the teacher's whole distribution); remove it",
    );
    expect(importError(edited((e) => (e.arms[0].control = 'cat')))).toBe("arms[0].control: the lab runs experiments/demo.json's control teacher (the neutral persona); remove it");
    expect(importError(edited((e) => (e.arms[0].adapter = { kind: 'lora', rank: 4 })))).toBe('arms[0].adapter: the lab trains full students only (no control for LoRA adapters); remove it, or run the file with `traitlab run`');
    expect(importError(edited((e) => ((e.arms[0].student = 'cross-arch'), (e.crossArch = { kind: 'gru' }))))).toMatch(/^crossArch: the lab has no cross-architecture base/);
  });
});
