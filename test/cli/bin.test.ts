// The built bin (npm test builds first) starts and exits cleanly.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { builtBin } from '../support/cli.js';

const root = join(import.meta.dirname, '../..');
const bin = builtBin();

test('node dist/src/cli/index.js --help exits 0', () => {
  const r = spawnSync(process.execPath, [bin, '--help'], { cwd: root, encoding: 'utf8', timeout: 15_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^Usage: traitlab/);
  expect(r.stdout).toContain('run [options] [file]');
});

test('the bin exits 2 with one stderr line on bad input', () => {
  const r = spawnSync(process.execPath, [bin, 'run', 'no-such-file.json'], { cwd: root, encoding: 'utf8', timeout: 15_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('traitlab: no-such-file.json: file not found; check the path\n');
});
