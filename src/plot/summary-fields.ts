// The fields every run summary has, as the report reads them from summary.json: checked
// loosely (only what is drawn is required; unknown fields are kept, since later versions,
// merged shards and claims add some). summary.json writes NaN as null (JSON has no NaN), so
// every statistic may be null. Each world's summary schema (worlds/<world>/report-summary.ts)
// builds on these.
import { z } from 'zod';

export const value = z.number().nullable();
export const stats = z.looseObject({ mean: value, ci95: value });

export const commonSummaryFields = {
  experiment: z.string(),
  seeds: z.number(),
  rootSeed: z.number(),
  seedsVary: z.string().optional(),
  backend: z.string(),
  interval: z.string().optional(),
  /** Each claim is rendered from whatever fields it has; see report/html/claims.ts. */
  claims: z.array(z.unknown()).optional(),
};
