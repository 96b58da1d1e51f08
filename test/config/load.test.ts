// loadExperimentFile: a valid Experiment, or one ConfigError line naming the field and the fix.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { lineColumn, loadExperimentFile, parseExperiment, parseJsonText } from '../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import type { MnistExperiment } from '../../src/worlds/mnist/schema.js';

const shipped = join(import.meta.dirname, '../../experiments/mnist-aux-logits.json');

const valid = () => ({
  name: 'x',
  world: 'mnist',
  teacher: { name: 'mnist-aux', epochs: 1, batchSize: 10, learningRate: 0.01 },
  distill: { noiseImages: 10, epochs: 1, batchSize: 10, learningRate: 0.01 },
  arms: [{ name: 'a', kind: 'student', student: 'same-init', logits: 'aux' }],
});

/** The one-line message parseExperiment throws for `input`. */
function problem(input: unknown, seeds?: number): string {
  try {
    parseExperiment(input, { seeds }, checkRegistryNames);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadExperimentFile', () => {
  test('loads the shipped experiment, applying defaults', () => {
    const exp = loadExperimentFile(shipped);
    expect(exp.name).toBe('mnist-aux-logits');
    expect((exp as MnistExperiment).distill.temperature).toBeGreaterThan(0); // has a default
    expect(exp.arms.length).toBeGreaterThan(0);
  });

  test('--seeds replaces the file value, within the same range', () => {
    expect(loadExperimentFile(shipped, { seeds: 2 }).seeds).toBe(2);
    expect(() => loadExperimentFile(shipped, { seeds: 101 })).toThrow('--seeds: must be ≤ 100 (got 101)');
    expect(() => loadExperimentFile(shipped, { seeds: 2.5 })).toThrow('--seeds: must be a whole number');
  });

  test('file errors name the file as given', () => {
    expect(() => loadExperimentFile('missing.json', {}, tmpdir())).toThrow(new ConfigError('missing.json', 'file not found; check the path'));
    expect(() => loadExperimentFile(tmpdir())).toThrow(/is a directory/);
    const dir = mkdtempSync(join(tmpdir(), 'traitlab-load-'));
    writeFileSync(join(dir, 'empty.json'), '\n');
    expect(() => loadExperimentFile('empty.json', {}, dir)).toThrow('empty.json: the file is empty');
    rmSync(dir, { recursive: true });
  });
});

describe('schema errors: the first issue, one line, path and fix', () => {
  test.each([
    [{ ...valid(), teacher: { ...valid().teacher, foo: 1 } }, 'teacher.foo: unknown key; remove it (allowed keys: epochs, batchSize, learningRate, name)'],
    [{ ...valid(), distill: { ...valid().distill, temprature: 2 } }, 'distill.temprature: unknown key; did you mean "temperature"?'],
    [{ ...valid(), seeds: 101 }, 'seeds: must be ≤ 100 (got 101)'],
    [{ ...valid(), distill: { ...valid().distill, learningRate: 0 } }, 'distill.learningRate: must be > 0 (got 0)'],
    [{ ...valid(), model: { hidden: [] } }, 'model.hidden: must have at least 1 item (got 0)'],
    [{ ...valid(), model: { hidden: [8, 'wide'] } }, 'model.hidden[1]: expected an integer from 1 to 4096, got string "wide"'],
    [{ ...valid(), rootSeed: -1 }, 'rootSeed: must be ≥ 0 (got -1)'],
    [{ ...valid(), world: 'owls' }, 'world: invalid value "owls"; use one of "mnist", "numbers", "em"'],
    [{ ...valid(), name: 'My Exp' }, 'name: invalid value "My Exp"; use lower-case letters, digits and dashes'],
    [{ ...valid(), arms: [{ name: 'a', kind: 'student', student: 'same-init', logits: 'foo' }] }, 'arms[0].logits: invalid value "foo"; use one of "aux", "all"'],
    [{ ...valid(), arms: [{ name: 'a', kind: 'student', student: 'same-init' }] }, 'arms[0].logits: missing; use one of "aux", "all"'],
    [{ ...valid(), arms: [{ name: 'a', kind: 'teacher', logits: 'aux' }] }, 'arms[0].logits: unknown key; remove it (allowed keys: name, kind)'],
    [{ ...valid(), arms: [{ name: 'a' }] }, 'arms[0].kind: missing; use one of "reference", "teacher", "student"'],
    [{ ...valid(), arms: [{ name: 'a', kind: 'teacher' }, { name: 'a', kind: 'reference' }] }, 'arms[1].name: duplicate arm name "a"'],
    [{ ...valid(), distill: undefined }, 'distill: missing; add it (an object with keys'],
    [[], '(top level): expected an object with keys'],
    [{ ...valid(), teacher: { ...valid().teacher, name: 'parrot' } }, 'teacher.name: unknown teacher "parrot"; use one of "mnist-aux", "animal-fine-tune", "animal-persona"'],
    [{ ...valid(), teacher: { ...valid().teacher, name: 'animal-fine-tune' } }, 'teacher.name: teacher "animal-fine-tune" belongs to world "numbers", not "mnist"; use one of "mnist-aux"'],
    [{ ...valid(), arms: [{ name: 'a', kind: 'student', student: 'cross-arch', logits: 'aux' }] }, 'arms[0].student: student "cross-arch" has no MNIST recipe; use one of "same-init", "cross-init"'],
    [{ ...valid(), arms: [{ name: 'a', kind: 'student', student: 'cross', logits: 'aux' }] }, 'arms[0].student: unknown student "cross"; use one of "same-init", "cross-init", "cross-arch"'],
  ])('%# %j', (input, expected) => {
    expect(problem(input)).toContain(expected);
  });

  test('only the first of several issues is reported', () => {
    expect(problem({ ...valid(), seeds: 0, rootSeed: -1 })).toBe('seeds: must be ≥ 1 (got 0)');
  });
});

describe('JSON syntax errors carry line and column', () => {
  test.each([
    ['{\n  "a": 1,\n}', 'line 3 column 1: expected double-quoted property name'],
    ['{\n  "a": 1\n  "b": 2\n}', 'line 3 column 3: expected \',\' or \'}\' after property value'],
    ['{\n  "a": tru\n}', 'line 2 column 11: unexpected line break'],
    ['{"a": [1, ]}', "line 1 column 11: unexpected ']'"],
    ['{"a": 1', "line 1 column 8: expected ',' or '}' after property value"],
    ['{"a": ', 'line 1 column 7: unexpected end of JSON input'],
    ['{"a": 1} x', 'line 1 column 10: unexpected non-whitespace character after JSON'],
  ])('%j', (text, expected) => {
    expect(() => parseJsonText('f.json', text)).toThrow(`f.json: invalid JSON at ${expected}; fix the syntax`);
  });

  test('lineColumn is 1-based', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
