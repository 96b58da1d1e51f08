// One run into its run directory, all or nothing: manifest.json first, metrics.jsonl as the
// run logs, summary.json and the finished manifest at the end, then the rename that makes the
// directory appear under its final name (report.html is written just before it). Any failure
// removes the partial directory.
import { withClaims } from '../claims/run-claims.js';
import type { WithClaims } from '../claims/types.js';
import type { Experiment } from '../config/experiment.js';
import type { BackendName } from '../engine/backend.js';
import { buildManifest, finishManifest } from '../pipeline/manifest.js';
import { RunDir } from '../pipeline/run-dir.js';
import { shardExperiment, shardRecord, type ShardSpec } from '../pipeline/shard.js';
import { runExperiment } from '../pipeline/run-experiment.js';
import type { AnyRunSummary } from '../pipeline/run-experiment.js';
import { MetricsWriter } from '../report/metrics-writer.js';
import { tryWriteReport, type ReportOutcome } from '../report/write-report.js';
import { RunFailedError } from './handle-error.js';

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
  /** Run only this slice of the arms (the manifest still records the whole experiment). */
  shard?: ShardSpec;
  /** Told how writing report.html went; a report that fails does not fail the run. */
  onReport?(outcome: ReportOutcome): void;
}

export async function executeRun(req: RunRequest): Promise<WithClaims<AnyRunSummary>> {
  const runDir = RunDir.create(req.dir); // refuses a taken target before anything is written
  let metrics: MetricsWriter | undefined;
  try {
    const shard = req.shard && shardRecord(req.exp, req.shard);
    const manifest = buildManifest({ exp: req.exp, experimentFile: req.experimentFile, backend: req.backend, packageRoot: req.packageRoot, startedAt: new Date(), shard });
    runDir.writeJson('manifest.json', manifest);
    const writer = (metrics = new MetricsWriter(runDir.path('metrics.jsonl')));
    const exp = req.shard ? shardExperiment(req.exp, req.shard) : req.exp;
    // The claims are checked on the finished summary: they need every arm's per-seed values.
    const summary = withClaims(exp, await runExperiment(exp, { onMetrics: (record) => writer.write(record), onProgress: req.onProgress }, { jobs: req.jobs }));
    metrics = undefined;
    writer.close();
    // No timings in summary.json: two runs with the same config, seed and backend compare equal byte for byte.
    runDir.writeJson('summary.json', summary);
    runDir.writeJson('manifest.json', finishManifest(manifest, new Date()));
    // Written from the files above, inside the partial directory, so it appears with the run.
    req.onReport?.(await tryWriteReport(runDir.partial));
    runDir.commit();
    return summary;
  } catch (e) {
    try {
      metrics?.close();
    } catch {
      // the directory is removed next; a failed flush changes nothing
    }
    runDir.abort();
    throw new RunFailedError(e, req.dir);
  }
}
