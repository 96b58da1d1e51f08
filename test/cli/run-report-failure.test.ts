// A report that cannot be drawn does not cost the run its results: the run exits 0 with its
// table, one warning line says how to write the report later, and the run directory is
// complete apart from report.html (no temporary file left behind).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, vi } from 'vitest';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

vi.mock('../../src/report/charts/render-svg.js', () => ({
  renderSvg: async () => {
    throw new Error('chart engine exploded');
  },
}));

test('a failing report → the run still succeeds, with one warning line', async () => {
  const cwd = tempDir();
  writeJson(cwd, 'tiny.json', tinyExperiment());
  const r = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'out');
  expect(r.code).toBe(0);
  expect(r.err.filter((l) => l.startsWith('traitlab:'))).toEqual([
    "traitlab: warning: report.html was not written (chart engine exploded); the run's results are complete: write it with traitlab report out",
  ]);
  expect(r.out.join('\n')).toContain('run directory: out');
  expect(r.out.join('\n')).not.toContain('report:');
  expect(readdirSync(join(cwd, 'out')).sort()).toEqual(['manifest.json', 'metrics.jsonl', 'summary.json']);
});
