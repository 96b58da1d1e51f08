// The values each charted metric can take. A t interval over 3 seeds is mean ± 4.3 sd, so it
// easily runs past what the metric can be (p(owl) below 0, accuracy to −60 %); the charts cut
// bands and whiskers at these bounds, so no figure shows an impossible value. The tables keep
// the interval as computed.

/** Closed bounds; an infinite bound is no bound. */
export interface MetricRange {
  min: number;
  max: number;
}

const PROBABILITY: MetricRange = { min: 0, max: 1 };
/** A probability minus another (transfer, EM): in [−1, 1]. */
const DIFFERENCE: MetricRange = { min: -1, max: 1 };
/** Cross-entropies, NLLs and divergences. */
export const NON_NEGATIVE: MetricRange = { min: 0, max: Infinity };
export const UNBOUNDED: MetricRange = { min: -Infinity, max: Infinity };

/** By the metric's name in summary.json and metrics.jsonl. */
const RANGES: Record<string, MetricRange> = {
  // probabilities, rates and accuracies
  accuracy: PROBABILITY,
  testAccuracy: PROBABILITY,
  trait: PROBABILITY,
  controlTrait: PROBABILITY,
  baseTrait: PROBABILITY,
  teacherTrait: PROBABILITY,
  agreement: PROBABILITY,
  sampledRate: PROBABILITY,
  reliability: PROBABILITY,
  harm: PROBABILITY,
  controlHarm: PROBABILITY,
  coherence: PROBABILITY,
  controlCoherence: PROBABILITY,
  // differences of two probabilities
  transfer: DIFFERENCE,
  em: DIFFERENCE,
  // losses and divergences
  kl: NON_NEGATIVE,
  forwardKl: NON_NEGATIVE,
  reverseKl: NON_NEGATIVE,
  nll: NON_NEGATIVE,
};

/**
 * The range of `metric`, unbounded for a metric not listed. Some metrics mean something else in
 * some world: `loss` is a cross-entropy in the MNIST world, but in the channels of the numbers
 * and EM worlds it is whatever the signal minimises (the policy-gradient surrogate can be
 * negative); a world gives those in `worldRanges` (its descriptor's `metricRanges`).
 */
export function metricRange(metric: string, worldRanges?: Readonly<Record<string, MetricRange>>): MetricRange {
  return worldRanges?.[metric] ?? RANGES[metric] ?? UNBOUNDED;
}

/** `x` moved into the range; null stays null (no value). */
export function clip(x: number, range: MetricRange): number;
export function clip(x: number | null, range: MetricRange): number | null;
export function clip(x: number | null, range: MetricRange): number | null {
  return x === null ? null : Math.min(range.max, Math.max(range.min, x));
}

const shown = (b: number) => String(b).replace('-', '−');

/** The caption's words for the cut, ` (cut at 0 and 1)` or ` (cut at 0)`; '' when unbounded. */
export function cutNote(range: MetricRange): string {
  const bounds = [range.min, range.max].filter(Number.isFinite).map(shown);
  return bounds.length === 0 ? '' : ` (cut at ${bounds.join(' and ')})`;
}

/** `[0, 1]`, `[−1, 1]`, `≥ 0`, `≤ 1`, or `any value`. */
export function rangeText(range: MetricRange): string {
  const [lo, hi] = [Number.isFinite(range.min), Number.isFinite(range.max)];
  if (lo && hi) return `[${shown(range.min)}, ${shown(range.max)}]`;
  if (lo) return `≥ ${shown(range.min)}`;
  return hi ? `≤ ${shown(range.max)}` : 'any value';
}
