// Sane input limits: an experiment file over 10 MB is refused before it is read; in every world
// a text field over 20,000 characters, a name over 100, a list over 1,000 items or notes over 200
// entries is one ConfigError line naming the field path and the limit — through the loader and
// through `traitlab run` (exit 2, nothing written). Before, a 50 MB note or 400,000 arms were
// accepted and copied into manifest.json. The shipped experiments stay far inside every limit.
import { readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { experimentJsonSchema } from '../../src/registry/experiment-json-schema.js';
import { LIMITS } from '../../src/config/limits.js';
import { loadExperimentFile } from '../../src/registry/load-experiment.js';
import { loadRunFile } from '../../src/registry/load-run-file.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { problem } from '../support/problem.js';
import { tinyEmRecipe } from '../support/tiny-em.js';

const mnist = (o: Record<string, unknown> = {}) => tinyExperiment(o);
const numbers = (o: Record<string, unknown> = {}) => tinyNumbers(o);
const em = (o: Record<string, unknown> = {}) => ({ name: 'tiny-em', ...tinyEmRecipe(), arms: [{ name: 'narrow' }, { name: 'secure', variant: 'secure' }], ...o });
const worlds = { mnist, numbers, em } as const;

const chars = (n: number, c = 'a') => c.repeat(n);
const claim = (arm: string, o: Record<string, unknown> = {}) => ({ id: 'c1', text: 'the claim', kind: 'greater', left: { arm, metric: 'accuracy' }, value: 0, ...o });

/** The ConfigError loadExperimentFile throws for a file holding `text`. */
function loadProblem(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  try {
    loadExperimentFile(name, {}, dir, checkRegistryNames);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the experiment file size (checked before parsing)', () => {
  test('a file over 10 MB (a 12 MB note) is refused naming the file, its size and the limit', () => {
    const dir = tempDir();
    const text = JSON.stringify(mnist({ notes: { pretrain: chars(12 * 1024 * 1024) } }));
    expect(loadProblem(dir, 'big.json', text)).toBe(
      'big.json: the file is 12.0 MB, more than the 10.0 MB an experiment file may be; an experiment is settings (a few kB), so remove what is not',
    );
  });

  test('exactly 10 MB loads; one byte more does not', () => {
    const dir = tempDir();
    const body = JSON.stringify(mnist());
    const padded = body + ' '.repeat(LIMITS.fileBytes - body.length); // trailing whitespace is valid JSON
    writeFileSync(join(dir, 'ten.json'), padded);
    expect(loadExperimentFile('ten.json', {}, dir, checkRegistryNames).name).toBe('tiny');
    expect(loadProblem(dir, 'ten1.json', `${padded} `)).toMatch(/^ten1\.json: the file is 10\.0 MB, more than the 10\.0 MB/);
  });

  test('a 4 GB (sparse) file is refused from its size, without reading it', () => {
    const dir = tempDir();
    const file = join(dir, 'huge.json');
    writeFileSync(file, JSON.stringify(mnist()));
    truncateSync(file, 4 * 1024 ** 3);
    const started = performance.now();
    expect(() => loadExperimentFile('huge.json', {}, dir)).toThrow('huge.json: the file is 4096.0 MB, more than the 10.0 MB an experiment file may be');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('text fields: at most 20,000 characters', () => {
  test.each(Object.entries(worlds))('%s: description and a note', (_world, make) => {
    expect(() => problem(make({ description: chars(LIMITS.text), notes: { seeds: chars(LIMITS.text) } }))).toThrow('expected a ConfigError'); // at the limit: valid
    expect(problem(make({ description: chars(LIMITS.text + 1) }))).toBe('description: must be at most 20000 characters long (got 20001); shorten it');
    expect(problem(make({ notes: { seeds: chars(LIMITS.text + 1) } }))).toBe('notes.seeds: must be at most 20000 characters long (got 20001); shorten it');
  });

  test('a 50 MB note reaching the schema (as from a manifest on resume) is refused by the same limit', () => {
    expect(problem(mnist({ notes: { pretrain: chars(50 * 1024 * 1024) } }))).toBe('notes.pretrain: must be at most 20000 characters long (got 52428800); shorten it');
  });

  test("a claim's text and $schema", () => {
    expect(problem(mnist({ claims: [claim('teacher', { text: chars(LIMITS.text + 1) })] }))).toBe('claims[0].text: must be at most 20000 characters long (got 20001); shorten it');
    expect(problem(numbers({ $schema: chars(LIMITS.text + 1) }))).toBe('$schema: must be at most 20000 characters long (got 20001); shorten it');
  });
});

describe('names: at most 100 characters', () => {
  const long = chars(LIMITS.name + 1);
  test.each(Object.entries(worlds))('%s: the experiment name and an arm name', (_world, make) => {
    expect(problem(make({ name: long }))).toBe('name: must be at most 100 characters long (got 101); shorten it');
    const arms = (make().arms as Record<string, unknown>[]).map((a, i) => (i === 0 ? { ...a, name: long } : a));
    expect(problem(make({ arms }))).toBe('arms[0].name: must be at most 100 characters long (got 101); shorten it');
  });

  test('recipe names, the target, a claim id and arm, and a note key', () => {
    const t = numbers().teacher as Record<string, unknown>;
    expect(problem(numbers({ teacher: { ...t, name: long } }))).toBe('teacher.name: must be at most 100 characters long (got 101); shorten it');
    expect(problem(numbers({ teacher: { ...t, target: long } }))).toBe('teacher.target: must be at most 100 characters long (got 101); shorten it');
    const arm = (numbers().arms as Record<string, unknown>[])[0]!;
    expect(problem(numbers({ arms: [{ ...arm, student: long }] }))).toBe('arms[0].student: must be at most 100 characters long (got 101); shorten it');
    expect(problem(mnist({ claims: [claim('teacher', { id: long })] }))).toBe('claims[0].id: must be at most 100 characters long (got 101); shorten it');
    expect(problem(mnist({ claims: [claim(long)] }))).toBe('claims[0].left.arm: must be at most 100 characters long (got 101); shorten it');
    expect(problem(em({ notes: { [long]: 'why' } }))).toBe(`notes: key "${chars(39)}…" must be at most 100 characters long (got 101); shorten it`);
  });
});

describe('lists: at most 1,000 items; notes: at most 200 entries', () => {
  const armsOf = (make: (o?: Record<string, unknown>) => Record<string, unknown>, n: number) => {
    const arm = (make().arms as Record<string, unknown>[])[0]!;
    return Array.from({ length: n }, (_, i) => ({ ...arm, name: `arm-${i}` }));
  };

  test.each(Object.entries(worlds))('%s: 1,000 arms are valid, 1,001 are not', (_world, make) => {
    expect(() => problem(make({ arms: armsOf(make, LIMITS.list) }))).toThrow('expected a ConfigError');
    expect(problem(make({ arms: armsOf(make, LIMITS.list + 1) }))).toBe('arms: must have at most 1000 items (got 1001); split the experiment into several files');
  });

  test('400,000 arms (as from a manifest) are refused by the same limit', () => {
    const arms = Array.from({ length: 400_000 }, (_, i) => ({ name: `r${i}`, kind: 'reference' }));
    expect(problem(mnist({ arms }))).toBe('arms: must have at most 1000 items (got 400000); split the experiment into several files');
  });

  test('claims, subliminal arms, cells to evaluate, matrix cells, frozen groups', () => {
    const claims = Array.from({ length: LIMITS.list + 1 }, (_, i) => claim('teacher', { id: `c${i}` }));
    expect(problem(mnist({ claims }))).toBe('claims: must have at most 1000 items (got 1001); split the experiment into several files');
    const sub = { name: 's', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } };
    const distill = { steps: 4, batchSize: 8, learningRate: 0.01, fixedSetSize: 16 };
    expect(problem(em({ distill, subliminal: Array.from({ length: LIMITS.list + 1 }, (_, i) => ({ ...sub, name: `s${i}` })) }))).toBe(
      'subliminal: must have at most 1000 items (got 1001); split the experiment into several files',
    );
    expect(problem(em({ arms: [{ name: 'narrow', evaluate: Array(LIMITS.list + 1).fill('others') }] }))).toBe(
      'arms[0].evaluate: must have at most 1000 items (got 1001); split the experiment into several files',
    );
    expect(problem(em({ matrix: { cells: Array(LIMITS.list + 1).fill('next/chem') } }))).toBe('matrix.cells: must have at most 1000 items (got 1001); split the experiment into several files');
    const t = numbers().teacher as Record<string, unknown>;
    expect(problem(numbers({ teacher: { ...t, freeze: Array(LIMITS.list + 1).fill('head') } }))).toBe('teacher.freeze: must have at most 1000 items (got 1001); split the experiment into several files');
  });

  test.each(Object.entries(worlds))('%s: 200 notes are valid, 201 are not', (_world, make) => {
    const notes = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`field${i}`, 'why']));
    expect(() => problem(make({ notes: notes(LIMITS.notes) }))).toThrow('expected a ConfigError');
    expect(problem(make({ notes: notes(LIMITS.notes + 1) }))).toBe('notes: must have at most 200 entries (got 201); keep one short note per field that needs one');
  });
});

describe('the limits reach users and editors', () => {
  test('traitlab run: exit 2, one line naming the field and the limit, nothing written', async () => {
    const cwd = tempDir();
    writeJson(cwd, 'many.json', numbers({ arms: armsFor(LIMITS.list + 1) }));
    writeJson(cwd, 'big.json', JSON.stringify(mnist({ notes: { pretrain: chars(11 * 1024 * 1024) } })));
    writeJson(cwd, 'long.json', em({ description: chars(LIMITS.text + 1) }));
    const before = readdirSync(cwd).sort();
    const lines: string[] = [];
    for (const file of ['many.json', 'big.json', 'long.json']) {
      const r = await cli(cwd, 'run', file, '--out', 'out');
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.out).toEqual([]);
      lines.push(r.err[0]!);
    }
    expect(lines).toEqual([
      'traitlab: arms: must have at most 1000 items (got 1001); split the experiment into several files',
      'traitlab: big.json: the file is 11.0 MB, more than the 10.0 MB an experiment file may be; an experiment is settings (a few kB), so remove what is not',
      'traitlab: description: must be at most 20000 characters long (got 20001); shorten it',
    ]);
    expect(readdirSync(cwd).sort()).toEqual(before);
  });

  test('the JSON Schema (traitlab schema) carries every limit, in every world', () => {
    for (const world of ['mnist', 'numbers', 'em'] as const) {
      const props = experimentJsonSchema(world).properties as Record<string, Record<string, unknown>>;
      expect(props.description).toMatchObject({ maxLength: LIMITS.text });
      expect(props.name).toMatchObject({ maxLength: LIMITS.name });
      expect(props.notes).toMatchObject({ maxProperties: LIMITS.notes, additionalProperties: { maxLength: LIMITS.text }, propertyNames: { maxLength: LIMITS.name } });
      expect(props.arms).toMatchObject({ maxItems: LIMITS.list });
      expect(props.claims).toMatchObject({ maxItems: LIMITS.list });
    }
  });

  test('every shipped experiment is within the limits', () => {
    const dir = join(import.meta.dirname, '../../experiments');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      // A sweep file is checked point by point: every point is an experiment of its own.
      const loaded = loadRunFile(join(dir, f), {}, process.cwd(), checkRegistryNames);
      const exps = loaded.kind === 'experiment' ? [loaded.exp] : loaded.plan.points.map((p) => p.exp);
      for (const exp of exps) expect(exp.name).toBe(f.replace(/\.json$/, ''));
    }
  });
});

function armsFor(n: number) {
  const arm = (numbers().arms as Record<string, unknown>[])[0]!;
  return Array.from({ length: n }, (_, i) => ({ ...arm, name: `arm-${i}` }));
}
