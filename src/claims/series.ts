// The per-seed values a claim names, read from a run summary of either world. Index i is
// seed i in every array, which is what makes arm-vs-arm claims paired.
import { NUMBERS_RESERVED_ARMS, type ClaimOperand, type NumbersReservedArm } from '../config/claims.js';
import type { EmRunSummary } from '../worlds/em/experiment.js';
import type { NumbersRunSummary } from '../worlds/numbers/experiment.js';
import type { AnyRunSummary } from '../registry/run-experiment.js';

const isReserved = (name: string): name is NumbersReservedArm => Object.hasOwn(NUMBERS_RESERVED_ARMS, name);

/** Per-seed values of `operand` in `summary`, or undefined when the summary has no such arm or metric. */
export function seriesOf(summary: AnyRunSummary, operand: ClaimOperand): readonly number[] | undefined {
  if ('world' in summary && summary.world === 'em') return emSeries(summary, operand);
  if ('world' in summary) {
    const arm = summary.arms.find((a) => a.name === operand.arm);
    if (!arm && isReserved(operand.arm) && operand.metric === 'trait') return (summary[NUMBERS_RESERVED_ARMS[operand.arm]] as NumbersRunSummary['teacher']).trait;
    const values = arm?.[operand.metric as keyof typeof arm];
    return Array.isArray(values) ? (values as number[]) : undefined;
  }
  const arm = summary.arms.find((a) => a.name === operand.arm);
  return arm && operand.metric === 'accuracy' ? arm.accuracy : undefined;
}

/** EM: an arm's (or subliminal arm's) metric, or a reserved name's (base and aligned: harm; matrix-<relation>: em). */
function emSeries(summary: EmRunSummary, operand: ClaimOperand): readonly number[] | undefined {
  const arm = summary.arms.find((a) => a.name === operand.arm) ?? summary.subliminal?.arms.find((a) => a.name === operand.arm);
  if (arm) {
    const values = arm[operand.metric as keyof typeof arm];
    return Array.isArray(values) && values.every((v) => typeof v === 'number') ? (values as number[]) : undefined;
  }
  if ((operand.arm === 'base' || operand.arm === 'aligned') && operand.metric === 'harm') return summary[operand.arm].harm;
  const relations = { 'matrix-target': 'target', 'matrix-same-function': 'sameFunction', 'matrix-same-domain': 'sameDomain', 'matrix-unrelated': 'unrelated' } as const;
  const relation = relations[operand.arm as keyof typeof relations];
  if (relation && operand.metric === 'em' && summary.matrix) return summary.matrix.relations[relation];
  return undefined;
}
