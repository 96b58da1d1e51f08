// The MNIST world's run summary as the report reads it from summary.json (see plot/summary-fields.ts).
import { z } from 'zod';
import { commonSummaryFields as common, stats, value } from '../../plot/summary-fields.js';

const mnistArm = z.looseObject({
  name: z.string(),
  kind: z.string(),
  accuracy: z.array(value),
  mean: value,
  ci95: value,
});

export const mnistSummarySchema = z.looseObject({ ...common, arms: z.array(mnistArm) });

export type MnistReportSummary = z.infer<typeof mnistSummarySchema>;
