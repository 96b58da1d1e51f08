// The seedsVary setting as input: "init" by default (in the resolved config every run's manifest
// records), "init-and-data" accepted by the MNIST and numbers worlds, a bad value and the EM
// world's unsupported value refused in one line naming the field (exit 2, no run directory),
// described in the JSON Schema, and refused by the lab, which runs "init" only.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_MNIST_CONFIG, importMnistInput, labMnistExperiment } from '../../src/lab/mnist-config.js';
import { importExperimentText } from '../../src/lab/numbers-config.js';
import { experimentJsonSchema } from '../../src/registry/experiment-json-schema.js';
import { parseExperiment } from '../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { checkNumbersExperiment } from '../../src/worlds/numbers/check.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';
import { manifestBlock } from '../../src/report/html/manifest.js';
import { root } from '../support/imports.js';
import { tinyEmRun } from '../support/tiny-em.js';
import { tinyNumbers } from '../support/tiny-numbers.js';

const shipped = (name: string) => JSON.parse(readFileSync(join(root, 'experiments', `${name}.json`), 'utf8')) as Record<string, unknown>;

describe('seedsVary', () => {
  test('defaults to "init" in every world; "init-and-data" is kept by mnist and numbers', () => {
    for (const file of [tinyExperiment(), tinyNumbers(), tinyEmRun()]) expect(parseExperiment(file, {}, checkRegistryNames).seedsVary).toBe('init');
    for (const file of [tinyExperiment({ seedsVary: 'init-and-data' }), tinyNumbers({ seedsVary: 'init-and-data' })]) expect(parseExperiment(file, {}, checkRegistryNames).seedsVary).toBe('init-and-data');
  });

  test.each([
    ['a bad value', tinyExperiment({ seedsVary: 'data' }), 'seedsVary: invalid value "data"; use one of "init", "init-and-data"'],
    ['a value of the wrong type', tinyNumbers({ seedsVary: true }), 'seedsVary: invalid value true; use one of "init", "init-and-data"'],
    ['init-and-data in the em world', tinyEmRun({ seedsVary: 'init-and-data' }), 'seedsVary: "init-and-data" is not supported for the em world yet; use "init"'],
    [
      'init-and-data with a CNN student',
      tinyExperiment({ seedsVary: 'init-and-data', arms: [{ name: 'cnn', kind: 'student', student: 'cross-init', logits: 'aux', cnn: { channels: 2, kernel: 3 } }] }),
      'arms[0].cnn: a CNN student cannot take per-seed data (seedsVary "init-and-data") yet; use seedsVary "init" or an MLP student',
    ],
  ])('%s → exit 2, one line naming the field, no run directory', async (_, file, line) => {
    const cwd = tempDir();
    writeJson(cwd, 'exp.json', file);
    const r = await cli(cwd, 'run', 'exp.json', '--out', 'out');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`traitlab: ${line}`]);
    expect(readdirSync(cwd)).toEqual(['exp.json']);
  });

  test('the JSON Schema describes it with its two values and its default', () => {
    for (const world of ['mnist', 'numbers', 'em']) {
      const field = (experimentJsonSchema(world) as { properties: Record<string, { enum?: unknown; default?: unknown; description?: string }> }).properties.seedsVary!;
      expect(field.enum).toEqual(['init', 'init-and-data']);
      expect(field.default).toBe('init');
      expect(field.description).toContain('"init-and-data" also gives each seed its own data streams');
    }
  });

  test('the lab runs "init" only: an init-and-data file is refused in one line, an init one loads', () => {
    const mnist = labMnistExperiment(DEFAULT_MNIST_CONFIG);
    expect(importMnistInput({ ...mnist, seedsVary: 'init' }).config).toEqual(DEFAULT_MNIST_CONFIG);
    expect(() => importMnistInput({ ...mnist, seedsVary: 'init-and-data' })).toThrow(
      `seedsVary: the lab has no control for it and runs experiments/mnist-aux-logits.json's "init"; use that`,
    );
    const demo = shipped('demo');
    expect(() => importExperimentText('lab.json', JSON.stringify({ ...demo, seedsVary: 'init-and-data' }), checkNumbersExperiment)).toThrow(
      'seedsVary: the lab has no control for it and runs "init" (seeds differ in their initialisation only); use that, or run the file with traitlab run',
    );
    expect(importExperimentText('lab.json', JSON.stringify({ ...demo, seedsVary: 'init' }), checkNumbersExperiment).config.seeds).toBe(demo.seeds);
  });
});

describe('seedsVary in the report', () => {
  test("the manifest block says when each seed had its own data, and says nothing for init (or a config from before the field)", () => {
    const manifest = (config: Record<string, unknown>) => ({ experiment: 'x', seeds: 5, rootSeed: 0, config });
    expect(manifestBlock(manifest({ seedsVary: 'init-and-data' }))).toContain('5 (root seed 0; each seed with its own data)');
    expect(manifestBlock(manifest({ seedsVary: 'init' }))).toContain('5 (root seed 0)</td>');
    expect(manifestBlock(manifest({}))).toContain('5 (root seed 0)</td>');
  });
});
