// Command options are parsed with a zod schema, like experiment files, and their errors read
// the same way, naming the option: `--backend: invalid value "gpu"; use one of "auto", …`.
import { z } from 'zod';
import { issueToConfigError } from '../config/issue-message.js';
import { toInputJsonSchema } from '../config/json-schema.js';

const optionName = (path: readonly PropertyKey[]) => `--${String(path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Validates commander's raw option values; throws a ConfigError for the first bad one. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw issueToConfigError(result.error.issues[0]!, toInputJsonSchema(schema), raw, optionName);
  return result.data;
}

/** `--jobs <n>`: worker threads, a whole number from 1 to 64. */
export const jobsOption = z
  .string()
  .regex(/^[1-9][0-9]*$/, 'use a whole number ≥ 1, e.g. --jobs 2')
  .transform(Number)
  .refine((n) => n <= 64, 'must be ≤ 64');
