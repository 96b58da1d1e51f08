// The lab's MNIST settings ⇄ experiment file: what Export writes is a valid MNIST experiment (the
// schema `traitlab run` uses) with the teacher and the two aux-logit students, which Import reads
// back to the same settings; Import refuses, in one line naming the field, what the panel cannot
// show or has no control for; and the world a file declares picks the panel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { declaredWorld, readExperimentJson } from '../../src/lab/experiment-json.js';
import { DEFAULT_MNIST_CONFIG, importMnistText, labMnistExperiment, mnistConfigOf, type MnistConfig } from '../../src/lab/mnist-config.js';
import { mnistExperimentSchema } from '../../src/worlds/mnist/schema.js';
import { root } from '../support/imports.js';
import { editedFile, errorOf } from '../support/lab-files.js';

const fileText = (name: string) => readFileSync(join(root, 'experiments', name), 'utf8');
const SHIPPED = mnistExperimentSchema.parse(JSON.parse(fileText('mnist-aux-logits.json')));

const CONFIGS: MnistConfig[] = [
  DEFAULT_MNIST_CONFIG,
  { seeds: 3, teacherEpochs: 20, noiseImages: 60_000, distillEpochs: 20, learningRate: 1, probeEvery: 10_000 },
  { seeds: 1, teacherEpochs: 1, noiseImages: 1, distillEpochs: 1, learningRate: 1e-7, probeEvery: 1 },
  { ...DEFAULT_MNIST_CONFIG, learningRate: 0.1 + 0.2, noiseImages: 4096, probeEvery: 7 },
];

/** The text Export downloads. */
const exported = (c: MnistConfig) => `${JSON.stringify(labMnistExperiment(c), null, 2)}\n`;

/** An exported file with one change made by `edit`, as text. */
const edited = (edit: (exp: Record<string, any>) => void, c: MnistConfig = DEFAULT_MNIST_CONFIG): string => editedFile(exported(c), edit);

const importError = (text: string) => errorOf(() => importMnistText('lab.json', text));

describe('labMnistExperiment', () => {
  test("is mnist-aux-logits.json with the teacher and the two aux-logit students, the lab's sizes and no claims", () => {
    const c = CONFIGS[3]!;
    const exp = labMnistExperiment(c);
    expect(mnistExperimentSchema.safeParse(JSON.parse(exported(c))).success).toBe(true);
    expect(exp.name).toBe('lab-mnist-aux-logits');
    expect(exp.description).toMatch(/^Exported from the traitlab lab page/);
    expect(exp.arms).toEqual([
      { name: 'teacher', kind: 'teacher' },
      { name: 'student-aux-same-init', kind: 'student', student: 'same-init', logits: 'aux' },
      { name: 'student-aux-cross-init', kind: 'student', student: 'cross-init', logits: 'aux' },
    ]);
    expect(exp.claims).toEqual([]);
    expect([exp.model, exp.rootSeed, exp.logEvery]).toEqual([SHIPPED.model, SHIPPED.rootSeed, SHIPPED.logEvery]);
    expect(exp.teacher).toEqual({ ...SHIPPED.teacher, epochs: 2 });
    expect(exp.seeds).toBe(2);
    expect(exp.distill).toEqual({ ...SHIPPED.distill, noiseImages: 4096, epochs: 1, learningRate: 0.30000000000000004, probeEvery: 7 });
  });

  test.each(CONFIGS.map((c, i) => [i, c] as const))('config %i: the exported file passes the MNIST schema and reads back to the same settings', (_, c) => {
    const text = exported(c);
    expect(mnistExperimentSchema.safeParse(JSON.parse(text)).success).toBe(true);
    expect(mnistConfigOf(labMnistExperiment(c))).toEqual({ config: c, notices: [] });
    expect(importMnistText('lab.json', text)).toEqual({ config: c, notices: [] });
  });
});

describe('MNIST import', () => {
  test('an invalid file gives the one line `traitlab run` gives, naming the field', () => {
    expect(importError(edited((e) => (e.distill.learningRate = 5)))).toBe('distill.learningRate: must be ≤ 1 (got 5)');
    expect(importError(edited((e) => (e.arms[1].logits = 'some')))).toBe('arms[1].logits: invalid value "some"; use one of "aux", "all"');
    expect(importError(edited((e) => (e.distill.noize = 3)))).toMatch(/^distill\.noize: unknown key; remove it \(allowed keys: epochs, /);
    expect(importError(edited((e) => (e.world = 'numbers')))).toBe('world: invalid value "numbers"; use "mnist"');
    expect(importError('{ "world": "mnist", }')).toBe('lab.json: invalid JSON at line 1 column 21: expected double-quoted property name; fix the syntax (JSON has no comments or trailing commas)');
  });

  test('the shipped experiment is refused at its first arm the panel does not show', () => {
    expect(importError(fileText('mnist-aux-logits.json'))).toBe(
      'arms[0]: the lab shows exactly the arms "teacher" (kind teacher), "student-aux-same-init" (a same-init student on the aux logits), ' +
        '"student-aux-cross-init" (a cross-init student on the aux logits), in this order; got "reference" (kind reference)',
    );
  });

  test('other arms, fewer arms, or another order are refused, naming the arm', () => {
    expect(importError(edited((e) => (e.arms[2].logits = 'all')))).toMatch(/^arms\[2\]: the lab shows exactly the arms .*; got "student-aux-cross-init" \(a cross-init student on the all logits\)$/);
    expect(importError(edited((e) => e.arms.pop()))).toMatch(/^arms: the lab shows exactly the arms .*; the file has only 2$/);
    expect(importError(edited((e) => e.arms.reverse()))).toMatch(/^arms\[0\]: .*; got "student-aux-cross-init"/);
    expect(importError(edited((e) => e.arms.push({ name: 'reference', kind: 'reference' })))).toMatch(/^arms\[3\]: .*; got "reference" \(kind reference\)$/);
    expect(importError(edited((e) => (e.arms[1].name = 'same')))).toMatch(/^arms\[1\]: .*; got "same" \(a same-init student on the aux logits\)$/);
  });

  test('settings beyond the browser lab are refused with the reason', () => {
    expect(importError(edited((e) => (e.seeds = 5)))).toBe('seeds: must be ≤ 3 (got 5); the lab trains at most 3 seeds in the browser');
    expect(importError(edited((e) => (e.distill.noiseImages = 100_000)))).toBe(
      'distill.noiseImages: must be ≤ 60000 (got 100000); the lab holds at most 60,000 noise images (the published size, 188 MB) in the browser',
    );
    expect(importError(edited((e) => (e.teacher.epochs = 50)))).toBe('teacher.epochs: must be ≤ 20 (got 50); the lab trains the teacher at most 20 epochs in the browser');
  });

  test('what the lab has no control for must be the shipped file’s', () => {
    expect(importError(edited((e) => (e.model.hidden = [64])))).toBe(`model: the lab has no control for it and runs experiments/mnist-aux-logits.json's {"hidden":[256,256],"auxLogits":3}; use that`);
    expect(importError(edited((e) => (e.rootSeed = 7)))).toBe("rootSeed: the lab has no control for it and runs experiments/mnist-aux-logits.json's 0; use that");
    expect(importError(edited((e) => (e.teacher.learningRate = 0.001)))).toMatch(/^teacher\.learningRate: the lab has no control for it and runs .*'s 0\.0003; use that$/);
    expect(importError(edited((e) => (e.teacher.name = 'sage')))).toMatch(/^teacher\.name: .*'s "mnist-aux"; use that$/);
    expect(importError(edited((e) => (e.distill.batchSize = 1024)))).toMatch(/^distill\.batchSize: .*'s 256; use that$/);
    expect(importError(edited((e) => (e.distill.temperature = 2)))).toMatch(/^distill\.temperature: .*'s 1; use that$/);
  });

  test('a missing probeEvery takes the default and claims are left out, each with a notice', () => {
    const text = edited((e) => {
      delete e.distill.probeEvery;
      e.claims = SHIPPED.claims.filter((c) => c.id === 'aux-same-beats-cross');
    });
    expect(importMnistText('lab.json', text)).toEqual({
      config: DEFAULT_MNIST_CONFIG,
      notices: [
        `distill.probeEvery: not in the file; the lab probes every ${DEFAULT_MNIST_CONFIG.probeEvery} steps, to draw the curves`,
        "the lab does not evaluate claims: left out the file's 1 (traitlab run evaluates them)",
      ],
    });
  });
});

describe('the world a file declares', () => {
  const worldOf = (text: string) => {
    try {
      return declaredWorld(readExperimentJson('x.json', text));
    } catch (e) {
      return (e as Error).message;
    }
  };
  test('picks the panel; a missing, unknown or panel-less world is one line', () => {
    expect(worldOf(exported(DEFAULT_MNIST_CONFIG))).toBe('mnist');
    expect(worldOf(fileText('demo.json'))).toBe('numbers');
    expect(worldOf('[1, 2]')).toBe('numbers');
    expect(worldOf('{ "name": "x" }')).toBe('world: missing; use one of "numbers", "mnist"');
    expect(worldOf('{ "world": "mnst" }')).toBe('world: invalid value "mnst"; use one of "numbers", "mnist"');
    expect(worldOf('{ "world": "em" }')).toMatch(/^world: the lab has no panel for the "em" world; run it with traitlab run/);
  });
});
