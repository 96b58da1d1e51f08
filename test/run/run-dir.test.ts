// The run directory: naming, atomic writes, refusal to overwrite, all-or-nothing commit.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadExperimentFile } from '../../src/registry/load-experiment.js';
import { DiskFull, isDiskFull } from '../../src/run/disk-full.js';
import { assertFreeTarget, canonicalJson, experimentHash, resolveRunDir, RunDir, timestamp, writeFileAtomic, writeJsonAtomic } from '../../src/run/run-dir.js';

const made: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'traitlab-rundir-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const exp = loadExperimentFile(join(import.meta.dirname, '../../experiments/mnist-aux-logits.json'));

describe('naming', () => {
  test('runs/<experiment>-<YYYYMMDD-HHMMSS UTC>-<6-hex config hash> under cwd, or --out', () => {
    const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(timestamp(now)).toBe('20250102-030405');
    expect(resolveRunDir(exp, { cwd: '/w', now })).toBe(`/w/runs/mnist-aux-logits-20250102-030405-${experimentHash(exp)}`);
    expect(resolveRunDir(exp, { cwd: '/w', now, out: 'mine' })).toBe('/w/mine');
    expect(resolveRunDir(exp, { cwd: '/w', now, out: '/abs/dir' })).toBe('/abs/dir');
  });

  test('the hash depends on the resolved config and seed, not on key order', () => {
    expect(experimentHash(exp)).toMatch(/^[0-9a-f]{6}$/);
    expect(experimentHash({ ...exp, rootSeed: 1 })).not.toBe(experimentHash(exp));
    expect(experimentHash({ ...exp, seeds: 2 })).not.toBe(experimentHash(exp));
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
});

describe('writeFileAtomic', () => {
  test('writes the content and leaves no .tmp behind, also when replacing a file', () => {
    const dir = temp();
    const file = join(dir, 'summary.json');
    writeFileAtomic(file, 'one');
    writeJsonAtomic(file, { two: 2 });
    expect(readFileSync(file, 'utf8')).toBe('{\n  "two": 2\n}\n');
    expect(readdirSync(dir)).toEqual(['summary.json']);
  });

  test('a full disk (TRAITLAB_FAIL_WRITE=<name>#n): DiskFull naming the file and its bytes, the old file intact, no .tmp', () => {
    const dir = temp();
    const file = join(dir, 'summary.json');
    process.env.TRAITLAB_FAIL_WRITE = 'summary.json#2';
    try {
      writeFileAtomic(file, 'first'); // the first write of that name goes through
      let thrown: unknown;
      try {
        writeFileAtomic(file, 'ünïcode'); // 7 characters, 9 bytes
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(DiskFull);
      expect(isDiskFull(thrown)).toBe(true);
      expect(thrown).toMatchObject({ code: 'ENOSPC', file, bytes: 9, message: 'no space left on the disk writing summary.json' });
      expect(() => writeFileAtomic(join(dir, 'other.json'), 'x')).not.toThrow(); // other names are written
    } finally {
      delete process.env.TRAITLAB_FAIL_WRITE;
    }
    expect(readFileSync(file, 'utf8')).toBe('first');
    expect(readdirSync(dir).sort()).toEqual(['other.json', 'summary.json']);
    expect(isDiskFull(Object.assign(new Error('quota'), { code: 'EDQUOT' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe(false);
  });
});

describe('RunDir', () => {
  test('writes into <dir>.partial and appears under its name only on commit', () => {
    const final = join(temp(), 'runs', 'r');
    const run = RunDir.create(final);
    run.writeJson('manifest.json', { ok: true });
    expect(existsSync(final)).toBe(false);
    expect(readdirSync(run.partial)).toEqual(['manifest.json']);
    run.commit();
    expect(existsSync(run.partial)).toBe(false);
    expect(readdirSync(final)).toEqual(['manifest.json']);
  });

  test('abort removes everything written', () => {
    const parent = temp();
    const run = RunDir.create(join(parent, 'r'));
    run.writeJson('manifest.json', {});
    run.abort();
    expect(readdirSync(parent)).toEqual([]);
  });

  test('an empty target is fine; a non-empty one or a file is refused as bad input', () => {
    const parent = temp();
    mkdirSync(join(parent, 'empty'));
    const run = RunDir.create(join(parent, 'empty'));
    run.writeJson('summary.json', {});
    run.commit();
    expect(readdirSync(join(parent, 'empty'))).toEqual(['summary.json']);
    expect(() => assertFreeTarget(join(parent, 'empty'))).toThrow(ConfigError);
    expect(() => RunDir.create(join(parent, 'empty'))).toThrow(/already exists and is not empty/);
    writeFileSync(join(parent, 'file'), 'x');
    expect(() => RunDir.create(join(parent, 'file'))).toThrow(ConfigError);
  });

  test('a leftover .partial (killed or concurrent run) is refused, not reused', () => {
    const parent = temp();
    mkdirSync(join(parent, 'r.partial'));
    expect(() => RunDir.create(join(parent, 'r'))).toThrow(/r\.partial: already exists/);
  });
});
