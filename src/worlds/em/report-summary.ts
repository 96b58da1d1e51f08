// The EM world's run summary as the report reads it from summary.json (see plot/summary-fields.ts).
import { z } from 'zod';
import { commonSummaryFields as common, stats, value } from '../../plot/summary-fields.js';

const emArm = z.looseObject({
  name: z.string(),
  variant: z.string(),
  fineTune: z.string(),
  evaluate: z.array(z.string()),
  em: z.array(value),
  emStats: stats,
  reliabilityStats: stats,
  coherenceStats: stats,
  audit: z.looseObject({ heldOutPrompts: z.number() }).optional(),
});

const emModel = z.looseObject({ harmStats: stats, coherenceStats: stats });

const emSubliminalArm = z.looseObject({
  name: z.string(),
  student: z.string(),
  channel: z.looseObject({ prefix: z.string(), signal: z.string(), lambda: z.number().optional(), beta: z.number().optional() }),
  teacher: z.string(),
  em: z.array(value),
  emStats: stats,
  coherenceStats: stats,
  teacherEmStats: stats,
  audit: z.looseObject({ auditTokens: z.number() }),
});

export const emSummarySchema = z.looseObject({
  ...common,
  world: z.literal('em'),
  base: emModel,
  aligned: emModel,
  arms: z.array(emArm),
  matrix: z
    .looseObject({
      variant: z.string(),
      rows: z.array(z.string()),
      columns: z.array(z.string()),
      mean: z.array(z.array(value)),
      relationStats: z.looseObject({ target: stats, sameFunction: stats, sameDomain: stats, unrelated: stats }),
    })
    .nullable()
    .optional(),
  subliminal: z.looseObject({ arms: z.array(emSubliminalArm) }).optional(),
});

export type EmReportSummary = z.infer<typeof emSummarySchema>;
