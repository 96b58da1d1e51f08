// What `traitlab run` and `traitlab show` print: the world's arms table, then the claims.
import type { RunSummaryBase } from '../run/types.js';
import { formatClaimsTable, type StoredClaim } from './claims-table.js';
import { worldOfSummary } from '../registry/worlds.js';

/** `claims` is optional: summaries written before claims existed have none. */
export function formatRunOutput(summary: RunSummaryBase & { claims?: StoredClaim[] }, runDir: string): string {
  const table = worldOfSummary(summary).table(summary, runDir);
  const claims = formatClaimsTable(summary.claims ?? []);
  return claims === '' ? table : `${table}\n\n${claims}`;
}
