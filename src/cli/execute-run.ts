// One run into its run directory, all or nothing: manifest.json first, metrics.jsonl as the
// run logs, summary.json and the finished manifest at the end, then the rename that makes the
// directory appear under its final name (report.html is written just before it). Any failure
// removes the partial directory.
//
// A stoppable run (`stop`, from `traitlab run`) also keeps a checkpoint in the partial directory
// (run-checkpoint.ts). Stopped, it saves its arms and keeps the partial directory; `resume`
// continues such a run there and ends with the files an uninterrupted run writes. A resumed
// run that fails keeps its checkpoint, and so does any stoppable run stopped by a failure that
// says nothing against the run itself (keepsPartial: a full disk), to go on once it is fixed, or
// by a numeric fault (a NaN), so that its state can be inspected.
//
// Warnings (a diverging loss) arrive as metrics records; each is told to `onWarning` as it
// arrives and the run's summary.json lists them under `warnings` (only when there is one).
import { readFileSync } from 'node:fs';
import { withClaims } from '../claims/run-claims.js';
import type { WithClaims } from '../claims/types.js';
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import type { BackendName } from '../engine/backend.js';
import { NumericFault } from '../engine/numeric.js';
import type { RunStop } from './run-stop.js';
import { ArmsInterrupted } from '../run/pool/arm-control.js';
import type { InterruptedRun } from '../run/interrupted-run.js';
import { buildManifest, finishManifest, gitState, type Manifest } from '../run/manifest.js';
import { RunCheckpoint, truncateTo } from '../run/run-checkpoint.js';
import { isDiskFull } from '../run/disk-full.js';
import { dirBytes, RunDir } from '../run/run-dir.js';
import { shardExperiment, shardRecord, type ShardSpec } from '../run/shard.js';
import { runExperiment } from '../registry/run-experiment.js';
import { worldOf } from '../registry/worlds.js';
import type { MetricsRecord } from '../run/types.js';
import { warningOf, warningsInMetrics, withWarnings } from '../run/warnings.js';
import type { RunSummaryBase } from '../run/types.js';
import { MetricsWriter } from '../run/metrics-writer.js';
import { tryWriteReport, type ReportOutcome } from '../report/write-report.js';
import { checkpointing } from './checkpointing.js';
import { OutOfSpaceError, RunFailedError, RunInterruptedError } from './handle-error.js';

export interface RunRequest {
  exp: Experiment;
  experimentFile: string | null;
  /** Final run directory (absolute). */
  dir: string;
  /** The backend already selected in this process. */
  backend: BackendName;
  /** Worker threads for independent arms. */
  jobs: number;
  packageRoot: string;
  onProgress(done: number, total: number, label: string): void;
  /** What the run is doing while no step is counted. */
  onStage?(label: string): void;
  /** Run only this slice of the arms (the manifest still records the whole experiment). */
  shard?: ShardSpec;
  /** Told how writing report.html went; a report that fails does not fail the run. */
  onReport?(outcome: ReportOutcome): void;
  /** Make the run stoppable: it keeps a checkpoint and, stopped, saves its arms. */
  stop?: RunStop;
  /** Continue this interrupted run (`dir` is its final directory); needs `stop`. */
  resume?: InterruptedRun;
  /** A stage warned (its loss is diverging); also listed in summary.json. */
  onWarning?(message: string): void;
}

/** The run's manifest as it started, with this resumption recorded (the code may differ). */
function resumedManifest(m: Manifest, packageRoot: string): Manifest {
  const resumes = [...((m as { resumes?: unknown[] }).resumes ?? []), { at: new Date().toISOString(), git: gitState(packageRoot) }];
  return { ...m, resumes } as Manifest;
}

/**
 * Failures after which the run, as far as it got, is worth continuing: its .partial directory
 * and checkpoint are kept for `traitlab run --resume` instead of being removed. A full disk or
 * quota at any write is one: nothing is wrong with the run, and it goes on once space is freed.
 * A numeric fault is another: the state it reached is kept to be inspected.
 */
export function keepsPartial(e: unknown): boolean {
  return isDiskFull(e) || e instanceof NumericFault;
}

/** The error of a run that failed with its .partial directory and checkpoint kept. */
function keptRunError(e: unknown, dir: string, partial: string): Error {
  if (isDiskFull(e)) return new OutOfSpaceError(e, partial, dirBytes(partial));
  return new RunFailedError(e, dir, partial);
}

export async function executeRun(req: RunRequest): Promise<WithClaims<RunSummaryBase>> {
  // create() refuses a taken target before anything is written
  const runDir = req.resume ? RunDir.reopen(req.dir) : RunDir.create(req.dir);
  let metrics: MetricsWriter | undefined;
  let checkpoint: RunCheckpoint | undefined;
  try {
    const shard = req.shard && shardRecord(req.exp, req.shard, worldOf(req.exp));
    const manifest = req.resume
      ? resumedManifest(req.resume.manifest, req.packageRoot)
      : buildManifest({ exp: req.exp, experimentFile: req.experimentFile, backend: req.backend, packageRoot: req.packageRoot, startedAt: new Date(), shard });
    runDir.writeJson('manifest.json', manifest);
    if (req.stop) checkpoint = req.resume ? RunCheckpoint.takeOver(runDir.partial, req.resume.loaded) : RunCheckpoint.begin(runDir.partial);
    // What was logged after the arm stage started is in the checkpoint's arm files.
    if (req.resume) truncateTo(runDir.path('metrics.jsonl'), req.resume.loaded.metricsBytes);
    const writer = (metrics = new MetricsWriter(runDir.path('metrics.jsonl')));
    const exp = req.shard ? shardExperiment(req.exp, req.shard, worldOf(req.exp)) : req.exp;
    const kept = checkpoint && checkpointing(checkpoint, writer, req.stop!, req.resume?.loaded ?? null);
    const write = kept ? kept.onMetrics : (record: object) => writer.write(record);
    const onMetrics = (record: MetricsRecord) => {
      const warning = warningOf(record);
      if (warning !== null) req.onWarning?.(warning);
      write(record);
    };
    // The claims are checked on the finished summary: they need every arm's per-seed values.
    const claimed = withClaims(exp, await runExperiment(exp, { onMetrics, onProgress: req.onProgress, ...(req.onStage ? { onStage: req.onStage } : {}) }, { jobs: req.jobs, control: kept?.control }));
    metrics = undefined;
    writer.close();
    const summary = withWarnings(claimed, warningsInMetrics(readFileSync(runDir.path('metrics.jsonl'), 'utf8')));
    // No timings in summary.json: two runs with the same config, seed and backend compare equal byte for byte.
    runDir.writeJson('summary.json', summary);
    runDir.writeJson('manifest.json', finishManifest(manifest, new Date()));
    // Written from the files above, inside the partial directory, so it appears with the run.
    req.onReport?.(await tryWriteReport(runDir.partial));
    checkpoint?.remove(); // last: a run killed before this point can still be resumed
    runDir.commit();
    return summary;
  } catch (e) {
    try {
      metrics?.close();
    } catch {
      // the directory is removed next (or, stopped, metrics.jsonl is cut back on resume)
    }
    if (checkpoint && e instanceof ArmsInterrupted) {
      try {
        checkpoint.interrupted(e.partial, req.stop!.reason());
      } catch (saving) {
        throw keptRunError(saving, req.dir, runDir.partial);
      }
      throw new RunInterruptedError(runDir.partial, req.stop!.reason());
    }
    if (req.resume || (checkpoint && keepsPartial(e))) throw keptRunError(e, req.dir, runDir.partial);
    runDir.abort();
    throw new RunFailedError(e, req.dir);
  }
}
