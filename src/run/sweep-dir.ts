// The sweep directory: one run directory per point under points/, and the sweep's own files
// beside them. Like a run, it is written as `<dir>.partial` and renamed when every point is done;
// a point is itself a run directory (with its own .partial while it runs), so an interrupted
// sweep resumes by skipping finished points and resuming the one that was stopped.
//
//   <dir>/manifest.json    the file as validated (with its sweep block), the points, backend, versions
//   <dir>/summary.json     per point and arm the headline metric (report/sweep/sweep-summary.ts)
//   <dir>/sweep.csv        the same table, one row per point, arm and seed
//   <dir>/report.html      the metric against the swept value, with intervals
//   <dir>/points/<i>-<label>/{manifest.json, metrics.jsonl, summary.json, report.html}
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { ConfigError } from '../config/errors.js';
import type { SweepEntry } from '../config/sweep.js';
import { canonicalJson, timestamp } from './run-dir.js';
import type { Manifest } from './manifest.js';
import type { ShardSpec } from './shard.js';

export const POINTS_DIR = 'points';

/** What manifest.json of a sweep directory holds besides a run's fields; `sweep` marks it as one. */
export interface SweepManifest extends Omit<Manifest, 'config' | 'shard'> {
  config: Record<string, unknown>;
  sweep: { entries: SweepEntry[]; points: { index: number; label: string; dir: string; settings: Record<string, unknown> }[] };
  /** This sweep directory is shard i of n of the (point, arm) list. */
  shard?: ShardSpec;
}

/** `runs/<experiment>-sweep-<YYYYMMDD-HHMMSS>-<hash of the file>` under `cwd`, or `out`. */
export function resolveSweepDir(name: string, config: Record<string, unknown>, opts: { cwd: string; out?: string; now: Date }): string {
  if (opts.out !== undefined) return resolve(opts.cwd, opts.out);
  const hash = createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 6);
  return resolve(opts.cwd, 'runs', `${name}-sweep-${timestamp(opts.now)}-${hash}`);
}

/** The sweep manifest in `dir`, or null when `dir` holds a run's manifest (or none). */
export function readSweepManifest(dir: string): SweepManifest | null {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file) || !statSync(dir).isDirectory()) return null;
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // not ours to judge here: the run readers say what is wrong with it
  }
  return typeof m === 'object' && m !== null && 'sweep' in m ? (m as SweepManifest) : null;
}

/** A point's state in a sweep directory being written. */
export type PointState = 'done' | 'stopped' | 'absent';

export function pointState(pointDir: string): PointState {
  if (existsSync(join(pointDir, 'summary.json'))) return 'done';
  if (existsSync(join(`${pointDir}.partial`, 'checkpoint', 'run.json'))) return 'stopped';
  return 'absent';
}

/** Refuses a sweep manifest whose points do not match its config (edited by hand). */
export function checkSweepPoints(m: SweepManifest, labels: readonly string[], shown: string): void {
  const recorded = m.sweep.points.map((p) => p.label);
  if (JSON.stringify(recorded) !== JSON.stringify(labels)) throw new ConfigError(`${shown}/manifest.json`, `lists points ${JSON.stringify(recorded)} but its sweep makes ${JSON.stringify(labels)}; restore the manifest or rerun the sweep`);
}
