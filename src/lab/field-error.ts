// A setting's value checked by its schema field, with the one-line message `traitlab run` would
// give for it (`steps: must be ≥ 1 (got -3)`): what either world's lab settings say of a bad value.
import type { z } from 'zod';
import type { ConfigError } from '../config/errors.js';
import { issueToConfigError } from '../config/issue-message.js';
import { toInputJsonSchema } from '../config/json-schema.js';

/** Why `value` does not fit `field`, as a ConfigError named `path`; undefined when it fits. */
export function fieldError(field: z.ZodType, value: unknown, path: string): ConfigError | undefined {
  const result = field.safeParse(value);
  if (result.success) return undefined;
  return issueToConfigError(result.error.issues[0]!, toInputJsonSchema(field), value, () => path);
}
