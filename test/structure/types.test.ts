// Strict TypeScript everywhere, tests included: `npm run build` type-checks src, bench and the
// recipes; this checks the tests (and the lab page) too, under tsconfig.tests.json — the same
// strict options, with the bundler's module resolution that vitest and Vite use.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { root } from '../support/imports.js';

test('the tests, the lab and the rest type-check strictly (tsc -p tsconfig.tests.json)', () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.tests.json')], { cwd: root, encoding: 'utf8' });
  const errors = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes('error TS'));
  expect(errors).toEqual([]);
  expect(result.status).toBe(0);
}, 120_000);
