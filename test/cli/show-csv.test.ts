// `traitlab show <dir> --csv metrics|summary`: real runs of all three worlds printed as long
// CSV, parsed back and compared value by value with summary.json and metrics.jsonl (every
// number once, in its place); a truncated or damaged metrics.jsonl is refused naming the line.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { tinyEmRun } from '../support/tiny-em.js';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

/** RFC 4180: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  const [header, ...body] = rows;
  for (const r of body) expect(r).toHaveLength(header!.length);
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

/** An arm name with a comma and quotes: the CSV must quote it. */
const ODD = 'student, "same"';
const cwd = tempDir('traitlab-csv-');
restoreCacheEnvAfterAll();
const experiments = {
  mnist: tinyExperiment({
    arms: [
      { name: 'teacher', kind: 'teacher' },
      { name: ODD, kind: 'student', student: 'same-init', logits: 'aux' },
      { name: 'student-cross', kind: 'student', student: 'cross-init', logits: 'aux' },
    ],
    claims: [{ id: 'same-beats-cross', text: 't', kind: 'greater', left: { arm: ODD, metric: 'accuracy' }, value: 0.1 }],
  }),
  numbers: tinyNumbers({ arms: [{ name: 'same-student-rkl', student: 'same-init', channel: { prefix: 'student', signal: 'reverse-kl' } }] }),
  em: tinyEmRun({
    matrix: { cells: ['next/chem', 'map/bio'] },
    distill: { steps: 4, batchSize: 8, learningRate: 0.01, fixedSetSize: 16, probeEvery: 2 },
    subliminal: [{ name: 'same-student', student: 'same-init', channel: { prefix: 'student', signal: 'reverse-kl' } }],
  }),
};
type World = keyof typeof experiments;
const WORLDS = Object.keys(experiments) as World[];

beforeAll(async () => {
  process.env.TRAITLAB_CACHE = tempDir('traitlab-csv-cache-');
  for (const world of WORLDS) {
    writeJson(cwd, `${world}.json`, experiments[world]);
    const r = await cli(cwd, 'run', `${world}.json`, '--out', world, '--backend', 'wasm', '--jobs', '1');
    expect(r.code, r.err.join('\n')).toBe(0);
  }
}, 300_000);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const readJson = (world: string, file = 'summary.json'): Json => JSON.parse(readFileSync(join(cwd, world, file), 'utf8'));
const readLines = (world: string): Json[] => readFileSync(join(cwd, world, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));

async function csv(world: string, table: string): Promise<Record<string, string>[]> {
  const r = await cli(cwd, 'show', world, '--csv', table);
  expect(r.err).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.out).toHaveLength(1);
  return parseCsv(`${r.out[0]}\n`);
}

/** The one row at a place; its value as the number it stands for (empty: null). */
function valueAt(rows: Record<string, string>[], where: Record<string, string | number>): number | null {
  const hits = rows.filter((r) => Object.entries(where).every(([k, v]) => r[k] === String(v)));
  expect(hits, JSON.stringify(where)).toHaveLength(1);
  return hits[0]!.value === '' ? null : Number(hits[0]!.value);
}

/** Every number in a JSON value (nulls included), but a claim's absent right-hand arm. */
function countNumbers(x: Json, key = ''): number {
  if (x === null) return key === 'right' ? 0 : 1;
  if (typeof x === 'number') return 1;
  if (Array.isArray(x)) return x.reduce((n: number, e: Json) => n + countNumbers(e), 0);
  if (typeof x === 'object') return Object.entries(x).reduce((n, [k, v]) => n + countNumbers(v, k), 0);
  return 0;
}

describe('--csv summary: every number of summary.json, one per row', () => {
  test.each(WORLDS)('%s: the header, as many rows as numbers, each in its place', async (world) => {
    const s = readJson(world);
    const rows = await csv(world, 'summary');
    expect(Object.keys(rows[0]!)).toEqual(['world', 'section', 'arm', 'metric', 'cell', 'seed', 'value']);
    expect(rows).toHaveLength(countNumbers(s));
    for (const r of rows) expect(r.world).toBe(world);
    expect(valueAt(rows, { section: 'run', metric: 'rootSeed' })).toBe(s.rootSeed);
    const M = s.seeds as number;
    for (let seed = 0; seed < M; seed++)
      for (const arm of s.arms as Json[]) {
        const metric = world === 'mnist' ? 'accuracy' : world === 'numbers' ? 'transfer' : 'em';
        expect(valueAt(rows, { section: 'arms', arm: arm.name, metric, seed })).toBe(arm[metric][seed]);
      }
  });

  test('numbers: stats, budgets and the teachers', async () => {
    const s = readJson('numbers');
    const rows = await csv('numbers', 'summary');
    const arm = s.arms[0];
    expect(valueAt(rows, { section: 'arms', arm: arm.name, metric: 'transferStats.mean', seed: '' })).toBe(arm.transferStats.mean);
    expect(valueAt(rows, { section: 'arms', arm: arm.name, metric: 'budget.trainedTokens', seed: 1 })).toBe(arm.budget.trainedTokens[1]);
    expect(valueAt(rows, { section: 'controlTeacher', metric: 'trait', seed: 0 })).toBe(s.controlTeacher.trait[0]);
  });

  test('EM: cells by name, the matrix by row and column, the subliminal arms', async () => {
    const s = readJson('em');
    const rows = await csv('em', 'summary');
    expect(valueAt(rows, { section: 'aligned', metric: 'harmByCell', cell: s.cells[3], seed: 1 })).toBe(s.aligned.harmByCell[3][1]);
    const probe = s.arms[0].cells[2];
    expect(valueAt(rows, { section: 'arms', arm: 'others', metric: 'cells.em', cell: probe.probe, seed: 0 })).toBe(probe.em[0]);
    expect(valueAt(rows, { section: 'matrix', arm: 'map/bio', metric: 'em', cell: 'select/cyber', seed: 1 })).toBe(s.matrix.em[1][2][1]);
    expect(valueAt(rows, { section: 'matrix', arm: 'map/bio', metric: 'mean', cell: 'select/cyber', seed: '' })).toBe(s.matrix.mean[1][2]);
    expect(valueAt(rows, { section: 'matrix', metric: 'relations.sameDomain', seed: 0 })).toBe(s.matrix.relations.sameDomain[0]);
    const sub = s.subliminal.arms[0];
    expect(valueAt(rows, { section: 'subliminal', arm: 'same-student', metric: 'emByCell', cell: s.cells[11], seed: 1 })).toBe(sub.emByCell[11][1]);
    expect(valueAt(rows, { section: 'subliminal', metric: 'distill.steps' })).toBe(4);
  });

  test('MNIST: claims by id; a name with a comma and quotes is quoted', async () => {
    const s = readJson('mnist');
    const r = await cli(cwd, 'show', 'mnist', '--csv', 'summary');
    expect(r.out[0]).toContain('mnist,arms,"student, ""same""' + '",accuracy,,0,');
    const rows = parseCsv(`${r.out[0]}\n`);
    expect(valueAt(rows, { section: 'arms', arm: ODD, metric: 'mean' })).toBe(s.arms[1].mean);
    expect(valueAt(rows, { section: 'claims', arm: 'same-beats-cross', metric: 'effect' })).toBe(s.claims[0].effect);
    expect(valueAt(rows, { section: 'claims', arm: 'same-beats-cross', metric: 'differences', seed: 1 })).toBe(s.claims[0].differences[1]);
    expect(rows.some((x) => x.metric === 'right')).toBe(false);
  });
});

describe('--csv metrics: one row per stage, step, metric, cell and seed', () => {
  test.each(WORLDS)('%s: every number of metrics.jsonl once, equal to the file', async (world) => {
    const lines = readLines(world);
    const rows = await csv(world, 'metrics');
    expect(Object.keys(rows[0]!)).toEqual(['world', 'stage', 'step', 'source', 'metric', 'side', 'cell', 'seed', 'value']);
    const numbers = lines.reduce((n, l) => n + countNumbers(Object.fromEntries(Object.entries(l).filter(([k]) => k !== 'step'))), 0);
    expect(rows).toHaveLength(numbers);
    // Row order follows the file: the first metric of the first line with one.
    const first = lines.find((l) => Object.keys(l).some((k) => Array.isArray(l[k])))!;
    expect(rows[0]).toMatchObject({ stage: first.stage, step: String(first.step) });
  });

  test('numbers: an arm’s loss is split into trait- and control-teacher students; source-only lines give no row', async () => {
    const M = experiments.numbers.seeds as number;
    const lines = readLines('numbers');
    const rows = await csv('numbers', 'metrics');
    const logged = lines.find((l) => l.stage === 'same-student-rkl' && l.loss)!;
    expect(logged.loss).toHaveLength(2 * M);
    for (let seed = 0; seed < M; seed++) {
      const at = { stage: 'same-student-rkl', step: logged.step, metric: 'loss', seed };
      expect(valueAt(rows, { ...at, side: 'trait', source: logged.source })).toBe(logged.loss[seed]);
      expect(valueAt(rows, { ...at, side: 'control' })).toBe(logged.loss[M + seed]);
    }
    const probe = lines.filter((l) => l.stage === 'same-student-rkl' && l.transfer).at(-1)!;
    expect(valueAt(rows, { stage: 'same-student-rkl', step: probe.step, metric: 'transfer', seed: 1 })).toBe(probe.transfer[1]);
    const silent = lines.find((l) => l.stage === 'same-student-rkl' && !l.loss && l.source)!;
    expect(rows.filter((r) => r.stage === 'same-student-rkl' && r.step === String(silent.step))).toEqual([]);
  });

  test('EM: harmByCell rows carry the cell', async () => {
    const cells = readJson('em').cells as string[];
    const line = readLines('em').find((l) => l.harmByCell)!;
    const rows = await csv('em', 'metrics');
    expect(valueAt(rows, { stage: line.stage, step: line.step, metric: 'harmByCell', cell: cells[5]!, seed: 1 })).toBe(line.harmByCell[5][1]);
  });
});

describe('bad input', () => {
  test('a truncated metrics.jsonl: --csv metrics exits 2 naming the line, prints nothing; --csv summary still works', async () => {
    const dir = join(cwd, 'numbers-cut');
    const src = join(cwd, 'numbers');
    const { cpSync } = await import('node:fs');
    cpSync(src, dir, { recursive: true });
    const text = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
    const kept = text.slice(0, Math.floor(text.length / 2));
    writeFileSync(join(dir, 'metrics.jsonl'), kept);
    const line = kept.split('\n').length;
    const r = await cli(cwd, 'show', 'numbers-cut', '--csv', 'metrics');
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      `traitlab: ${join('numbers-cut', 'metrics.jsonl')} line ${line}: cut off mid-line (invalid JSON): the file is truncated, so records after it are missing; restore the file from the run (or re-run it), or remove the line`,
    ]);
    expect((await cli(cwd, 'show', 'numbers-cut', '--csv', 'summary')).code).toBe(0);
  });

  test('a damaged line in the middle is named; so is a line that is not a record', async () => {
    const dir = join(cwd, 'mnist-bad');
    const { cpSync } = await import('node:fs');
    cpSync(join(cwd, 'mnist'), dir, { recursive: true });
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n');
    lines[2] = '{"stage": "teacher", "step": 4, "loss": [0.5,';
    writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n'));
    const r = await cli(cwd, 'show', 'mnist-bad', '--csv', 'metrics');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`traitlab: ${join('mnist-bad', 'metrics.jsonl')} line 3: invalid JSON; restore the file from the run (or re-run it), or remove the line`]);
    lines[2] = '[1, 2]';
    writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n'));
    expect((await cli(cwd, 'show', 'mnist-bad', '--csv', 'metrics')).err[0]).toContain('line 3: not a metrics record (needs "stage" and "step")');
  });

  test('an unknown table, or --csv with --json: exit 2, one line naming --csv', async () => {
    const unknown = await cli(cwd, 'show', 'mnist', '--csv', 'arms');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toEqual(['traitlab: --csv: invalid value "arms"; use one of "metrics", "summary"']);
    const both = await cli(cwd, 'show', 'mnist', '--csv', 'summary', '--json');
    expect(both.code).toBe(2);
    expect(both.err).toEqual(['traitlab: --csv: give --json or --csv, not both']);
  });
});
