// A tiny experiment end to end, in-process: the run directory and its three files, refusal to
// overwrite, and byte-identical summaries for the same seed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli, tempDir, tinyExperiment, writeJson, type CliResult } from '../support/cli.js';

describe('traitlab run (tiny experiment, wasm)', () => {
  let cwd: string;
  let first: CliResult;

  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    first = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'a');
  });

  test('succeeds and prints the table with the run directory', () => {
    expect(first.err.filter((l) => l.startsWith('traitlab:'))).toEqual([]);
    expect(first.code).toBe(0);
    const table = first.out.join('\n');
    for (const arm of ['reference', 'teacher', 'student-same', 'student-cross']) expect(table).toContain(arm);
    expect(table).toMatch(/\d+\.\d ± +\d+\.\d %/);
    expect(table).toContain('run directory: a');
    expect(first.out.at(-1)).toBe(`report: ${join('a', 'report.html')}`);
  });

  test('writes manifest.json, metrics.jsonl, summary.json and report.html, and nothing else', () => {
    expect(readdirSync(join(cwd, 'a')).sort()).toEqual(['manifest.json', 'metrics.jsonl', 'report.html', 'summary.json']);
    expect(readFileSync(join(cwd, 'a', 'report.html'), 'utf8')).toContain('student-cross');
    expect(existsSync(join(cwd, 'a.partial'))).toBe(false);
  });

  test('manifest records backend, versions, git state and timing', () => {
    const m = JSON.parse(readFileSync(join(cwd, 'a', 'manifest.json'), 'utf8'));
    expect(m.backend).toBe('wasm');
    expect(m.config.name).toBe('tiny');
    expect(m.seeds).toBe(2);
    expect(m.rootSeed).toBe(3);
    expect(m.versions['@tensorflow/tfjs']).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.versions['@tensorflow/tfjs-backend-wasm']).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.versions.zod).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.versions.node).toBe(process.versions.node);
    expect('git' in m).toBe(true);
    if (m.git !== null) {
      expect(m.git.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(typeof m.git.dirty).toBe('boolean');
    }
    expect(typeof m.finishedAt).toBe('string');
    expect(m.wallSeconds).toBeGreaterThan(0);
  });

  test('metrics.jsonl is one JSON object per line, with stage and step', () => {
    const lines = readFileSync(join(cwd, 'a', 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      const record = JSON.parse(line);
      expect(typeof record.stage).toBe('string');
      expect(typeof record.step).toBe('number');
    }
  });

  test('a second run into the same --out is refused and leaves the first intact', async () => {
    const before = readFileSync(join(cwd, 'a', 'summary.json'), 'utf8');
    const again = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'a');
    expect(again.code).toBe(2);
    expect(again.err).toHaveLength(1);
    expect(again.err[0]).toMatch(/a: already exists and is not empty/);
    expect(readFileSync(join(cwd, 'a', 'summary.json'), 'utf8')).toBe(before);
    expect(existsSync(join(cwd, 'a.partial'))).toBe(false);
  });

  test('the same seed gives a byte-identical summary.json; the default directory name has the config hash', async () => {
    const second = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm');
    expect(second.code).toBe(0);
    const [dir, ...others] = readdirSync(join(cwd, 'runs'));
    expect(others).toEqual([]);
    expect(dir).toMatch(/^tiny-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(readFileSync(join(cwd, 'runs', dir!, 'summary.json'), 'utf8')).toBe(readFileSync(join(cwd, 'a', 'summary.json'), 'utf8'));
  });
});
