// Holm's step-down adjustment of the p-values of a file's claims: with m claims tested, the
// i-th smallest p (1-based) is multiplied by m − i + 1, each adjusted value is raised to the
// largest before it (so adjusted p never decreases as p grows), and capped at 1. Rejecting where
// the adjusted p ≤ alpha keeps the chance of any false SUPPORTED in the file at most alpha,
// whatever the dependence between claims. Claims without a p-value (not tested) are not in the
// family and get null.

/** Holm-adjusted p-values, in the order given; null stays null and does not count in m. */
export function holmAdjust(ps: readonly (number | null)[]): (number | null)[] {
  const tested = ps.flatMap((p, i) => (p === null ? [] : [{ p, i }]));
  // Stable: ties keep their order, and the running maximum gives tied p-values the same adjusted value.
  tested.sort((a, b) => a.p - b.p);
  const m = tested.length;
  const adjusted: (number | null)[] = ps.map(() => null);
  let running = 0;
  tested.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
