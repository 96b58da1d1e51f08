// What the report reads from summary.json, checked loosely: only the fields it draws are
// required, and unknown fields are kept (later versions, merged shards and claims add some).
// summary.json writes NaN as null (JSON has no NaN), so every statistic may be null.
import { z } from 'zod';

const value = z.number().nullable();
const stats = z.looseObject({ mean: value, ci95: value });

const mnistArm = z.looseObject({
  name: z.string(),
  kind: z.string(),
  accuracy: z.array(value),
  mean: value,
  ci95: value,
});

const numbersArm = z.looseObject({
  name: z.string(),
  student: z.string(),
  channel: z.looseObject({ prefix: z.string(), signal: z.string(), lambda: z.number().optional(), beta: z.number().optional() }),
  transfer: z.array(value),
  transferStats: stats,
  traitStats: stats,
  audit: z.looseObject({ traitTokens: z.number() }).optional(),
});

const common = {
  experiment: z.string(),
  seeds: z.number(),
  rootSeed: z.number(),
  backend: z.string(),
  interval: z.string().optional(),
  /** Each claim is rendered from whatever fields it has; see html/claims.ts. */
  claims: z.array(z.unknown()).optional(),
};

export const mnistSummarySchema = z.looseObject({ ...common, arms: z.array(mnistArm) });

export const numbersSummarySchema = z.looseObject({
  ...common,
  world: z.literal('numbers'),
  target: z.string(),
  base: z.looseObject({ traitStats: stats }),
  teacher: z.looseObject({ traitStats: stats }),
  controlTeacher: z.looseObject({ traitStats: stats }),
  arms: z.array(numbersArm),
});

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
  channel: z.looseObject({ prefix: z.string(), signal: z.string() }),
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

export type MnistReportSummary = z.infer<typeof mnistSummarySchema>;
export type EmReportSummary = z.infer<typeof emSummarySchema>;
export type NumbersReportSummary = z.infer<typeof numbersSummarySchema>;
export type NumbersReportArm = NumbersReportSummary['arms'][number];
export type ReportSummary = ({ world: 'mnist' } & MnistReportSummary) | ({ world: 'numbers' } & NumbersReportSummary) | ({ world: 'em' } & EmReportSummary);
