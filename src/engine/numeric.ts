// Numeric faults and divergence. A NaN or ±Inf in a loss, a logit or a probe makes every number
// after it meaningless (a student at exactly chance, `null` in metrics.jsonl), so the run stops at
// that step and names the setting most likely responsible. A loss that explodes but stays finite
// may still recover, so it is a warning, given once per stage. Only values already read back
// from the backend are checked: no check adds a GPU sync.
import { injectNan } from './inject-nan.js';

/** Where a value comes from, for the message: the stage, and the setting to blame. */
export interface NumericContext {
  /** The stage as metrics.jsonl names it (`teacher`, an arm's name, a base's label). */
  stage: string;
  /** The config field most likely responsible, as the experiment file spells it (`distill.temperature`). */
  setting: string;
  /** The run's index of the loop's first member, when the loop trains a part of the members (default 0): messages name run members. */
  firstMember?: number;
}

/** The plain-data form of a NumericFault, for postMessage and checkpoints. */
export interface NumericFaultData {
  stage: string;
  setting: string;
  step: number;
  /** What was not finite: `loss`, `teacher logits`, `trait probe`, … */
  what: string;
  /** NaN, Infinity or -Infinity. */
  value: number;
}

export class NumericFault extends Error {
  readonly stage: string;
  readonly setting: string;
  readonly step: number;
  readonly what: string;
  readonly value: number;

  constructor(data: NumericFaultData) {
    super(`numeric fault: the ${data.what} of stage ${data.stage} is ${data.value} at step ${data.step}; the setting most likely responsible is ${data.setting} (change it and run again)`);
    this.name = 'NumericFault';
    ({ stage: this.stage, setting: this.setting, step: this.step, what: this.what, value: this.value } = data);
  }

  toData(): NumericFaultData {
    return { stage: this.stage, setting: this.setting, step: this.step, what: this.what, value: this.value };
  }

  /** The data of a NumericFault that crossed a thread boundary, or null for anything else. */
  static fromData(data: unknown): NumericFault | null {
    const d = data as Partial<NumericFaultData> | null;
    const ok = typeof d === 'object' && d !== null && typeof d.stage === 'string' && typeof d.setting === 'string' && typeof d.step === 'number' && typeof d.what === 'string' && typeof d.value === 'number';
    return ok ? new NumericFault(d as NumericFaultData) : null;
  }
}

/** The first value of `values` that is not finite, or null when all are. */
export function firstNonFinite(values: ArrayLike<number>): number | null {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return values[i]!;
  return null;
}

/** Throws a NumericFault naming `ctx` when any of `values` is NaN or ±Inf. */
export function checkFinite(values: ArrayLike<number>, ctx: NumericContext & { step: number; what: string }): void {
  const bad = firstNonFinite(values);
  if (bad !== null) throw new NumericFault({ stage: ctx.stage, setting: ctx.setting, step: ctx.step, what: ctx.what, value: bad });
}

/**
 * The distillation setting most likely behind a NaN or a diverging loss: a softmax temperature
 * below 1 sharpens both distributions (and scales the gradient by 1/T), unless the learning rate
 * is itself far above Adam's usual 1e-3. `fields` names the two as the experiment file does.
 */
export function temperatureOrLearningRate(temperature: number, learningRate: number, fields: { temperature: string; learningRate: string }): string {
  return temperature < 1 && learningRate < 0.1 ? fields.temperature : fields.learningRate;
}

/** A loss this many times above max(|first loss|, 1) is taken as diverging. */
export const DIVERGENCE_FACTOR = 10;

/** Significant digits, no trailing noise: 460.123 → "460", 0.0123456 → "0.0123". */
const shortNumber = (x: number) => String(Number(x.toPrecision(3)));

/**
 * Watches one stage's logged losses per member: the first logged loss is the reference; the
 * first later loss above DIVERGENCE_FACTOR × max(|reference|, 1) gives one warning, and the
 * stage gives no other.
 */
export class LossWatch {
  private first: number[] | null = null;
  private warned = false;

  constructor(private readonly ctx: NumericContext) {}

  /**
   * No loss seen yet: the loop should read this step's loss even when it does not log it. The
   * first step's loss is the untrained model's, a sound reference; a loss that explodes in the
   * first steps is larger than any it could be compared with later.
   */
  get wantsReference(): boolean {
    return this.first === null;
  }

  /**
   * A training loop's losses read back at `step`: a NaN or ±Inf throws NumericFault (after the
   * test-only injection of inject-nan.ts); returns the losses as checked and the divergence
   * warning this step gives, or null.
   */
  check(step: number, losses: number[]): { losses: number[]; warning: string | null } {
    const checked = injectNan(this.ctx.stage, step, losses);
    checkFinite(checked, { ...this.ctx, step, what: 'loss' });
    return { losses: checked, warning: this.observe(step, checked) };
  }

  /** The warning this step gives (at most one per stage), or null. Non-finite losses are checkFinite's. */
  observe(step: number, losses: ArrayLike<number>): string | null {
    if (this.warned) return null;
    if (this.first === null) {
      this.first = Array.from(losses);
      return null;
    }
    for (let m = 0; m < losses.length; m++) {
      const reference = this.first[m] ?? 0;
      const limit = DIVERGENCE_FACTOR * Math.max(Math.abs(reference), 1);
      const loss = losses[m]!;
      if (loss > limit) {
        this.warned = true;
        return `the loss of stage ${this.ctx.stage} (member ${m + (this.ctx.firstMember ?? 0)}) rose to ${shortNumber(loss)} at step ${step}, over ${DIVERGENCE_FACTOR}× its first ${shortNumber(reference)}: training is diverging; lower ${this.ctx.setting}`;
      }
    }
    return null;
  }
}

