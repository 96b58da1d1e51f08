// The claims of an experiment, evaluated on its run summary. Runs once at the end of a run
// (and again wherever a summary is rebuilt, e.g. from merged shards); each claim draws from its
// own seeded stream, keyed by its id, so a claim's result does not depend on the others and the
// same summary always gives the same claims, byte for byte.
import type { Experiment } from '../config/experiment.js';
import { rootStream } from '../engine/rng.js';
import type { AnyRunSummary } from '../registry/run-experiment.js';
import { evaluateClaim } from './evaluate.js';
import { seriesOf } from './series.js';
import type { ClaimResult, WithClaims } from './types.js';

export function evaluateRunClaims(exp: Experiment, summary: AnyRunSummary): ClaimResult[] {
  const root = rootStream(exp.rootSeed).child('claims');
  return exp.claims.map((claim) =>
    evaluateClaim(claim, exp.claimDefaults, { left: seriesOf(summary, claim.left), right: claim.right && seriesOf(summary, claim.right) }, root.child(claim.id)),
  );
}

/** The summary with its claims appended (last, so the fields before them keep their order). */
export function withClaims<S extends AnyRunSummary>(exp: Experiment, summary: S): WithClaims<S> {
  return { ...summary, claims: evaluateRunClaims(exp, summary) };
}
