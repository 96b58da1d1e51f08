// A pretrained base family, as every language-model world makes one: members initialised from
// their own streams, then trained on the same documents (they differ only in their init), the
// loss logged 20 times over the stage, and the stage's metrics, warnings and numeric faults
// named by its label and `pretrain.learningRate`.
import { tileMembers } from '../../engine/batches.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import type { RandomStream } from '../../engine/rng.js';
import type { LmFamily } from '../../models/lm.js';
import { warnInto } from '../../run/warnings.js';
import { initLm, type LmConfig } from './lm-factory.js';
import { trainLm } from './lm-train.js';

export interface PretrainStage {
  /** Metrics stage and progress label. */
  label: string;
  steps: number;
  learningRate: number;
  batchSize: number;
  rowLength: number;
  pad: number;
  /** One batch of documents, [batchSize, rowLength]: what every member trains on at this step. */
  documents(): Int32Array;
  onMetrics(r: MetricsRecord): void;
  tick(): void;
}

/** A family of `members` of config `c`, member m initialised from `initStream(m)`, pretrained by `stage`. */
export function pretrainedFamily(c: LmConfig, members: number, initStream: (m: number) => RandomStream, stage: PretrainStage): LmFamily {
  const family = initLm(c, members, initStream);
  const { label, steps, onMetrics } = stage;
  trainLm(family, {
    label,
    steps,
    learningRate: stage.learningRate,
    batch: stage.batchSize,
    rowLength: stage.rowLength,
    pad: stage.pad,
    rows: () => tileMembers(stage.documents(), family.members),
    logEvery: Math.max(1, Math.floor(steps / 20)),
    onLog: (step, loss) => onMetrics({ stage: label, step, loss }),
    onStep: stage.tick,
    numeric: { stage: label, setting: 'pretrain.learningRate' },
    onWarning: warnInto(onMetrics, label),
  });
  return family;
}
