// A stoppable run's side of its checkpoint (run-checkpoint.ts): the arm-stage control that
// saves each arm as it finishes and starts listening for signals, and the metrics hook that,
// on resume, drops what the recomputed stages before the arms log (metrics.jsonl holds it).
import { statSync } from 'node:fs';
import type { MetricsRecord } from '../run/types.js';
import type { ArmStageControl } from '../run/pool/arm-control.js';
import type { LoadedCheckpoint, RunCheckpoint } from '../run/run-checkpoint.js';
import type { MetricsWriter } from '../run/metrics-writer.js';
import type { RunStop } from './run-stop.js';

export interface Checkpointing {
  onMetrics(record: MetricsRecord): void;
  control: ArmStageControl;
}

export function checkpointing(checkpoint: RunCheckpoint, writer: MetricsWriter, stop: RunStop, loaded: LoadedCheckpoint | null): Checkpointing {
  // A base pretrained in the first attempt may come from the cache now and log nothing: the
  // first attempt's lines are the ones an uninterrupted run has.
  let keepPrefix = loaded?.stage === 'arms';
  return {
    onMetrics: (record) => {
      if (!keepPrefix) writer.write(record);
    },
    control: {
      stop: stop.flag,
      threads: true,
      resume: loaded?.arms ?? new Map(),
      armsStarting: () => {
        keepPrefix = false;
        stop.listen(); // before the checkpoint says "arms": whoever sees that may signal at once
        writer.flush();
        checkpoint.armsStarted(statSync(writer.file).size);
      },
      armDone: (arm) => checkpoint.armDone(arm),
    },
  };
}
