// Claims end to end on the tiny experiment (wasm, about a second per run): the run evaluates
// them into summary.json and prints them after the table, `show` prints the same again, and
// `run --json` prints the summary instead of the table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli, tempDir, tinyExperiment, writeJson, type CliResult } from '../support/cli.js';

const claims = [
  { id: 'teacher-learns', text: 'The teacher learns digits.', kind: 'greater', left: { arm: 'teacher', metric: 'accuracy' }, right: { arm: 'reference', metric: 'accuracy' } },
  { id: 'same-near-perfect', text: 'The tiny same-init student is near perfect.', kind: 'at-least', left: { arm: 'student-same', metric: 'accuracy' }, value: 0.99 },
];

describe('claims in a run', () => {
  let cwd: string;
  let run: CliResult;

  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment({ claims }));
    run = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'a', '--jobs', '1');
  });

  test('summary.json ends with the evaluated claims, and the table prints them', () => {
    expect(run.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(cwd, 'a', 'summary.json'), 'utf8'));
    expect(Object.keys(summary).at(-1)).toBe('claims');
    expect(summary.claims.map((c: { id: string }) => c.id)).toEqual(['teacher-learns', 'same-near-perfect']);
    expect(summary.claims[0]).toMatchObject({ n: 2, method: 'paired-bootstrap', alpha: 0.05, resamples: 10_000, value: null });
    expect(summary.claims[0].differences).toHaveLength(2);
    // Both seeds fall far short of 0.99, but 2 seeds cannot reach p ≤ 0.05 either way (smallest p 1/4).
    expect(summary.claims[1]).toMatchObject({ verdict: 'INCONCLUSIVE', indicative: false, margin: 0, pValue: 1, pHolm: 1, survivesHolm: false });
    expect(summary.claims[1].reason).toBe('the interval lies entirely below 0, but 2 seeds cannot reach p ≤ 0.05 (smallest p 1/4); run 5+ seeds');
    const text = run.out[0]!;
    expect(text.indexOf('run directory: a')).toBeLessThan(text.indexOf('claims: '));
    expect(text).toMatch(/^INCONCLUSIVE +same-near-perfect .* accuracy\(student-same\) ≥ 0\.99$/m);
  });

  test('show prints what the run printed, after a line of context', async () => {
    const shown = await cli(cwd, 'show', 'a');
    expect(shown.code).toBe(0);
    const [context, blank, ...rest] = shown.out.join('\n').split('\n');
    expect(context).toMatch(/^started \d{4}-\d\d-\d\dT.* · wall time [\d.]+ s/);
    expect(blank).toBe('');
    // run.out[0] is the table and claims; later lines (where the report is) are run's alone.
    expect(rest.join('\n')).toBe(run.out[0]);
  });

  test('run --json prints summary.json (claims included) instead of the table', async () => {
    const json = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'b', '--jobs', '1', '--json');
    expect(json.code).toBe(0);
    expect(json.out).toHaveLength(1);
    expect(`${json.out[0]}\n`).toBe(readFileSync(join(cwd, 'b', 'summary.json'), 'utf8'));
    // Same config and seed: the same claims, byte for byte.
    expect(readFileSync(join(cwd, 'b', 'summary.json'), 'utf8')).toBe(readFileSync(join(cwd, 'a', 'summary.json'), 'utf8'));
  });
});
