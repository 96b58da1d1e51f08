// `traitlab report <run-dir>`: writes report.html (replacing an old one: it is derived), says
// where, and turns a missing or damaged run directory into one line naming the file and fix.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { reportNotice } from '../../src/cli/run-report.js';
import { tryWriteReport } from '../../src/report/write-report.js';
import { cli } from '../support/cli.js';
import { mnistRun, numbersRun, tempDir } from '../support/report-fixtures.js';

describe('traitlab report', () => {
  test('writes <run-dir>/report.html and says so; a second call replaces it with the same page', async () => {
    const cwd = tempDir();
    numbersRun(join(cwd, 'run'));
    const first = await cli(cwd, 'report', 'run');
    expect(first.err).toEqual([]);
    expect(first.out).toEqual([`wrote ${join('run', 'report.html')}`]);
    expect(first.code).toBe(0);
    const page = readFileSync(join(cwd, 'run', 'report.html'), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    const again = await cli(cwd, 'report', join(cwd, 'run'));
    expect(again.code).toBe(0);
    expect(readFileSync(join(cwd, 'run', 'report.html'), 'utf8')).toBe(page);
    expect(readdirSync(join(cwd, 'run')).sort()).toEqual(['manifest.json', 'metrics.jsonl', 'report.html', 'summary.json']);
  });

  test('a run directory that does not exist → exit 2, one line', async () => {
    const cwd = tempDir();
    const r = await cli(cwd, 'report', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`traitlab: ${join(cwd, 'nope')}: not found; give a run directory (e.g. runs/<experiment>-<time>-<hash>)`]);
  });

  test('no summary.json (an unfinished run) → exit 2, nothing written', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'x.partial'));
    const r = await cli(cwd, 'report', 'x.partial');
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/x\.partial\/summary\.json: not found; give a finished run directory/);
    expect(readdirSync(join(cwd, 'x.partial'))).toEqual([]);
  });

  test('a damaged summary.json → exit 2 naming the file and the field', async () => {
    const cwd = tempDir();
    const dir = mnistRun(join(cwd, 'run'));
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    summary.arms[1].mean = 'high';
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
    const r = await cli(cwd, 'report', 'run');
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toContain('summary.json arms[1].mean: expected a number or null, got string "high"');
    writeFileSync(join(dir, 'summary.json'), '{"arms": [');
    const bad = await cli(cwd, 'report', 'run');
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/summary\.json: invalid JSON/);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });
});

describe('bad metrics.jsonl lines', () => {
  test('a truncated file (torn last line) and a damaged line: the page is written from the good lines, one warning per bad line', async () => {
    const cwd = tempDir();
    const dir = numbersRun(join(cwd, 'run'));
    const file = join(dir, 'metrics.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[3] = '{"stage": "same-tokens", "step": 50, "trait": [0.1,'; // damaged in the middle
    const text = lines.join('\n');
    writeFileSync(file, text.slice(0, text.length - 20)); // cut mid-line, as a killed copy leaves it
    const total = text.split('\n').filter((l) => l !== '').length;
    const r = await cli(cwd, 'report', 'run');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([
      `traitlab: warning: ${file} line 4: invalid JSON; the report leaves it out, so its curves may be incomplete`,
      `traitlab: warning: ${file} line ${total}: cut off mid-line (invalid JSON): the file is truncated, so records after it are missing; the report leaves it out, so its curves may be incomplete`,
    ]);
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(page).toContain('<svg'); // the curves of the good lines are drawn
    expect(page).not.toContain('metrics.jsonl has no metric logged');
  });

  test('a line that is JSON but not a record is named too; a clean file gives no warning', async () => {
    const cwd = tempDir();
    const dir = numbersRun(join(cwd, 'run'));
    expect((await cli(cwd, 'report', 'run')).err).toEqual([]);
    writeFileSync(join(dir, 'metrics.jsonl'), '{"stage": "x"}\n{"stage": "x", "step": 1}\n');
    const r = await cli(cwd, 'report', 'run');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([`traitlab: warning: ${join(dir, 'metrics.jsonl')} line 1: not a metrics record (needs "stage" and "step"); the report leaves it out, so its curves may be incomplete`]);
  });
});

describe('the report at the end of a run', () => {
  test('tryWriteReport never throws: a failure comes back as a message, and no file is left', async () => {
    const dir = numbersRun(join(tempDir(), 'run'));
    writeFileSync(join(dir, 'summary.json'), '{"arms": [');
    const outcome = await tryWriteReport(dir);
    expect(outcome).toEqual({ ok: false, error: expect.stringContaining('summary.json: invalid JSON') });
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'metrics.jsonl', 'summary.json']);
  });

  test('the run prints where the report is, or one warning line with the command that writes it later', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), tty: undefined, cwd: '/w' };
    const ok = reportNotice(io, '/w/runs/a');
    ok.onReport({ ok: true, warnings: [] });
    ok.printWhere();
    expect(out).toEqual(['report: runs/a/report.html']);
    const failed = reportNotice(io, '/w/runs/b');
    failed.onReport({ ok: false, error: 'disk full' });
    failed.printWhere();
    expect(out).toHaveLength(1);
    expect(err).toEqual(["traitlab: warning: report.html was not written (disk full); the run's results are complete: write it with traitlab report runs/b"]);
  });
});
