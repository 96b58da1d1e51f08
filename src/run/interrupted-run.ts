// Opening an interrupted run for `traitlab run --resume <dir>`: `<run>.partial` or `<run>`
// itself may be given. The config comes from the run's manifest.json (never from the
// experiment file, which may have been edited since); the run must have a checkpoint, must not
// have finished, and must be resumed with the packages it started with, or the continuation
// would not be the run it interrupted. Every refusal is a one-line ConfigError.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import { BACKEND_CHOICES, type BackendName } from '../engine/backend.js';
import { packageVersion, RECORDED_PACKAGES, type Manifest } from './manifest.js';
import { CHECKPOINT_DIR, CheckpointCorrupt, CheckpointInUse, RunCheckpoint, type LoadedCheckpoint } from './run-checkpoint.js';
import type { RunWorlds } from './run-world.js';
import { shardArms, shardExperiment, type ShardSpec } from './shard.js';

const PARTIAL = '.partial';

export interface InterruptedRun {
  /** The run's final directory (absolute) and the partial one it is written in. */
  final: string;
  partial: string;
  manifest: Manifest;
  /** The whole experiment, from the manifest (a shard's slice is `shard`). */
  exp: Experiment;
  backend: BackendName;
  shard: ShardSpec | null;
  /** What the checkpoint holds (RunCheckpoint.takeOver goes on writing it). */
  loaded: LoadedCheckpoint;
}

/** `given` names an unusable checkpoint: the fix is always to delete it and run again. */
const corrupt = (shown: string, what: string) => new ConfigError(shown, `the checkpoint is corrupt (${what}); delete ${shown} and rerun`);

function readManifest(partial: string, shown: string): Manifest {
  const file = join(partial, 'manifest.json');
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Partial<Manifest>;
  } catch (e) {
    throw corrupt(shown, `manifest.json: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof m !== 'object' || m === null || typeof m.config !== 'object' || typeof m.backend !== 'string' || !(BACKEND_CHOICES as readonly string[]).includes(m.backend) || (m.backend as string) === 'auto' || typeof m.startedAt !== 'string')
    throw corrupt(shown, 'manifest.json is not a traitlab manifest');
  return m as Manifest;
}

/** Packages (and Node) whose version changes the numbers must be those the run started with. */
function checkVersions(m: Manifest, shown: string, packageRoot: string): void {
  const then = m.versions ?? {};
  const now: Record<string, string | null> = { node: process.versions.node };
  for (const name of RECORDED_PACKAGES) now[name] = packageVersion(name, packageRoot);
  for (const [name, version] of Object.entries(now))
    if (name in then && then[name] !== version)
      throw new ConfigError(shown, `was started with ${name} ${then[name] ?? '(not installed)'} and this installation has ${version ?? '(not installed)'}, so its continuation would not match an uninterrupted run; resume it with the versions it started with, or delete ${shown} and rerun`);
}

/** Where `given` points: the partial directory of an interrupted run, with its manifest checked. */
export function openInterruptedRun(given: string, cwd: string, packageRoot: string, worlds: RunWorlds): InterruptedRun {
  const abs = resolve(cwd, given).replace(/\/+$/, '');
  const final = abs.endsWith(PARTIAL) ? abs.slice(0, -PARTIAL.length) : abs;
  const partial = `${final}${PARTIAL}`;
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (!isDir(partial)) {
    if (isDir(final) && existsSync(join(final, 'summary.json'))) throw new ConfigError(given, `has already finished, so there is nothing to resume; traitlab show ${given} prints its result`);
    if (existsSync(final)) throw new ConfigError(given, 'has no checkpoint to resume from (it is not an interrupted traitlab run)');
    throw new ConfigError(given, 'not found; give the directory an interrupted run named (runs/<experiment>-<time>-<hash>.partial)');
  }
  if (existsSync(final)) throw new ConfigError(given, `both ${final} and its .partial exist; move one away (a finished run is never overwritten)`);
  const shown = given.endsWith(PARTIAL) ? given : `${given}${PARTIAL}`;
  if (!existsSync(join(partial, CHECKPOINT_DIR, 'run.json'))) {
    if (!existsSync(join(partial, 'manifest.json'))) throw new ConfigError(shown, 'has no checkpoint to resume from (it is not a traitlab run directory)');
    throw new ConfigError(shown, `has no checkpoint to resume from (its run was stopped before it wrote one, or by an older traitlab); delete ${shown} and rerun`);
  }
  const manifest = readManifest(partial, shown);
  let exp: Experiment;
  try {
    exp = worlds.parse(manifest.config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw corrupt(shown, `manifest.json config.${e.path}: ${e.problem.split(';')[0]}`);
  }
  let shard: ShardSpec | null = null;
  if (manifest.shard !== undefined) {
    const s = manifest.shard;
    shard = { index: s.index, count: s.count, ...(s.sweep === true && Array.isArray(s.arms) ? { arms: s.arms } : {}) };
    if (!Number.isInteger(s.index) || !Number.isInteger(s.count) || s.index < 1 || s.index > s.count || JSON.stringify(s.arms) !== JSON.stringify(shardArms(exp, shard, worlds.of(exp))))
      throw corrupt(shown, 'manifest.json shard does not match its config');
  }
  checkVersions(manifest, shown, packageRoot);
  const loaded = readCheckpoint(partial, shown);
  const arms = new Set(worlds.of(exp).taskNames(shard ? shardExperiment(exp, shard, worlds.of(exp)) : exp));
  const stranger = [...loaded.arms.keys()].find((name) => !arms.has(name));
  if (stranger !== undefined) throw corrupt(shown, `it holds arm "${stranger}", which the run's config does not have`);
  const metrics = join(partial, 'metrics.jsonl');
  const size = existsSync(metrics) ? statSync(metrics).size : 0;
  if (size < loaded.metricsBytes) throw corrupt(shown, `metrics.jsonl has ${size} bytes, fewer than the ${loaded.metricsBytes} it had when the arms started`);
  return { final, partial, manifest, exp, backend: manifest.backend, shard, loaded };
}

function readCheckpoint(partial: string, shown: string): LoadedCheckpoint {
  try {
    return RunCheckpoint.read(partial);
  } catch (e) {
    if (e instanceof CheckpointInUse) throw new ConfigError(shown, `${e.message}; wait for it to end or stop it (Ctrl-C) before resuming`);
    if (e instanceof CheckpointCorrupt) throw corrupt(shown, e.message);
    throw e;
  }
}
