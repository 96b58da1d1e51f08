// docs/write-your-own.md stays true: its worked experiment runs through the CLI and prints the
// table the page shows (wasm: same config, seed and backend give the same numbers); the error
// lines it quotes are what traitlab prints; the same-head student example gives the teacher's
// initial output layer and another seed's hidden layers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { drawMemberInit } from '../../src/models/mlp.js';
import { rootStream } from '../../src/engine/rng.js';
import { sameHeadStudent } from '../../docs/examples/same-head-student.js';
import { cli, tempDir, writeJson } from '../support/cli.js';

const root = join(import.meta.dirname, '../..');
const page = readFileSync(join(root, 'docs/write-your-own.md'), 'utf8');
const exampleFile = join(root, 'docs/examples/aux-logits-small.json');
const example = JSON.parse(readFileSync(exampleFile, 'utf8')) as Record<string, unknown> & { arms: Record<string, unknown>[] };

/** The lines of the page's first ``` block that starts with `first`. */
function block(first: string): string[] {
  const found = [...page.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd().split('\n')).find((lines) => lines[0]!.startsWith(first));
  expect(found, `a code block starting "${first}"`).toBeDefined();
  return found!;
}

describe('the worked experiment', () => {
  test('runs through the CLI and prints the table on the page; its claims are evaluated; same-init beats cross-init on every seed', async () => {
    const cwd = tempDir('traitlab-example-');
    const r = await cli(cwd, 'run', exampleFile, '--out', 'run', '--backend', 'wasm', '--jobs', '1');
    expect(r.err.filter((l) => l.startsWith('traitlab:'))).toEqual([]);
    expect(r.code).toBe(0);
    const printed = r.out.join('\n').split('\n');
    for (const line of block('arm ')) expect(printed).toContain(line);
    const summary = JSON.parse(readFileSync(join(cwd, 'run', 'summary.json'), 'utf8'));
    const acc = (name: string) => summary.arms.find((a: { name: string }) => a.name === name).accuracy as number[];
    for (let seed = 0; seed < 2; seed++) expect(acc('student-aux-same-init')[seed]!).toBeGreaterThan(acc('student-aux-cross-init')[seed]! + 0.1);
    expect(summary.claims.map((c: { id: string; verdict: string }) => c.id)).toEqual(['teacher-learns', 'same-beats-cross']);
  }, 180_000);

  test('the page shows the file as it is: every one-line field of its excerpt equals the file’s', () => {
    const fields = block('{')
      .filter((l) => /^ {2}"/.test(l)) // top-level fields
      .map((l) => l.trim().replace(/,$/, ''))
      .filter((l) => /^"\w+": .*[^{[]$/.test(l) && !l.includes('…'))
      .map((l) => JSON.parse(`{${l}}`) as Record<string, unknown>);
    expect(fields.map((f) => Object.keys(f)[0])).toEqual(['name', 'world', 'seeds', 'rootSeed', 'logEvery', 'model', 'teacher', 'distill']);
    for (const f of fields) for (const [k, v] of Object.entries(f)) expect(example[k], k).toEqual(v);
    const arms = block('{').filter((l) => l.trim().startsWith('{ "name"')).map((l) => JSON.parse(l.trim().replace(/,$/, '')));
    expect(arms).toEqual(example.arms);
  });

  test('the error lines the page quotes are what traitlab prints', async () => {
    const cwd = tempDir('traitlab-example-bad-');
    const quoted = block('traitlab: arms[1].logits');
    const badLogits = structuredClone(example);
    badLogits.arms[1]!.logits = 'auxx';
    const r1 = await cli(cwd, 'run', writeJson(cwd, 'a.json', badLogits));
    expect(r1.code).toBe(2);
    expect(r1.err).toEqual([quoted[0]]);
    const badStudent = structuredClone(example);
    badStudent.arms[2]!.student = 'same-heads';
    const r2 = await cli(cwd, 'run', writeJson(cwd, 'b.json', badStudent));
    expect(r2.code).toBe(2);
    expect(r2.err).toEqual([quoted[1]]);
  });
});

describe('the same-head student example', () => {
  test("member m: the teacher's initial output layer, the hidden layers of seed members + m", () => {
    const sizes = [784, 16, 8, 13];
    const init = (seed: number) => drawMemberInit(sizes, rootStream(1).child('init').child(String(seed)));
    const ctx = { members: 2, teacherInit: init, initOfSeed: init };
    for (const m of [0, 1]) {
      const s = sameHeadStudent.init!(ctx, m);
      const teacher = init(m);
      const other = init(2 + m);
      expect(s.weights).toHaveLength(3);
      expect(s.weights[2]).toEqual(teacher.weights[2]);
      expect(s.biases[2]).toEqual(teacher.biases[2]);
      for (const l of [0, 1]) {
        expect(s.weights[l]).toEqual(other.weights[l]);
        expect(s.weights[l]).not.toEqual(teacher.weights[l]);
      }
    }
  });

  test('the page quotes the example file’s recipe', () => {
    const file = readFileSync(join(root, 'docs/examples/same-head-student.ts'), 'utf8');
    const quoted = block('export const sameHeadStudent');
    const code = (lines: string[]) => lines.map((l) => l.replace(/\s*\/\/.*$/, '').trim()).filter((l) => l !== '');
    const fromFile = code(file.slice(file.indexOf('export const sameHeadStudent')).trimEnd().split('\n'));
    expect(code(quoted)).toEqual(fromFile.filter((l) => !l.startsWith('// ')));
  });
});
