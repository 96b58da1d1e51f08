// Shared by the CLI tests: run `main` in-process with captured output in a temp directory, or
// the built CLI in a child process (for signals, and for another user's permissions).
import { spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** The built CLI (npm run build makes it; npm test builds first). */
export const bin = join(import.meta.dirname, '../..', 'dist/src/cli/index.js');

/**
 * The built CLI's path; a test file that spawns it calls this at load, so without a build the
 * file fails saying so instead of skipping its tests unseen.
 */
export function builtBin(): string {
  if (!existsSync(bin)) throw new Error(`${bin} is not built: run npm run build (npm test builds first)`);
  return bin;
}

export interface SpawnedCli {
  /** Send the child a signal. */
  kill(signal: NodeJS.Signals): void;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Exit code (128 + n when a signal n ended it) and the output, as lines. */
  ended: Promise<CliResult>;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };
const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/** `traitlab <argv>` in a child process (env: the test's, with TRAITLAB_STOP_AFTER_STEPS removed). */
export function spawnCli(cwd: string, argv: string[], opts: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): SpawnedCli {
  const env = { ...process.env, ...opts.env };
  if (opts.env?.TRAITLAB_STOP_AFTER_STEPS === undefined) delete env.TRAITLAB_STOP_AFTER_STEPS;
  const spawnOpts: SpawnOptions = { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], uid: opts.uid, gid: opts.gid };
  const child = spawn(process.execPath, [builtBin(), ...argv], spawnOpts);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? 128 + (SIGNAL_NUMBERS[signal!] ?? 0), out: lines(stdout), err: lines(stderr) })),
  );
  return { kill: (signal) => child.kill(signal), stderr: () => stderr, ended };
}
