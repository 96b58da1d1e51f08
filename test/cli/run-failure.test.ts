// A run that fails part-way exits 1, says nothing was written, and leaves no directory behind
// (not even the .partial one it was writing into).
import { readdirSync } from 'node:fs';
import { expect, test, vi } from 'vitest';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

vi.mock('../../src/registry/run-experiment.js', () => ({
  runExperiment: async (_exp: unknown, hooks: { onMetrics(r: object): void }) => {
    hooks.onMetrics({ stage: 'teacher', step: 1, loss: [1, 2] });
    throw new Error('out of memory in step 2');
  },
}));

test('a failed run → exit 1, one line, no run directory', async () => {
  const cwd = tempDir();
  writeJson(cwd, 'tiny.json', tinyExperiment());
  const r = await cli(cwd, 'run', 'tiny.json', '--backend', 'cpu', '--out', 'out');
  expect(r.code).toBe(1);
  expect(r.err.filter((l) => l.startsWith('traitlab:'))).toEqual([`traitlab: run failed: out of memory in step 2; nothing was written to ${cwd}/out`]);
  expect(r.out).toEqual([]);
  expect(readdirSync(cwd)).toEqual(['tiny.json']);
});
