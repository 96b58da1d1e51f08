// The numbers world's run summary as the report reads it from summary.json (see plot/summary-fields.ts).
import { z } from 'zod';
import { commonSummaryFields as common, stats, value } from '../../plot/summary-fields.js';

const numbersArm = z.looseObject({
  name: z.string(),
  student: z.string(),
  channel: z.looseObject({ prefix: z.string(), signal: z.string(), lambda: z.number().optional(), beta: z.number().optional() }),
  transfer: z.array(value),
  transferStats: stats,
  traitStats: stats,
  audit: z.looseObject({ traitTokens: z.number() }).optional(),
  // Absent in runs made before the drift was measured.
  drift: z.looseObject({ stats: z.looseObject({ traitTv: stats, controlTv: stats }) }).optional(),
});

export const numbersSummarySchema = z.looseObject({
  ...common,
  world: z.literal('numbers'),
  target: z.string(),
  base: z.looseObject({ traitStats: stats }),
  teacher: z.looseObject({ traitStats: stats }),
  controlTeacher: z.looseObject({ traitStats: stats }),
  arms: z.array(numbersArm),
});

export type NumbersReportSummary = z.infer<typeof numbersSummarySchema>;
export type NumbersReportArm = NumbersReportSummary['arms'][number];
