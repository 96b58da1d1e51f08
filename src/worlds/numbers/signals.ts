// What the numbers arm records for the two mechanism measurements, and how its summary reads
// them: divergence positions (Schrodi et al., arXiv 2509.23886) and gradient alignment with
// the early share of the transfer (Kitkana & Arora, arXiv 2604.25779). Nothing here runs unless
// the file turns the measurement on, so summaries of other files keep their fields.
import { mean, meanCi, type MeanCi } from '../../probes/stats.js';

export interface DivergenceSummary {
  /** Trait students: divergence positions / trained completion positions over the whole run, per seed. */
  divergenceFraction: number[];
  /** The same for the control students (control teacher's argmax against the trait teacher's, on their rows). */
  controlDivergenceFraction: number[];
  divergenceStats: MeanCi;
}

export interface AlignmentSummary {
  /** Per seed: the trait student's cosine(−∇loss, ∇ log p(target)) averaged over the probes after step 0. */
  gradientCosine: number[];
  gradientCosineStats: MeanCi;
  /** Per seed: the fraction of those probes with a cosine > 0. */
  gradientCosinePositive: number[];
  /** The same for the student distilled from the control teacher. */
  controlGradientCosine: number[];
  controlGradientCosineStats: MeanCi;
  controlGradientCosinePositive: number[];
  /** steps / 10 (rounded down), the end of the first tenth of training. */
  earlyStep: number;
  /** Whether earlyStep is a probe step; if not, earlyTransfer interpolates the two probes around it linearly. */
  earlyStepProbed: boolean;
  /** Transfer at earlyStep, per seed. */
  earlyTransfer: number[];
  earlyTransferStats: MeanCi;
  /** mean earlyTransfer / mean final transfer (null when the mean final transfer is ≤ 0). */
  earlyShare: number | null;
}

/** Divergence summary from the channel's counts (2M members: trait 0..M−1, control M..2M−1). */
export function divergenceSummary(divergent: readonly number[], trained: readonly number[], M: number): DivergenceSummary {
  const frac = divergent.map((d, m) => (trained[m]! > 0 ? d / trained[m]! : 0));
  const divergenceFraction = frac.slice(0, M);
  return { divergenceFraction, controlDivergenceFraction: frac.slice(M, 2 * M), divergenceStats: meanCi(divergenceFraction) };
}

/** The value at `at` of a trajectory sampled at increasing steps, linear between neighbours (clamped at the ends). */
export function interpolateAt(steps: readonly number[], values: readonly number[], at: number): number {
  if (steps.length === 0) return Number.NaN;
  if (at <= steps[0]!) return values[0]!;
  for (let i = 1; i < steps.length; i++) {
    if (at <= steps[i]!) {
      const [s0, s1] = [steps[i - 1]!, steps[i]!];
      return values[i - 1]! + ((values[i]! - values[i - 1]!) * (at - s0)) / (s1 - s0);
    }
  }
  return values[values.length - 1]!;
}

/** Records per-member cosines at probes and the transfer trajectory, and summarises them. */
export class AlignmentRecorder {
  private readonly cosines: number[][] = [];
  private readonly probeSteps: number[] = [];
  private readonly transfers: number[][] = [];

  constructor(private readonly M: number) {}

  cosine(values: number[]): void {
    this.cosines.push(values);
  }

  transfer(step: number, perSeed: number[]): void {
    this.probeSteps.push(step);
    this.transfers.push(perSeed);
  }

  summary(steps: number, finalTransfer: readonly number[]): AlignmentSummary {
    const M = this.M;
    const perSeed = (offset: number, f: (xs: number[]) => number) => Array.from({ length: M }, (_, i) => f(this.cosines.map((c) => c[offset + i]!)));
    const positive = (xs: number[]) => xs.filter((x) => x > 0).length / xs.length;
    const earlyStep = Math.floor(steps / 10);
    const earlyTransfer = Array.from({ length: M }, (_, i) =>
      interpolateAt(
        this.probeSteps,
        this.transfers.map((t) => t[i]!),
        earlyStep,
      ),
    );
    const finalMean = mean(finalTransfer);
    const gradientCosine = perSeed(0, mean);
    const controlGradientCosine = perSeed(M, mean);
    return {
      gradientCosine,
      gradientCosineStats: meanCi(gradientCosine),
      gradientCosinePositive: perSeed(0, positive),
      controlGradientCosine,
      controlGradientCosineStats: meanCi(controlGradientCosine),
      controlGradientCosinePositive: perSeed(M, positive),
      earlyStep,
      earlyStepProbed: this.probeSteps.includes(earlyStep),
      earlyTransfer,
      earlyTransferStats: meanCi(earlyTransfer),
      earlyShare: finalMean > 0 ? mean(earlyTransfer) / finalMean : null,
    };
  }
}
