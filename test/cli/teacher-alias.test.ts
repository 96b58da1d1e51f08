// The numbers-world teachers' old names (`owl`, `owl-persona`) still work in experiment files:
// run and pretrain say so in one warning line right after loading the file, the run is the
// same as under the new name (summary.json byte for byte), its manifest keeps the file as
// written, and verify re-runs it from that manifest. `traitlab list` shows the new names and
// the old ones.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli, tempDir, writeJson, type CliResult } from '../support/cli.js';
import { tinyNumbers } from '../support/tiny-numbers.js';

const file = (name: string) =>
  tinyNumbers({
    name: 'tiny-alias',
    model: { kind: 'gpt', layers: 1, dModel: 8, heads: 2 },
    pretrain: { steps: 10, batchSize: 16, learningRate: 0.01 },
    teacher: { name, target: 'fox', steps: 4, batchSize: 16, learningRate: 0.01 },
    distill: { steps: 4, batchSize: 16, learningRate: 0.01, fixedSetSize: 16, probeEvery: 2 },
    arms: [{ name: 'same', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } }],
  });

const warning = (old: string, current: string, where: string) =>
  `traitlab: warning: teacher "${old}" is now called "${current}"; rename it in ${where} (the old name will stop working in a later version)`;
const traitlabLines = (r: CliResult) => r.err.filter((l) => l.startsWith('traitlab:'));

restoreCacheEnvAfterAll();
let cwd: string;
let old: CliResult;
let renamed: CliResult;

beforeAll(async () => {
  cwd = tempDir();
  process.env.TRAITLAB_CACHE = join(cwd, 'cache');
  writeJson(cwd, 'old.json', file('owl'));
  writeJson(cwd, 'new.json', file('animal-fine-tune'));
  old = await cli(cwd, 'run', 'old.json', '--backend', 'wasm', '--jobs', '1', '--out', 'old');
  renamed = await cli(cwd, 'run', 'new.json', '--backend', 'wasm', '--jobs', '1', '--out', 'new');
}, 120_000);

describe('an old teacher name in an experiment file', () => {
  test('run: loads, says so once, and runs as under the new name', () => {
    expect(old.code, old.err.join('\n')).toBe(0);
    expect(traitlabLines(old)).toEqual([warning('owl', 'animal-fine-tune', 'old.json')]);
    expect(old.err.findIndex((l) => l.startsWith('running tiny-alias'))).toBeGreaterThan(old.err.indexOf(warning('owl', 'animal-fine-tune', 'old.json')));
    expect(renamed.code, renamed.err.join('\n')).toBe(0);
    expect(traitlabLines(renamed)).toEqual([]);
    expect(readFileSync(join(cwd, 'old', 'summary.json'), 'utf8')).toBe(readFileSync(join(cwd, 'new', 'summary.json'), 'utf8'));
  });

  test('the manifest keeps the file as written; verify re-runs it from there, without the warning', async () => {
    const manifest = JSON.parse(readFileSync(join(cwd, 'old', 'manifest.json'), 'utf8'));
    expect(manifest.config.teacher.name).toBe('owl');
    const r = await cli(cwd, 'verify', 'old', '--jobs', '1');
    expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
    expect(r.out.join('\n')).toMatch(/^reproduced: /m);
    expect(r.err.filter((l) => l.includes('is now called'))).toEqual([]);
  }, 120_000);

  test('pretrain says so once too (with the path as given)', async () => {
    const r = await cli(cwd, 'pretrain', join(cwd, 'old.json'), '--backend', 'wasm', '--jobs', '1', '--out', 'bases');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(traitlabLines(r)).toEqual([warning('owl', 'animal-fine-tune', join(cwd, 'old.json'))]);
    expect(r.out.every((l) => l.includes('(copied from'))).toBe(true); // the run's base, not retrained
  }, 120_000);

  test('a bad file with an old name is one error line, no warning', async () => {
    writeJson(cwd, 'bad.json', { ...file('owl-persona'), seeds: 0 });
    const r = await cli(cwd, 'run', 'bad.json', '--out', 'bad');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: seeds: must be ≥ 1 (got 0)']);
  });
});

describe('traitlab list', () => {
  test('shows the new teacher names, each with its old name', async () => {
    const r = await cli(tempDir(), 'list');
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/^ {2}animal-fine-tune {2}\[numbers\] .*\(formerly "owl"; the old name still works, with a warning\)$/m);
    expect(text).toMatch(/^ {2}animal-persona {4}\[numbers\] .*\(formerly "owl-persona"; the old name still works, with a warning\)$/m);
    expect(text).not.toMatch(/^ {2}owl(-persona)? /m);
  });
});
