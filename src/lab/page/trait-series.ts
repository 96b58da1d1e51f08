// The curves of the trait chart, gathered from the worker's metrics records (the lines of
// metrics.jsonl): per probe step of the arm, p(target) of the trait student and of the control
// student and their difference (transfer), each a per-seed array summarised as mean, min, max;
// and, from the `teacher` record, the levels of the teacher, the control teacher and the base.
// Pure, so it is tested without a page.
import type { MetricsRecord } from '../../engine/metrics-record.js';

/** A per-seed value summarised over the seeds. */
export interface SeedSpread {
  mean: number;
  min: number;
  max: number;
}

export interface TraitPoint {
  step: number;
  trait: SeedSpread;
  control: SeedSpread;
  transfer: SeedSpread;
}

/** Mean p(target) over seeds of the teacher side and of the base, from the `teacher` record. */
export interface TraitLevels {
  teacher: number;
  controlTeacher: number;
  base: number;
}

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');

export function spread(xs: readonly number[]): SeedSpread {
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

export class TraitSeries {
  /** The arm's probes, in step order, one per step. */
  points: TraitPoint[] = [];
  levels: TraitLevels | undefined;

  /** Reads the record if it is a probe of `arm` or the teacher stage's; true when the chart changed. */
  add(record: MetricsRecord, arm: string): boolean {
    if (record.stage === 'teacher') return this.addLevels(record);
    if (record.stage !== arm) return false;
    const { trait, controlTrait, transfer } = record;
    // Step records (loss, source) share the stage; only probes carry the trait.
    if (!isNumbers(trait) || !isNumbers(controlTrait) || !isNumbers(transfer)) return false;
    const point = { step: record.step, trait: spread(trait), control: spread(controlTrait), transfer: spread(transfer) };
    const at = this.points.findIndex((p) => p.step >= record.step);
    if (at === -1) this.points.push(point);
    else this.points.splice(at, this.points[at]!.step === record.step ? 1 : 0, point);
    return true;
  }

  private addLevels(record: MetricsRecord): boolean {
    const { teacherTrait, controlTrait, baseTrait } = record;
    if (!isNumbers(teacherTrait) || !isNumbers(controlTrait) || !isNumbers(baseTrait)) return false;
    this.levels = { teacher: spread(teacherTrait).mean, controlTeacher: spread(controlTrait).mean, base: spread(baseTrait).mean };
    return true;
  }

  clear(): void {
    this.points = [];
    this.levels = undefined;
  }
}
