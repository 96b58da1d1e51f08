// schema, list, --help and --version, in-process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { mnistExperimentSchema as experimentSchema } from '../../src/worlds/mnist/schema.js';
import { numbersExperimentSchema } from '../../src/worlds/numbers/schema.js';
import { cli, tempDir } from '../support/cli.js';

describe('traitlab schema', () => {
  test('prints a JSON Schema with the experiment fields', async () => {
    const r = await cli(tempDir(), 'schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out.join('\n'));
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    // every world's fields, and the sweep block any experiment file may carry (read before the world's schema)
    expect(Object.keys(schema.properties)).toEqual([...Object.keys(experimentSchema.shape), 'sweep']);
    expect(schema.properties.sweep).toMatchObject({ type: 'array', minItems: 1, maxItems: 2, items: { required: ['path', 'values'], additionalProperties: false } });
    for (const key of ['name', 'world', 'seeds', 'model', 'teacher', 'distill', 'arms']) expect(schema.properties).toHaveProperty(key);
    expect(schema.properties.seeds).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    // Fields with defaults are optional to write.
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'world', 'teacher', 'distill', 'arms']));
    expect(schema.required).not.toContain('seeds');
  });

  test('--world numbers prints the numbers-world schema; an unknown world exits 2', async () => {
    const r = await cli(tempDir(), 'schema', '--world', 'numbers');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out.join('\n'));
    expect(Object.keys(schema.properties)).toEqual([...Object.keys(numbersExperimentSchema.shape), 'sweep']);
    expect(schema.properties.world).toMatchObject({ const: 'numbers' });
    const bad = await cli(tempDir(), 'schema', '--world', 'words');
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual(['traitlab: --world: invalid value "words"; use one of "mnist", "numbers", "em"']);
  });

  test('--out writes the same schema to a file (and nothing else)', async () => {
    const cwd = tempDir();
    const r = await cli(cwd, 'schema', '--out', 'experiment.schema.json');
    expect(r.code).toBe(0);
    expect(readdirSync(cwd)).toEqual(['experiment.schema.json']);
    const printed = await cli(cwd, 'schema');
    expect(readFileSync(join(cwd, 'experiment.schema.json'), 'utf8')).toBe(`${printed.out.join('\n')}\n`);
  });

  test('the shipped experiment validates against its own schema keys', async () => {
    const r = await cli(tempDir(), 'schema');
    const schema = JSON.parse(r.out.join('\n'));
    const shipped = JSON.parse(readFileSync(join(import.meta.dirname, '../../experiments/mnist-aux-logits.json'), 'utf8'));
    for (const key of Object.keys(shipped)) expect(schema.properties).toHaveProperty([key]);
  });
});

describe('traitlab list', () => {
  test('names the worlds, the shipped experiments, teachers and students', async () => {
    const r = await cli(tempDir(), 'list');
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/^Worlds \(world\)\n {2}mnist +MNIST auxiliary logits: .*\n {2}numbers +number sequences: .*\n {2}em +emergent misalignment: /m);
    for (const name of ['mnist-aux-logits', 'mnist-aux', 'same-init', 'cross-init']) expect(text).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(text).not.toContain('(invalid');
    expect(text).toContain('Subliminal transfer through auxiliary logits');
  });
});

describe('help and version', () => {
  test.each([['--help'], ['run', '--help'], ['list', '--help'], ['schema', '--help']])('%s %s exits 0 with usage on stdout', async (...argv) => {
    const r = await cli(tempDir(), ...argv);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out.join('\n')).toMatch(/^Usage: traitlab/);
  });

  test('run --help lists the options', async () => {
    const text = (await cli(tempDir(), 'run', '--help')).out.join('\n');
    for (const option of ['--seeds', '--backend', '--out']) expect(text).toContain(option);
  });

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
    const r = await cli(tempDir(), '--version');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([pkg.version]);
  });
});
