// What `traitlab run` and `traitlab show` print: the world's arms table, then the claims.
import type { ClaimResult } from '../claims/types.js';
import type { AnyRunSummary } from '../registry/run-experiment.js';
import { formatClaimsTable } from './claims-table.js';
import { formatEmTable } from '../worlds/em/table.js';
import { formatNumbersTable } from '../worlds/numbers/table.js';
import { formatSummaryTable } from '../worlds/mnist/table.js';

/** `claims` is optional: summaries written before claims existed have none. */
export function formatRunOutput(summary: AnyRunSummary & { claims?: ClaimResult[] }, runDir: string): string {
  const table = !('world' in summary) ? formatSummaryTable(summary, runDir) : summary.world === 'em' ? formatEmTable(summary, runDir) : formatNumbersTable(summary, runDir);
  const claims = formatClaimsTable(summary.claims ?? []);
  return claims === '' ? table : `${table}\n\n${claims}`;
}
