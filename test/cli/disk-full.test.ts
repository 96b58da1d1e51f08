// A full disk at any write of a run (simulated with TRAITLAB_FAIL_WRITE, as the disk full at
// that write) stops it with exit 1 and one line: out of space, how much the write needed, the
// run kept in its .partial with its checkpoint, and the command that continues it. Resumed once
// the disk has room again, it ends with summary.json and metrics.jsonl byte-identical to an
// uninterrupted run's. Before, the run removed everything, finished arms included.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { formatBytes } from '../../src/cli/handle-error.js';
import { dirBytes } from '../../src/run/run-dir.js';
import { cli, tempDir, tinyExperiment, writeJson, type CliResult } from '../support/cli.js';

async function withFullDisk(spec: string, run: () => Promise<CliResult>): Promise<CliResult> {
  process.env.TRAITLAB_FAIL_WRITE = spec;
  try {
    return await run();
  } finally {
    delete process.env.TRAITLAB_FAIL_WRITE;
  }
}

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('ENOSPC at a write of a stoppable run', () => {
  let cwd: string;
  const run = (out: string) => cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--jobs', '1', '--out', out);
  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment());
    expect((await run('plain')).code).toBe(0);
  });

  test.each([
    ['summary.json', 'summary.json', 'the end of the run'],
    ['manifest.json#2', 'manifest.json', 'the finished manifest'],
    ['done-student-cross.json', 'done-student-cross.json', 'the checkpoint of a finished arm'],
    ['run.json#2', 'run.json', 'the checkpoint record as the arms start'],
    ['metrics.jsonl', 'metrics.jsonl', 'the first lines of metrics.jsonl'],
  ])('%s (%s, %s): exit 1, one line, the .partial kept; resumed → the uninterrupted files', async (spec, file) => {
    const out = `full-${file}`;
    const r = await withFullDisk(spec, () => run(out));
    const partial = join(cwd, `${out}.partial`);
    const kept = formatBytes(dirBytes(partial));
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err.at(-1)).toMatch(
      new RegExp(`^traitlab: out of disk space writing ${escape(file)} \\(it needs at least [0-9.]+ k?B more\\); the run so far \\(${escape(kept)}\\) is kept in ${escape(out)}\\.partial; free some space, then continue it with: traitlab run --resume ${escape(out)}\\.partial$`),
    );
    expect(existsSync(join(cwd, out))).toBe(false);
    expect(readdirSync(join(partial, 'checkpoint'))).toContain('run.json');
    expect(readdirSync(partial).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no half-written file left
    expect(readdirSync(join(partial, 'checkpoint')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const resumed = await cli(cwd, 'run', '--resume', `${out}.partial`, '--jobs', '1');
    expect(resumed.code, resumed.err.join('\n')).toBe(0);
    expect(readdirSync(join(cwd, out)).sort()).toEqual(['manifest.json', 'metrics.jsonl', 'report.html', 'summary.json']);
    expect(read(cwd, out, 'summary.json')).toBe(read(cwd, 'plain', 'summary.json'));
    expect(read(cwd, out, 'metrics.jsonl')).toBe(read(cwd, 'plain', 'metrics.jsonl'));
  });

  test('the size named is what the failed write was writing: summary.json', async () => {
    const r = await withFullDisk('summary.json', () => run('sized'));
    const size = Buffer.byteLength(read(cwd, 'plain', 'summary.json'));
    expect(r.err.at(-1)).toContain(`writing summary.json (it needs at least ${formatBytes(size)} more)`);
  });

  test('the disk full at the very first write: nothing to keep, nothing left, the same one line', async () => {
    const r = await withFullDisk('manifest.json', () => run('first'));
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toBe(`traitlab: run failed: no space left on the disk writing manifest.json; nothing was written to ${join(cwd, 'first')}`);
    expect(readdirSync(cwd).filter((f) => f.startsWith('first'))).toEqual([]);
  });
});
