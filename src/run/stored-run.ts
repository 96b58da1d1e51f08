// A finished run directory read back from disk (for `verify` and `merge`): its manifest, the
// experiment re-validated from the manifest's config, and the raw text of summary.json and
// metrics.jsonl (merge copies bytes, so nothing is re-serialised). Anything missing, partial
// or damaged is a ConfigError naming the file and what to do.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import { BACKEND_CHOICES } from '../engine/backend.js';
import { checkFinishedDir } from './finished-dir.js';
import type { Manifest } from './manifest.js';
import type { RunWorld, RunWorlds } from './run-world.js';
import { shardArms, shardUnits, type ShardRecord } from './shard.js';

export interface StoredRun {
  /** As the user typed it, for messages. */
  given: string;
  dir: string;
  manifest: Manifest;
  /** manifest.config, validated again (schema and registry names) as the run validated it. */
  exp: Experiment;
  world: RunWorld;
  /** The slice of arms this run is, when it was run with --shard. */
  shard: ShardRecord | null;
  summaryText: string;
  summary: Record<string, unknown>;
  /** metrics.jsonl as written, or null when `needMetrics` was false and it is absent. */
  metricsText: string | null;
}

function readText(dir: string, given: string, name: string): string | null {
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new ConfigError(join(given, name), `cannot read it (${code ?? (e as Error).message}); check its permissions`);
  }
}

function required(dir: string, given: string, name: string): string {
  const text = readText(dir, given, name);
  if (text === null) throw new ConfigError(join(given, name), 'missing, so this is not a complete run directory; give one that traitlab run wrote (or re-run the experiment)');
  return text;
}

function parseObject(text: string, shown: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(shown, `invalid JSON (${(e as Error).message.split('\n')[0]}); the run wrote valid JSON, so restore the file from the run or re-run it`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(shown, 'is not a JSON object; restore the file from the run or re-run it');
  return value as Record<string, unknown>;
}

function checkManifest(m: Record<string, unknown>, shown: string): void {
  const bad = (field: string, want: string) => new ConfigError(`${shown} ${field}`, `${want}; this manifest was not written by traitlab run (or was edited): restore it or re-run the experiment`);
  if (typeof m.config !== 'object' || m.config === null) throw bad('config', 'missing or not an object');
  if (typeof m.backend !== 'string' || !(BACKEND_CHOICES as readonly string[]).includes(m.backend) || m.backend === 'auto') throw bad('backend', 'missing or not a backend name');
  if (typeof m.startedAt !== 'string') throw bad('startedAt', 'missing');
}

/** manifest.shard, checked against the experiment: the arms it lists are those its i/n selects. */
function readShard(m: Record<string, unknown>, exp: Experiment, world: RunWorld, shown: string): ShardRecord | null {
  if (m.shard === undefined) return null;
  const s = m.shard as Partial<ShardRecord> | null;
  const whole = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1;
  if (typeof s !== 'object' || s === null || !whole(s.index) || !whole(s.count) || s.index > s.count || !Array.isArray(s.arms))
    throw new ConfigError(`${shown} shard`, 'is not a shard record {index, count, arms, of}; restore the manifest from the run or re-run the shard');
  const picked = s.sweep === true;
  const expected = shardArms(exp, { index: s.index, count: s.count, ...(picked ? { arms: s.arms as string[] } : {}) }, world);
  if (JSON.stringify(s.arms) !== JSON.stringify(expected))
    throw new ConfigError(`${shown} shard.arms`, `lists ${JSON.stringify(s.arms)} but shard ${s.index}/${s.count} of this config is ${JSON.stringify(expected)}; restore the manifest from the run or re-run the shard`);
  return { index: s.index, count: s.count, arms: expected, of: shardUnits(exp, world), ...(picked ? { sweep: true as const } : {}) };
}

export function readStoredRun(given: string, cwd: string, opts: { needMetrics: boolean }, worlds: RunWorlds): StoredRun {
  const dir = resolve(cwd, given);
  checkFinishedDir(given, dir, { verb: 'use', holds: 'manifest.json and summary.json' });
  const manifestShown = join(given, 'manifest.json');
  const manifest = parseObject(required(dir, given, 'manifest.json'), manifestShown);
  checkManifest(manifest, manifestShown);
  let exp: Experiment;
  try {
    exp = worlds.parse(manifest.config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(`${manifestShown} config.${e.path}`, e.problem);
  }
  const shard = readShard(manifest, exp, worlds.of(exp), manifestShown);
  const summaryText = required(dir, given, 'summary.json');
  const summary = parseObject(summaryText, join(given, 'summary.json'));
  if (typeof summary.experiment !== 'string' || !Array.isArray(summary.arms))
    throw new ConfigError(join(given, 'summary.json'), 'is not a traitlab run summary (needs "experiment" and "arms"); restore it from the run or re-run the experiment');
  const metricsText = opts.needMetrics ? required(dir, given, 'metrics.jsonl') : readText(dir, given, 'metrics.jsonl');
  return { given, dir, manifest: manifest as unknown as Manifest, exp, world: worlds.of(exp), shard, summaryText, summary, metricsText };
}
