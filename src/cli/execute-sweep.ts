// A sweep into its sweep directory (src/run/sweep-dir.ts): each point is an ordinary run
// (executeRun) into points/<i>-<label>, one after another; then the sweep's summary.json,
// sweep.csv and report.html are written from the points' summary.json files and the directory
// is renamed into place. Bases a point pretrains are in the base cache when the next point needs
// them (the cache is keyed by what made them), so points that share a base train it once.
//
// Resuming (`resume`) goes on in the same .partial directory: finished points are skipped, a
// point stopped mid-way is resumed from its checkpoint, and the rest run. Under `--shard i/n`
// only this shard's (point, arm) pairs run (src/run/sweep-shard.ts).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendName } from '../engine/backend.js';
import type { SweepPlan } from '../registry/load-sweep.js';
import { runWorlds } from '../registry/run-worlds.js';
import { buildSweepSummary, type SweepPointRef, type SweepSummary } from '../report/sweep/sweep-summary.js';
import { SWEEP_CSV, sweepCsv } from '../report/sweep/sweep-csv.js';
import { tryWriteSweepReport } from '../report/sweep/sweep-report.js';
import type { ReportOutcome } from '../report/write-report.js';
import { openInterruptedRun } from '../run/interrupted-run.js';
import { buildManifest, finishManifest, gitState, type Manifest } from '../run/manifest.js';
import { dirBytes, RunDir, writeFileAtomic } from '../run/run-dir.js';
import type { ShardSpec } from '../run/shard.js';
import { pointDirName } from '../config/sweep.js';
import { POINTS_DIR, pointState, type SweepManifest } from '../run/sweep-dir.js';
import { pointShard } from '../run/sweep-shard.js';
import { sweepPicks } from './sweep-units.js';
import type { RunSummaryBase } from '../run/types.js';
import { executeRun, type RunRequest } from './execute-run.js';
import { OutOfSpaceError, RunInterruptedError } from './handle-error.js';

export interface SweepRequest {
  plan: SweepPlan;
  experimentFile: string | null;
  /** Final sweep directory (absolute). */
  dir: string;
  backend: BackendName;
  shard?: ShardSpec;
  /** Continue this interrupted sweep (its manifest, from `<dir>.partial`). */
  resume?: SweepManifest;
  jobs: number;
  packageRoot: string;
  stop: NonNullable<RunRequest['stop']>;
  onProgress(done: number, total: number, label: string): void;
  onStage?(label: string): void;
  onWarning?(message: string): void;
  /** How writing each report.html went (the points' and the sweep's). */
  onReport?(outcome: ReportOutcome): void;
  /** A point starts (or is skipped, finished before). */
  onPoint?(label: string, state: 'run' | 'resume' | 'done', shown: number, of: number): void;
}

/** The points' references, as the manifest and the summary record them. */
export function pointRefs(plan: SweepPlan): SweepPointRef[] {
  return plan.points.map((p) => ({
    index: p.index,
    label: p.label,
    dir: `${POINTS_DIR}/${pointDirName(p, plan.points.length)}`,
    settings: Object.fromEntries(p.settings.map((s) => [s.path, s.value])),
  }));
}

export function sweepManifest(req: Pick<SweepRequest, 'plan' | 'experimentFile' | 'backend' | 'packageRoot' | 'shard'>, startedAt: Date): SweepManifest {
  const first = req.plan.points[0]!.exp;
  const { config: _config, shard: _shard, ...run } = buildManifest({ exp: first, experimentFile: req.experimentFile, backend: req.backend, packageRoot: req.packageRoot, startedAt });
  return {
    ...run,
    config: req.plan.config,
    sweep: { entries: req.plan.entries, points: pointRefs(req.plan) },
    ...(req.shard ? { shard: { index: req.shard.index, count: req.shard.count } } : {}),
  };
}

/** The sweep summary of the points finished in `dir` (a partial or final sweep directory). */
export function summarizeSweep(plan: SweepPlan, dir: string, backend: string): SweepSummary {
  const first = plan.points[0]!.exp;
  const done = pointRefs(plan).filter((ref) => pointState(join(dir, ref.dir)) === 'done');
  return buildSweepSummary(
    { experiment: first.name, world: first.world, sweep: plan.entries, seeds: first.seeds, rootSeed: first.rootSeed, backend },
    done.map((ref) => ({ ref, summary: JSON.parse(readFileSync(join(dir, ref.dir, 'summary.json'), 'utf8')) as RunSummaryBase })),
  );
}

/**
 * Writes summary.json, sweep.csv, the finished manifest.json and then report.html (drawn from
 * the files before it, as a run's is) of a sweep directory being written.
 */
export async function writeSweepFiles(root: RunDir, plan: SweepPlan, manifest: unknown, onReport?: (o: ReportOutcome) => void): Promise<SweepSummary> {
  const summary = summarizeSweep(plan, root.partial, (manifest as { backend: string }).backend);
  root.writeJson('summary.json', summary);
  writeFileAtomic(root.path(SWEEP_CSV), sweepCsv(summary));
  root.writeJson('manifest.json', manifest);
  onReport?.(await tryWriteSweepReport(root.partial));
  return summary;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function executeSweep(req: SweepRequest): Promise<SweepSummary> {
  const { plan } = req;
  const root = req.resume ? RunDir.reopen(req.dir) : RunDir.create(req.dir);
  const manifest: Manifest = req.resume
    ? ({ ...req.resume, resumes: [...((req.resume as { resumes?: unknown[] }).resumes ?? []), { at: new Date().toISOString(), git: gitState(req.packageRoot) }] } as unknown as Manifest)
    : (sweepManifest(req, new Date()) as unknown as Manifest);
  root.writeJson('manifest.json', manifest);
  mkdirSync(root.path(POINTS_DIR), { recursive: true });
  const picks = req.shard ? sweepPicks(plan.points.map((p) => p.exp), req.shard) : null;
  const refs = pointRefs(plan);
  const mine = plan.points.filter((p) => !picks || picks[p.index]!.length > 0);
  for (const [n, point] of mine.entries()) {
    const ref = refs[point.index]!;
    const dir = join(root.partial, ref.dir);
    const state = pointState(dir);
    req.onPoint?.(ref.label, state === 'done' ? 'done' : state === 'stopped' ? 'resume' : 'run', n + 1, mine.length);
    if (state === 'done') continue;
    let run: Pick<RunRequest, 'exp' | 'dir' | 'shard' | 'resume'>;
    if (state === 'stopped') {
      const target = openInterruptedRun(`${dir}.partial`, root.partial, req.packageRoot, runWorlds);
      run = { exp: target.exp, dir: target.final, shard: target.shard ?? undefined, resume: target };
    } else {
      rmSync(`${dir}.partial`, { recursive: true, force: true }); // killed before its first checkpoint: nothing to keep
      run = { exp: point.exp, dir, shard: (picks && pointShard(picks, point.index, req.shard!)) ?? undefined };
    }
    try {
      await executeRun({
        ...run,
        experimentFile: req.experimentFile,
        backend: req.backend,
        jobs: req.jobs,
        packageRoot: req.packageRoot,
        stop: req.stop,
        onProgress: (d, t, label) => req.onProgress(d, t, `${ref.label} · ${label}`),
        ...(req.onStage ? { onStage: (label: string) => req.onStage!(`${ref.label} · ${label}`) } : {}),
        ...(req.onWarning ? { onWarning: (m: string) => req.onWarning!(`${ref.label}: ${m}`) } : {}),
        ...(req.onReport ? { onReport: req.onReport } : {}),
      });
    } catch (e) {
      if (e instanceof RunInterruptedError) throw new RunInterruptedError(root.partial, e.signal);
      if (e instanceof OutOfSpaceError) throw new OutOfSpaceError(e.cause, root.partial, dirBytes(root.partial));
      throw new Error(`sweep point ${ref.label}: ${message(e)}; the points finished so far are kept in ${root.partial}; traitlab run --resume ${root.partial} runs the rest`, { cause: e });
    }
  }
  const summary = await writeSweepFiles(root, plan, finishManifest(manifest, new Date()), req.onReport);
  root.commit();
  return summary;
}
