// The claims of an experiment, evaluated on its run summary. Runs once at the end of a run
// (and again wherever a summary is rebuilt, e.g. from merged shards); each claim draws from its
// own seeded stream, keyed by its id, so a claim's result does not depend on the others and the
// same summary always gives the same claims, byte for byte. Holm's adjustment then reads the
// file's claims as one family.
import type { ClaimOperand } from '../config/claims.js';
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import { rootStream } from '../engine/rng.js';
import type { RunSummaryBase } from '../run/types.js';
import { worldOf } from '../registry/worlds.js';
import { evaluateClaim } from './evaluate.js';
import { holmAdjust } from './holm.js';
import type { ClaimResult, WithClaims } from './types.js';

/** The claims with pHolm adjusted over all of them, and survivesHolm read from it. */
export function withHolm(claims: readonly ClaimResult[]): ClaimResult[] {
  const adjusted = holmAdjust(claims.map((c) => c.pValue));
  return claims.map((c, i) => {
    const pHolm = adjusted[i]!;
    return { ...c, pHolm, survivesHolm: c.verdict === 'SUPPORTED' && pHolm !== null && pHolm <= c.alpha };
  });
}

export function evaluateRunClaims(exp: Experiment, summary: RunSummaryBase): ClaimResult[] {
  const root = rootStream(exp.rootSeed).child('claims');
  // Index i is seed i in every series, which is what makes arm-vs-arm claims paired.
  const world = worldOf(exp);
  const seriesOf = (operand: ClaimOperand) => {
    const series = world.claimSeries(summary, operand);
    return operand.scale === undefined || series === undefined ? series : series.map((x) => operand.scale! * x);
  };
  return withHolm(
    exp.claims.map((claim) =>
      evaluateClaim(claim, exp.claimDefaults, { left: seriesOf(claim.left), right: claim.right && seriesOf(claim.right) }, root.child(claim.id), world.claimMargins),
    ),
  );
}

/** The summary with its claims appended (last, so the fields before them keep their order). */
export function withClaims<S extends RunSummaryBase>(exp: Experiment, summary: S): WithClaims<S> {
  return { ...summary, claims: evaluateRunClaims(exp, summary) };
}
