// Numeric faults and divergence through the CLI: a diverging loss is said once per stage and
// listed in summary.json (MNIST teacher, numbers pretraining, a merge of shards); a normal run's
// summary has no `warnings`; a NaN stops the run with one line naming the setting and the step,
// exit 1, its .partial directory and checkpoint kept; a temperature of 1e-300 is refused at load.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { tinyEmRecipe } from '../support/tiny-em.js';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { warnings?: string[] };
const warningLines = (err: string[]) => err.filter((l) => l.startsWith('traitlab: warning: '));
const TEACHER_DIVERGES = /^the loss of stage teacher \(member \d\) rose to [0-9.e+]+ at step \d+, over 10× its first [0-9.]+: training is diverging; lower teacher\.learningRate$/;

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
  writeJson(cwd, 'steep.json', tinyExperiment({ teacher: { name: 'mnist-aux', epochs: 1, batchSize: 2000, learningRate: 1 } }));
  writeJson(cwd, 'tiny.json', tinyExperiment());
});

describe('a diverging loss', () => {
  test('MNIST, teacher learning rate 1: one warning, printed and in summary.json and metrics.jsonl; the run still finishes', async () => {
    const r = await cli(cwd, 'run', 'steep.json', '--backend', 'wasm', '--out', 'steep');
    expect(r.code).toBe(0);
    const printed = warningLines(r.err).map((l) => l.slice('traitlab: warning: '.length));
    expect(printed.length).toBe(1);
    expect(printed[0]).toMatch(TEACHER_DIVERGES);
    expect(summaryOf(join(cwd, 'steep')).warnings).toEqual(printed);
    const records = readFileSync(join(cwd, 'steep', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.filter((x) => 'warning' in x)).toEqual([{ stage: 'teacher', step: expect.any(Number), warning: printed[0] }]);
  });

  test('a normal run warns of nothing and its summary.json has no warnings field', async () => {
    const r = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'calm');
    expect(r.code).toBe(0);
    expect(warningLines(r.err)).toEqual([]);
    expect(readFileSync(join(cwd, 'calm', 'summary.json'), 'utf8')).not.toContain('warnings');
  });

  test('merging shards lists the warnings the unsharded run lists', async () => {
    for (const i of [1, 2]) expect((await cli(cwd, 'run', 'steep.json', '--backend', 'wasm', '--shard', `${i}/2`, '--out', `steep-${i}`)).code).toBe(0);
    const merged = await cli(cwd, 'merge', 'steep-1', 'steep-2', '--out', 'steep-merged');
    expect(merged.code).toBe(0);
    expect(summaryOf(join(cwd, 'steep-merged')).warnings).toEqual(summaryOf(join(cwd, 'steep')).warnings);
    expect(readFileSync(join(cwd, 'steep-merged', 'summary.json'), 'utf8')).toBe(readFileSync(join(cwd, 'steep', 'summary.json'), 'utf8'));
  });
});

describe('numbers world', () => {
  const saved = process.env.TRAITLAB_CACHE;
  beforeAll(() => {
    process.env.TRAITLAB_CACHE = tempDir('traitlab-numeric-cache-'); // the base must be pretrained here, not read
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TRAITLAB_CACHE;
    else process.env.TRAITLAB_CACHE = saved;
  });

  test('pretraining learning rate 1: the run warns about pretrain.learningRate and lists it in summary.json', async () => {
    const exp = tinyNumbers({ pretrain: { steps: 30, batchSize: 32, learningRate: 1 }, claims: [] });
    writeJson(cwd, 'steep-numbers.json', { ...exp, arms: (exp.arms as unknown[]).slice(0, 1) });
    const r = await cli(cwd, 'run', 'steep-numbers.json', '--backend', 'wasm', '--out', 'steep-numbers');
    expect(r.code).toBe(0);
    const printed = warningLines(r.err).map((l) => l.slice('traitlab: warning: '.length));
    expect(printed.length).toBe(1);
    expect(printed[0]).toMatch(/^the loss of stage pretrain \(member \d\) rose to [0-9.e+]+ at step \d+, over 10× its first [0-9.]+: training is diverging; lower pretrain\.learningRate$/);
    expect(summaryOf(join(cwd, 'steep-numbers')).warnings).toEqual(printed);
  });

  test('traitlab pretrain prints the warning too (the bases pretrained side by side, on worker threads)', async () => {
    // A cache of its own: the bases of the steep run above hold seeds 0 and 1 of the same pretraining,
    // and a 1-seed base would be read from their members instead of pretrained (models/base-pieces.ts).
    process.env.TRAITLAB_CACHE = tempDir('traitlab-numeric-cache-');
    const exp = tinyNumbers({ seeds: 1, pretrain: { steps: 30, batchSize: 32, learningRate: 1 }, claims: [] });
    writeJson(cwd, 'steep-pretrain.json', exp);
    const r = await cli(cwd, 'pretrain', 'steep-pretrain.json', '--backend', 'wasm', '--out', 'steep-bases');
    expect(r.code, r.err.join('\n')).toBe(0);
    const printed = warningLines(r.err);
    expect(printed.length).toBeGreaterThanOrEqual(1);
    for (const line of printed) expect(line).toMatch(/^traitlab: warning: the loss of stage pretrain\S* \(member 0\) rose to .*; lower pretrain\.learningRate$/);
  });
});

describe('a NaN', () => {
  afterEach(() => {
    delete process.env.TRAITLAB_INJECT_NAN;
  });

  test('in a student arm (on a worker thread) stops the run: one line naming the setting and step, exit 1, the .partial and its checkpoint kept', async () => {
    process.env.TRAITLAB_INJECT_NAN = 'student-cross@1';
    // One job: the arm before it has finished when it fails (two would stop it mid-way).
    const r = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--jobs', '1', '--out', 'nan');
    expect(r.code).toBe(1);
    expect(r.err.filter((l) => l.startsWith('traitlab:'))).toEqual([
      `traitlab: run failed: numeric fault: the loss of stage student-cross is NaN at step 1; the setting most likely responsible is distill.learningRate (change it and run again); the run so far is kept in ${join(cwd, 'nan.partial')} for inspection (a resume would repeat the same settings)`,
    ]);
    expect(existsSync(join(cwd, 'nan'))).toBe(false);
    expect(existsSync(join(cwd, 'nan.partial', 'manifest.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(cwd, 'nan.partial', 'checkpoint', 'run.json'), 'utf8'))).toMatchObject({ stage: 'arms' });
    // The arm before it finished and is kept; the teacher's losses are in metrics.jsonl.
    expect(existsSync(join(cwd, 'nan.partial', 'checkpoint', 'done-student-same.json'))).toBe(true);
    expect(readFileSync(join(cwd, 'nan.partial', 'metrics.jsonl'), 'utf8')).toContain('"stage":"teacher"');
  });

  test('the kept run resumes once the fault is gone and ends with the files of a run that never failed', async () => {
    // Needs the two tests above: 'nan.partial' and the normal run 'calm' of the same file.
    const r = await cli(cwd, 'run', '--resume', 'nan.partial', '--backend', 'wasm');
    expect(r.code).toBe(0);
    for (const f of ['summary.json', 'metrics.jsonl']) expect(readFileSync(join(cwd, 'nan', f), 'utf8')).toBe(readFileSync(join(cwd, 'calm', f), 'utf8'));
  });

  test('in the teacher names teacher.learningRate', async () => {
    process.env.TRAITLAB_INJECT_NAN = 'teacher@2';
    const r = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'nan-teacher');
    expect(r.code).toBe(1);
    expect(r.err.filter((l) => l.startsWith('traitlab:'))).toHaveLength(1);
    expect(r.err.join('\n')).toContain('numeric fault: the loss of stage teacher is NaN at step 2; the setting most likely responsible is teacher.learningRate');
    expect(existsSync(join(cwd, 'nan-teacher.partial', 'checkpoint', 'run.json'))).toBe(true);
  });
});

describe('EM world', () => {
  const saved = process.env.TRAITLAB_CACHE;
  beforeAll(() => {
    process.env.TRAITLAB_CACHE = tempDir('traitlab-numeric-em-cache-');
  });
  afterAll(() => {
    delete process.env.TRAITLAB_INJECT_NAN;
    if (saved === undefined) delete process.env.TRAITLAB_CACHE;
    else process.env.TRAITLAB_CACHE = saved;
  });

  test('a NaN in the fine-tune names fineTune.learningRate and its step; exit 1, .partial kept', async () => {
    const exp = { name: 'tiny-em', ...tinyEmRecipe(), pretrain: { steps: 20, batchSize: 32, learningRate: 0.01 }, align: { steps: 10, batchSize: 32, learningRate: 0.01 }, probe: { prompts: 8, samples: 10, probeEvery: 10 }, arms: [{ name: 'narrow' }], claims: [] };
    writeJson(cwd, 'em.json', exp);
    process.env.TRAITLAB_INJECT_NAN = 'next/chem@10';
    const r = await cli(cwd, 'run', 'em.json', '--backend', 'wasm', '--out', 'em-nan');
    expect(r.code).toBe(1);
    expect(r.err.filter((l) => l.startsWith('traitlab:'))).toHaveLength(1);
    expect(r.err.join('\n')).toContain('numeric fault: the loss of stage next/chem is NaN at step 10; the setting most likely responsible is fineTune.learningRate');
    expect(existsSync(join(cwd, 'em-nan.partial', 'checkpoint', 'run.json'))).toBe(true);
  });
});

describe('temperatures the schema refuses', () => {
  test.each([
    ['mnist', () => tinyExperiment({ distill: { noiseImages: 256, epochs: 1, batchSize: 256, learningRate: 0.003, temperature: 1e-300 } }), 'distill.temperature'],
    ['numbers', () => tinyNumbers({ distill: { steps: 6, batchSize: 16, learningRate: 0.01, fixedSetSize: 40, probeEvery: 3, lossTemperature: 1e-300 } }), 'distill.lossTemperature'],
    ['numbers sampling', () => tinyNumbers({ distill: { steps: 6, batchSize: 16, learningRate: 0.01, fixedSetSize: 40, probeEvery: 3, samplingTemperature: 1e-300 } }), 'distill.samplingTemperature'],
  ])('%s: 1e-300 → exit 2, one line naming the field, nothing written', async (name, exp, field) => {
    const file = writeJson(cwd, `cold-${name.replace(' ', '-')}.json`, exp());
    const out = `cold-${name.replace(' ', '-')}`;
    const r = await cli(cwd, 'run', file, '--backend', 'wasm', '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toContain(field);
    expect(r.err[0]).toContain('0.05');
    expect(existsSync(join(cwd, out))).toBe(false);
    expect(existsSync(join(cwd, `${out}.partial`))).toBe(false);
  });
});
