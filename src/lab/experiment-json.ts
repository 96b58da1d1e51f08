// An imported experiment file as `traitlab run` reads one, whatever its world: the JSON syntax
// (named by the file), then the world's schema (its first issue, named by its field), each as
// the CLI's one-line ConfigError. The world a file declares picks the lab's panel.
import type { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import { issueToConfigError } from '../config/issue-message.js';
import { toInputJsonSchema, type JsonSchema } from '../config/json-schema.js';
import { parseJsonText } from '../config/json-text.js';

/** The worlds the lab has a panel for, the first the page's default. */
export const LAB_WORLDS = ['numbers', 'mnist'] as const;
export type LabWorld = (typeof LAB_WORLDS)[number];

const quoted = LAB_WORLDS.map((w) => `"${w}"`).join(', ');

/** The file's text as JSON, or its ConfigError. */
export function readExperimentJson(file: string, text: string): unknown {
  // A byte-order mark is not JSON, but editors on some systems write one.
  return parseJsonText(file, text.replace(/^\uFEFF/, ''));
}

/**
 * The lab world `input` declares, or a ConfigError at `world`. Anything but an object is left to
 * the numbers schema to report ("expected object"), as the CLI leaves it to its first world's.
 */
export function declaredWorld(input: unknown): LabWorld {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'numbers';
  const world = (input as Record<string, unknown>).world;
  if (world === undefined) throw new ConfigError('world', `missing; use one of ${quoted}`);
  if (world === 'em') throw new ConfigError('world', `the lab has no panel for the "em" world; run it with traitlab run, or use one of ${quoted}`);
  if (!LAB_WORLDS.includes(world as LabWorld)) throw new ConfigError('world', `invalid value ${JSON.stringify(world)}; use one of ${quoted}`);
  return world as LabWorld;
}

const jsonSchemas = new Map<z.ZodType, JsonSchema>();

/** `input` parsed by `schema` (defaults filled), or the schema's first issue as one ConfigError. */
export function parseBySchema<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // The world's JSON Schema, as the CLI computes it for its messages (once per schema).
  let json = jsonSchemas.get(schema);
  if (!json) jsonSchemas.set(schema, (json = toInputJsonSchema(schema)));
  throw issueToConfigError(result.error.issues[0]!, json, input);
}

/** Deep equality of JSON values, whatever their key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
