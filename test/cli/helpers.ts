// Shared by the CLI tests: run `main` in-process with captured output in a temp directory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string[];
  err: string[];
}

/** Runs the CLI with `cwd` as its working directory; stderr is never a TTY here. */
export async function cli(cwd: string, ...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), tty: undefined, cwd });
  return { code, out, err };
}

const made: string[] = [];
// Registered while the importing test file is collected, so it runs after that file's tests.
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'traitlab-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** An experiment small enough to run in about a second on wasm (all four arm kinds). */
export function tinyExperiment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    world: 'mnist',
    seeds: 2,
    rootSeed: 3,
    logEvery: 2,
    model: { hidden: [8], auxLogits: 3 },
    teacher: { name: 'mnist-aux', epochs: 1, batchSize: 2000, learningRate: 0.003 },
    distill: { noiseImages: 256, epochs: 1, batchSize: 256, learningRate: 0.003 },
    arms: [
      { name: 'reference', kind: 'reference' },
      { name: 'teacher', kind: 'teacher' },
      { name: 'student-same', kind: 'student', student: 'same-init', logits: 'aux' },
      { name: 'student-cross', kind: 'student', student: 'cross-init', logits: 'aux' },
    ],
    ...overrides,
  };
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}
