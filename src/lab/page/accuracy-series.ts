// The curves of the MNIST accuracy chart, gathered from the worker's metrics records (the lines
// of metrics.jsonl): per student arm, its test accuracy at each probe step (a per-seed array,
// summarised as mean, min, max), and the teacher's, from the `teacher` record at the end of its
// training. Pure, so it is tested without a page.
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { spread, type SeedSpread } from './trait-series.js';

export interface AccuracyPoint {
  step: number;
  accuracy: SeedSpread;
}

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');

export class AccuracySeries {
  /** Each followed arm's probes, in step order, one per step. */
  readonly points = new Map<string, AccuracyPoint[]>();
  teacher: SeedSpread | undefined;

  /** `arms`: the student arms whose probes are kept (by name, as the records' stage). */
  constructor(private readonly arms: readonly string[]) {
    this.clear();
  }

  /** Reads the record if it is a teacher's or a followed arm's accuracy; true when the chart changed. */
  add(record: MetricsRecord): boolean {
    // Step records (loss, kl) share the stage; only accuracy records carry testAccuracy.
    const { testAccuracy } = record;
    if (!isNumbers(testAccuracy)) return false;
    if (record.stage === 'teacher') {
      this.teacher = spread(testAccuracy);
      return true;
    }
    const points = this.points.get(record.stage);
    if (!points) return false;
    const point = { step: record.step, accuracy: spread(testAccuracy) };
    const at = points.findIndex((p) => p.step >= record.step);
    if (at === -1) points.push(point);
    else points.splice(at, points[at]!.step === record.step ? 1 : 0, point);
    return true;
  }

  clear(): void {
    for (const arm of this.arms) this.points.set(arm, []);
    this.teacher = undefined;
  }
}
