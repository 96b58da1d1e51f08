// `traitlab run <file>` when the file has a `sweep` block, and `traitlab run --resume` of a
// sweep directory: every point is validated before anything is made, the sweep runs point by
// point (execute-sweep.ts), and the terminal gets the sweep table (points × arms).
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import { selectBackend } from '../engine/backend.js';
import { loadRunFile } from '../registry/load-run-file.js';
import { parseSweep, type SweepPlan } from '../registry/load-sweep.js';
import { checkRegistryNames, worldOf } from '../registry/worlds.js';
import { formatSweepTable } from '../report/sweep/sweep-table.js';
import { assertOutLocation } from '../run/out-location.js';
import { assertFreeTarget } from '../run/run-dir.js';
import { checkShardable, shardLabel, type ShardSpec } from '../run/shard.js';
import { checkSweepPoints, readSweepManifest, resolveSweepDir, type SweepManifest } from '../run/sweep-dir.js';
import { sweepPairs } from '../run/sweep-shard.js';
import { sweepPicks, sweepUnitName, sweepUnitsOf } from './sweep-units.js';
import { executeSweep, type SweepRequest } from './execute-sweep.js';
import type { CliIo } from './io.js';
import type { RunCommandOptions } from './run-options.js';
import { shownPath } from './shown-path.js';
import { printWarning } from './warning-line.js';
import { inRunSession } from './run-session.js';

/** What a sweep starts from: the request without the session's settings (run-session.ts). */
export type SweepStart = Pick<SweepRequest, 'plan' | 'experimentFile' | 'dir' | 'backend' | 'shard' | 'resume'>;

/** Refuses a shard of a sweep that its (point, unit) pairs cannot fill. */
export function checkSweepShard(plan: Pick<SweepPlan, 'points'>, shard: ShardSpec): void {
  const exps = plan.points.map((p) => p.exp);
  const pool = { size: sweepPairs(exps, sweepUnitsOf), what: `the sweep has ${plan.points.length} points with` };
  for (const exp of exps) checkShardable(exp, shard, worldOf(exp), pool);
}

const pointCount = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

async function freshSweep(file: string, plan: SweepPlan, opts: RunCommandOptions, io: CliIo): Promise<SweepStart> {
  if (opts.shard) checkSweepShard(plan, opts.shard);
  const first = plan.points[0]!.exp;
  const named = resolveSweepDir(first.name, plan.config, { cwd: io.cwd, out: opts.out, now: new Date() });
  const dir = opts.shard && opts.out === undefined ? `${named}-shard${opts.shard.index}of${opts.shard.count}` : named;
  assertOutLocation(dirname(dir), opts.out !== undefined ? `--out ${opts.out}` : shownPath(dir, io.cwd), 'give --out a folder you can write to, e.g. --out runs/my-sweep');
  assertFreeTarget(dir);
  if (existsSync(`${dir}.partial`)) throw new ConfigError(`${shownPath(dir, io.cwd)}.partial`, `already exists (a sweep into this directory is in progress, was interrupted or killed); continue it with traitlab run --resume ${shownPath(dir, io.cwd)}.partial, remove it, or choose another --out`);
  const backend = await selectBackend(opts.backend);
  const exps = plan.points.map((p) => p.exp);
  const picks = opts.shard ? sweepPicks(exps, opts.shard) : null;
  const unit = sweepUnitName(first);
  const slice = opts.shard ? ` shard ${shardLabel(opts.shard)} (${picks!.reduce((n, a) => n + a.length, 0)} of ${sweepPairs(exps, sweepUnitsOf)} point-${unit} pairs)` : '';
  io.err(`running sweep ${first.name}${slice}: ${pointCount(plan.points.length)} (${plan.entries.map((e) => `${e.path} ∈ ${JSON.stringify(e.values)}`).join(' × ')}), ${first.seeds} seed${first.seeds === 1 ? '' : 's'}, root seed ${first.rootSeed}, backend ${backend} → ${shownPath(dir, io.cwd)}`);
  return { plan, experimentFile: resolve(io.cwd, file), dir, backend, ...(opts.shard ? { shard: opts.shard } : {}) };
}

/** The sweep that `--resume <dir>` names, or null when it names a run (resume-start.ts takes it). */
async function resumedSweep(given: string, file: string | undefined, opts: RunCommandOptions, io: CliIo): Promise<SweepStart | null> {
  const abs = resolve(io.cwd, given).replace(/\/+$/, '');
  const final = abs.endsWith('.partial') ? abs.slice(0, -'.partial'.length) : abs;
  const partial = `${final}.partial`;
  const m = existsSync(partial) ? readSweepManifest(partial) : null;
  if (m === null) return null;
  const shown = shownPath(partial, io.cwd);
  if (file !== undefined) throw new ConfigError('--resume', `takes the config from the sweep directory, so give no experiment file (remove ${file})`);
  for (const name of ['seeds', 'out', 'shard'] as const)
    if (opts[name] !== undefined) throw new ConfigError(`--${name}`, 'cannot be used with --resume: the sweep continues with the settings it started with (see its manifest.json); remove it');
  if (existsSync(final)) throw new ConfigError(given, `both ${final} and its .partial exist; move one away (a finished sweep is never overwritten)`);
  let plan: SweepPlan;
  try {
    plan = parseSweep(m.config, {}, checkRegistryNames);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(shown, `the sweep's manifest.json config does not validate (${e.message}); delete ${shown} and rerun`);
  }
  checkSweepPoints(m, plan.points.map((p) => p.label), shown);
  assertOutLocation(dirname(partial), `--resume ${given}`, `make that folder writable, or move ${basename(partial)} to a folder you can write to and resume it there`);
  if (opts.backend !== 'auto' && opts.backend !== m.backend) throw new ConfigError('--backend', `the sweep started on ${m.backend}; resume it on ${m.backend} (or leave --backend out)`);
  const backend = await selectBackend(m.backend);
  io.err(`resuming sweep ${plan.points[0]!.exp.name}: ${pointCount(plan.points.length)}, backend ${backend} → ${shown}`);
  return { plan, experimentFile: m.experimentFile, dir: final, backend, ...(m.shard ? { shard: { index: m.shard.index, count: m.shard.count } } : {}), resume: m };
}

/** What `traitlab run` starts when it is a sweep, or null for a plain run. Bad input fails here, before anything is made. */
export async function sweepStart(file: string | undefined, opts: RunCommandOptions, io: CliIo): Promise<SweepStart | null> {
  if (opts.resume !== undefined) return resumedSweep(opts.resume, file, opts, io);
  if (file === undefined) return null;
  const loaded = loadRunFile(file, { seeds: opts.seeds }, io.cwd, checkRegistryNames);
  return loaded.kind === 'sweep' ? freshSweep(file, loaded.plan, opts, io) : null;
}

export async function runSweep(start: SweepStart, opts: RunCommandOptions, io: CliIo): Promise<void> {
  const { dir } = start;
  const summary = await inRunSession(io, opts, dir, worldOf(start.plan.points[0]!.exp).pretrain !== undefined, (session) =>
    executeSweep({
      ...start,
      ...session,
      onReport: (o) => {
        if (!o.ok) printWarning(io, `a report.html was not written (${o.error}); the results are complete: write it with traitlab report <dir>`);
        else for (const w of o.warnings) printWarning(io, w);
      },
      onPoint: (label, state, n, of) => {
        if (state === 'done') io.err(`point ${n}/${of} ${label}: finished before, kept`);
        else io.err(`point ${n}/${of} ${label}${state === 'resume' ? ': resuming' : ''}`);
      },
    }),
  );
  io.out(opts.json ? JSON.stringify(summary, null, 2) : formatSweepTable(summary, shownPath(dir, io.cwd)));
  if (!opts.json && existsSync(join(dir, 'report.html'))) io.out(`report: ${shownPath(join(dir, 'report.html'), io.cwd)}`);
}
