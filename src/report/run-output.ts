// What `traitlab run` and `traitlab show` print: the world's arms table, then the claims.
import type { ClaimResult } from '../claims/types.js';
import type { AnyRunSummary } from '../pipeline/run-experiment.js';
import { formatClaimsTable } from './claims-table.js';
import { formatNumbersTable } from './numbers-table.js';
import { formatSummaryTable } from './table.js';

/** `claims` is optional: summaries written before claims existed have none. */
export function formatRunOutput(summary: AnyRunSummary & { claims?: ClaimResult[] }, runDir: string): string {
  const table = 'world' in summary ? formatNumbersTable(summary, runDir) : formatSummaryTable(summary, runDir);
  const claims = formatClaimsTable(summary.claims ?? []);
  return claims === '' ? table : `${table}\n\n${claims}`;
}
