// manifest.json: everything needed to say what ran and where — the resolved config, seeds,
// backend, package versions, host, and the git state of the traitlab checkout. Written when a
// run starts and rewritten (atomically) with its end time when it finishes.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import type { BackendName } from '../engine/backend.js';
import type { ShardRecord } from './shard.js';

/** Packages whose versions change numbers (the tfjs kernels) or validation (zod). */
export const RECORDED_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', 'zod'] as const;

export interface GitState {
  commit: string;
  /**
   * Uncommitted changes to tracked files in the checkout when the run started. Untracked files
   * (a stray plot, a run directory) cannot change what the code computes, so they do not count.
   */
  dirty: boolean;
}

export interface Manifest {
  experiment: string;
  experimentFile: string | null;
  config: Experiment;
  rootSeed: number;
  seeds: number;
  backend: BackendName;
  versions: Record<string, string | null>;
  host: { platform: string; arch: string; cpus: number; cpuModel: string | null };
  git: GitState | null;
  /** Present when this run is one slice of the experiment's arms (`traitlab run --shard i/n`). */
  shard?: ShardRecord;
  /** Present when this directory was joined from shards by `traitlab merge`. */
  merged?: MergedFrom;
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
}

/** Where a merged run's parts came from: each shard's directory and its own record of the run. */
export interface MergedFrom {
  at: string;
  shards: { dir: string; index: number; arms: string[]; git: GitState | null; host: Manifest['host']; startedAt: string; finishedAt: string | null; wallSeconds: number | null }[];
}

function readVersion(file: string, name: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    return pkg.name === name && typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

/**
 * The installed version of `name` as seen from `root`, or null if it is not installed.
 * Packages with an `exports` map may hide `package.json`; then the package is found by its
 * entry point, walking up to the package.json that carries its name.
 */
export function packageVersion(name: string, root: string): string | null {
  const require = createRequire(join(root, 'package.json'));
  try {
    return readVersion(require.resolve(`${name}/package.json`), name);
  } catch {
    // fall through: package.json not exported, or the package is absent
  }
  try {
    let dir = dirname(require.resolve(name));
    for (;;) {
      const v = readVersion(join(dir, 'package.json'), name);
      if (v !== null) return v;
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  } catch {
    return null;
  }
}

const git = (root: string, args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

/** Commit and dirty flag of the checkout at `root`; null unless `root` is itself a git work tree's top. */
export function gitState(root: string): GitState | null {
  try {
    // Installed inside another project, traitlab must not report that project's commit.
    if (realpathSync(git(root, ['rev-parse', '--show-toplevel'])) !== realpathSync(root)) return null;
    return { commit: git(root, ['rev-parse', 'HEAD']), dirty: git(root, ['status', '--porcelain', '--untracked-files=no']) !== '' };
  } catch {
    return null; // not a git repository, no commits yet, or git not installed
  }
}

export function buildManifest(args: { exp: Experiment; experimentFile: string | null; backend: BackendName; packageRoot: string; startedAt: Date; shard?: ShardRecord }): Manifest {
  const { exp, packageRoot } = args;
  const versions: Record<string, string | null> = { traitlab: readVersion(join(packageRoot, 'package.json'), 'traitlab'), node: process.versions.node };
  for (const name of RECORDED_PACKAGES) versions[name] = packageVersion(name, packageRoot);
  const cpuList = cpus();
  return {
    experiment: exp.name,
    experimentFile: args.experimentFile,
    config: exp,
    rootSeed: exp.rootSeed,
    seeds: exp.seeds,
    backend: args.backend,
    versions,
    host: { platform: platform(), arch: arch(), cpus: cpuList.length, cpuModel: cpuList[0]?.model.trim() ?? null },
    git: gitState(packageRoot),
    ...(args.shard ? { shard: args.shard } : {}),
    startedAt: args.startedAt.toISOString(),
  };
}

export function finishManifest(m: Manifest, finishedAt: Date): Manifest {
  const wallSeconds = Math.round((finishedAt.getTime() - Date.parse(m.startedAt)) / 10) / 100;
  return { ...m, finishedAt: finishedAt.toISOString(), wallSeconds };
}
