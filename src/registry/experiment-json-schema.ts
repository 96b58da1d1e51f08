// The JSON Schema of a world's experiment files, for editors and `traitlab schema`, and for the
// error messages that say what a field allows (computed once per world).
import { toInputJsonSchema, type JsonSchema } from '../config/json-schema.js';
import { MAX_SWEPT_SETTINGS, sweepSchema } from '../config/sweep.js';
import type { AnyWorld } from '../worlds/world.js';
import { worldNamed } from './worlds.js';

const experimentJson = new Map<string, JsonSchema>();

/** `world` is a descriptor or a registered world's name. */
export function experimentJsonSchema(given: AnyWorld | string = 'mnist'): JsonSchema {
  const world = typeof given === 'string' ? worldNamed(given) : given;
  let schema = experimentJson.get(world.name);
  if (!schema) {
    const base = toInputJsonSchema(world.schema);
    // `sweep` is read before the world's schema (src/registry/load-sweep.ts), so editors learn of it here.
    const { $schema: _meta, ...sweep } = toInputJsonSchema(sweepSchema);
    schema = {
      ...base,
      properties: { ...(base.properties as JsonSchema), sweep: { ...sweep, maxItems: MAX_SWEPT_SETTINGS } },
      title: `traitlab experiment (${world.name} world)`,
      description: 'An experiment file for `traitlab run`. Unknown keys are errors; fields with a default may be omitted.',
    };
    experimentJson.set(world.name, schema);
  }
  return schema;
}
