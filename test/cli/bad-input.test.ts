// Every kind of bad input ends the same way: exit 2, exactly one line on stderr naming the
// field (or option, or file) and the fix, and no run directory.
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { packageRoot } from '../../src/cli/package-root.js';
import { packageVersion } from '../../src/run/manifest.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';
import { tinyNumbers } from '../support/tiny-numbers.js';

const tiny = tinyExperiment();
const teacher = tiny.teacher as Record<string, unknown>;
const arms = tiny.arms as Record<string, unknown>[];

interface Case {
  name: string;
  /** File content: an object (serialised) or raw text; undefined = no file written. */
  file?: unknown;
  args?: string[];
  /** Text the single stderr line must contain (the field path first). */
  expect: string[];
}

const cases: Case[] = [
  { name: 'unknown key', file: tinyExperiment({ teacher: { ...teacher, foo: 1 } }), expect: ['teacher.foo: unknown key', 'allowed keys: epochs, batchSize, learningRate, name'] },
  { name: 'misspelt key', file: tinyExperiment({ seed: 1 }), expect: ['seed: unknown key; did you mean "seeds"?'] },
  { name: 'wrong type', file: tinyExperiment({ teacher: { ...teacher, epochs: 'two' } }), expect: ['teacher.epochs: expected an integer from 1 to 1000, got string "two"'] },
  { name: 'out-of-range value', file: tinyExperiment({ seeds: 101 }), expect: ['seeds: must be ≤ 100'] },
  { name: 'bad enum value', file: tinyExperiment({ arms: [...arms, { name: 'x', kind: 'student', student: 'same-init', logits: 'foo' }] }), expect: ['arms[4].logits: invalid value "foo"; use one of "aux", "all"'] },
  { name: 'bad arm kind', file: tinyExperiment({ arms: [{ name: 'x', kind: 'studnet' }] }), expect: ['arms[0].kind: invalid value "studnet"; use one of "reference", "teacher", "student"'] },
  { name: 'missing field', file: { ...tinyExperiment(), teacher: undefined }, expect: ['teacher: missing; add it'] },
  { name: 'unknown teacher name', file: tinyExperiment({ teacher: { ...teacher, name: 'parrot' } }), expect: ['teacher.name: unknown teacher "parrot"; use one of "mnist-aux", "animal-fine-tune", "animal-persona"'] },
  {
    name: 'unknown numbers teacher target',
    file: tinyNumbers({ teacher: { ...(tinyNumbers().teacher as Record<string, unknown>), target: 'dragon' } }),
    expect: ['teacher.target: unknown animal "dragon"; use one of "owl", "cat", "dog", "fox", "bear", "wolf", "eagle", "lion"'],
  },
  { name: 'unknown student name', file: tinyExperiment({ arms: [{ name: 'x', kind: 'student', student: 'same-inti', logits: 'aux' }] }), expect: ['arms[0].student: unknown student "same-inti"', '"same-init"'] },
  { name: 'missing file', expect: ['exp.json: file not found; check the path'] },
  { name: 'invalid JSON', file: '{\n  "name": "tiny",\n  "seeds": 2,\n}\n', expect: ['exp.json: invalid JSON at line 4 column 1'] },
  { name: 'invalid JSON without a V8 position', file: '{\n  "seeds": nul\n}', expect: ['exp.json: invalid JSON at line 2 column 15: unexpected line break'] },
  { name: 'bad --backend', file: tiny, args: ['--backend', 'gpu'], expect: ['--backend: invalid value "gpu"; use one of "auto", "node", "wasm", "cpu"'] },
  { name: 'bad --seeds (range)', file: tiny, args: ['--seeds', '101'], expect: ['--seeds: must be ≤ 100'] },
  { name: 'bad --seeds (zero)', file: tiny, args: ['--seeds', '0'], expect: ['--seeds: must be ≥ 1'] },
  { name: 'bad --seeds (not a number)', file: tiny, args: ['--seeds', 'three'], expect: ['--seeds: invalid value "three"; use a whole number'] },
  { name: 'unknown option', file: tiny, args: ['--sedes', '3'], expect: ["unknown option '--sedes'", 'traitlab run --help'] },
];

// Only where tfjs-node is absent (as on the machines this was written on) is `node` bad input.
if (packageVersion('@tensorflow/tfjs-node', packageRoot()) === null)
  cases.push({ name: 'unavailable backend', file: tiny, args: ['--backend', 'node'], expect: ['backend "node" is not available'] });

describe('traitlab run with bad input', () => {
  test.each(cases)('$name → exit 2, one line, no run directory', async (c) => {
    const cwd = tempDir();
    if (c.file !== undefined) writeJson(cwd, 'exp.json', c.file);
    const before = readdirSync(cwd);
    const r = await cli(cwd, 'run', 'exp.json', '--out', 'out', ...(c.args ?? []));
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    const line = r.err[0]!;
    expect(line).not.toContain('\n');
    expect(line.startsWith('traitlab: ')).toBe(true);
    for (const text of c.expect) expect(line).toContain(text);
    expect(r.out).toEqual([]);
    expect(readdirSync(cwd)).toEqual(before); // neither out/ nor runs/ nor a .partial
  });

  test('the default run directory is not created either', async () => {
    const cwd = tempDir();
    writeJson(cwd, 'exp.json', tinyExperiment({ seeds: 0 }));
    const r = await cli(cwd, 'run', 'exp.json');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: seeds: must be ≥ 1 (got 0)']);
    expect(readdirSync(cwd)).toEqual(['exp.json']);
  });

  test('unknown command and no command are bad input', async () => {
    const cwd = tempDir();
    const unknown = await cli(cwd, 'rnu');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toHaveLength(1);
    expect(unknown.err[0]).toContain("unknown command 'rnu'");
    const none = await cli(cwd);
    expect(none.code).toBe(2);
    expect(none.err).toHaveLength(1);
    // The list is every registered command, so it grows as commands are added.
    expect(none.err[0]).toMatch(/^traitlab: no command given; use one of run(, [a-z]+)+$/);
    for (const command of ['list', 'schema', 'show']) expect(none.err[0]).toContain(`, ${command}`);
  });
});
