// `traitlab show <run-dir>` on run directories built in a temp dir (no training): the table and
// the claims again, --json for scripts, and one-line errors for anything that is not a
// finished run directory.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatRunOutput } from '../../src/report/run-output.js';
import { mnistSummary, numbersSummary } from '../support/claims-fixtures.js';
import { cli, tempDir, writeJson } from '../support/cli.js';

/** A finished run directory `name` under `cwd`, as a run writes it. */
function runDir(cwd: string, name: string, summary: unknown, manifest?: unknown): string {
  const dir = join(cwd, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (manifest !== undefined) writeJson(dir, 'manifest.json', manifest);
  return dir;
}

const manifest = { experiment: 'tiny', startedAt: '2026-11-27T04:24:14.538Z', wallSeconds: 310.46, git: { commit: '1dc4c5fa3882d61b18d5541ba929602b656e106c', dirty: true }, experimentFile: 'exp.json' };

describe('traitlab show', () => {
  test('prints the context line, the arms table and the claims, as the run printed them', async () => {
    const cwd = tempDir();
    const summary = mnistSummary();
    runDir(cwd, 'runs/a', summary, { ...manifest, experimentFile: join(cwd, 'exp.json') }); // manifests hold absolute paths
    const r = await cli(cwd, 'show', 'runs/a');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    const text = r.out.join('\n');
    expect(text.split('\n')[0]).toBe('started 2026-11-27T04:24:14.538Z · wall time 310.46 s · traitlab 1dc4c5f (uncommitted changes) · from exp.json');
    expect(text).toContain(formatRunOutput(summary, 'runs/a'));
    expect(text).toMatch(/^student-same +student +71\.8 ± /m);
    expect(text).toMatch(/^SUPPORTED +same-beats-cross /m);
    expect(text).toMatch(/^NOT SUPPORTED +cross-learns /m);
    expect(text).toMatch(/^INCONCLUSIVE +teacher-near-ref /m);
    expect(text).toContain('The same-init student learns MNIST.');
  });

  test('a numbers run, without a manifest, prints its table and claims', async () => {
    const cwd = tempDir();
    runDir(cwd, 'n', numbersSummary());
    const r = await cli(cwd, 'show', 'n');
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text.startsWith('tiny-numbers · 5 seeds')).toBe(true);
    expect(text).toContain('claims: 1 of 3 SUPPORTED, 0 survive Holm at α 0.05');
    expect(text).toMatch(/^SUPPORTED +teacher-has-trait .* trait\(teacher\) ≥ 0\.9$/m);
  });

  test('--json prints summary.json, claims included, as one JSON document', async () => {
    const cwd = tempDir();
    const dir = runDir(cwd, 'a', mnistSummary(), manifest);
    const r = await cli(cwd, 'show', 'a', '--json');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const parsed = JSON.parse(r.out[0]!);
    expect(parsed).toEqual(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')));
    expect(parsed.claims.map((c: { id: string; verdict: string }) => `${c.id}: ${c.verdict}`)).toEqual([
      'same-learns: SUPPORTED',
      'same-beats-cross: SUPPORTED',
      'cross-learns: NOT SUPPORTED',
      'teacher-near-ref: INCONCLUSIVE',
    ]);
  });

  test('a summary written before claims existed shows without a claims block', async () => {
    const cwd = tempDir();
    const { claims: _claims, ...old } = mnistSummary();
    runDir(cwd, 'old', old);
    const r = await cli(cwd, 'show', 'old');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).not.toContain('claims:');
  });
});

describe('traitlab show on what is not a finished run', () => {
  test.each([
    ['a missing directory', (_cwd: string) => 'runs/nope', 'traitlab: runs/nope: not found; give a run directory (e.g. runs/<experiment>-<time>-<hash>)'],
    [
      'a run still being written, by its final name',
      (cwd: string) => (mkdirSync(join(cwd, 'r.partial')), 'r'),
      'traitlab: r: not finished: r.partial is still being written (or its run was killed); show it when the run has ended',
    ],
    [
      'the .partial directory itself',
      (cwd: string) => (mkdirSync(join(cwd, 'r.partial')), 'r.partial'),
      'traitlab: r.partial: is an unfinished run (still running, or killed); show it when the run has ended, or remove it if the run was killed',
    ],
    [
      'a directory without summary.json',
      (cwd: string) => (mkdirSync(join(cwd, 'experiments')), 'experiments'),
      'traitlab: experiments: has no summary.json, so it is not a finished run directory; give one that traitlab run wrote (under runs/)',
    ],
    ['a file', (cwd: string) => (writeJson(cwd, 'exp.json', {}), 'exp.json'), 'traitlab: exp.json: is not a directory; give the run directory that holds summary.json'],
    [
      'a summary.json that is not JSON',
      (cwd: string) => (mkdirSync(join(cwd, 'bad')), writeFileSync(join(cwd, 'bad', 'summary.json'), '{"arms": ['), 'bad'),
      /^traitlab: bad\/summary\.json: cannot be read as JSON \(.+\); restore it from the run or re-run the experiment$/,
    ],
    [
      'a JSON file that is not a run summary',
      (cwd: string) => (mkdirSync(join(cwd, 'other')), writeJson(join(cwd, 'other'), 'summary.json', { hello: 1 }), 'other'),
      'traitlab: other/summary.json: is not a traitlab run summary (needs "experiment" and "arms"); give a directory that traitlab run wrote',
    ],
  ])('%s: exit 2 with one line naming the path and the fix', async (_name, make, message) => {
    const cwd = tempDir();
    const r = await cli(cwd, 'show', make(cwd));
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    if (typeof message === 'string') expect(r.err[0]).toBe(message);
    else expect(r.err[0]).toMatch(message);
  });

  test('no run directory given: the usage error of show', async () => {
    const r = await cli(tempDir(), 'show');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(["traitlab: missing required argument 'run-dir'; see traitlab show --help"]);
  });
});
