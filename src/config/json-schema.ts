// The experiment file format as JSON Schema (for editors and `traitlab schema`), and the small
// reader that error messages use to say what a field allows. Reading the JSON Schema rather
// than zod's internals keeps the messages tied to zod's public export.
import { z } from 'zod';

/** A JSON Schema node, as produced by z.toJSONSchema. */
export type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema of the input side of a zod schema: fields with defaults are optional, which is
 * what a person writing the file needs. The superRefine on the experiment (unique arm names)
 * has no JSON Schema form and is dropped; `unrepresentable: 'any'` keeps export from throwing
 * should a schema ever gain a transform.
 */
export function toInputJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function deref(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
  let at: unknown = root;
  for (const part of ref.slice(2).split('/')) at = isObject(at) ? at[part] : undefined;
  return isObject(at) ? at : node;
}

/** The options of a oneOf/anyOf node, or undefined for a plain node. */
function alternatives(node: JsonSchema): JsonSchema[] | undefined {
  const alts = node.oneOf ?? node.anyOf;
  return Array.isArray(alts) ? alts.filter(isObject) : undefined;
}

/** For a union of objects told apart by a `const` property (`kind`), the option `value` picks. */
function pickAlternative(root: JsonSchema, node: JsonSchema, value: unknown): JsonSchema | undefined {
  const alts = alternatives(node);
  if (!alts) return node;
  if (!isObject(value)) return undefined;
  return alts
    .map((a) => deref(root, a))
    .find((a) => {
      const props = isObject(a.properties) ? a.properties : {};
      const consts = Object.entries(props).filter(([, p]) => isObject(p) && 'const' in p);
      return consts.length > 0 && consts.every(([k, p]) => (p as JsonSchema).const === value[k]);
    });
}

/**
 * The schema node at `path` inside `root`, following the input `value` through unions.
 * Undefined when the path leaves the schema (or a union cannot be resolved).
 */
export function schemaAt(root: JsonSchema, path: readonly PropertyKey[], value: unknown): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  let here = value;
  for (const seg of path) {
    node = pickAlternative(root, deref(root, node), here);
    if (!node) return undefined;
    if (typeof seg === 'number') {
      node = isObject(node.items) ? node.items : undefined;
      here = Array.isArray(here) ? here[seg] : undefined;
    } else {
      const key = String(seg);
      const props = isObject(node.properties) ? node.properties : {};
      const extra = isObject(node.additionalProperties) ? node.additionalProperties : undefined;
      node = isObject(props[key]) ? props[key] : extra;
      here = isObject(here) ? here[key] : undefined;
    }
    if (!node) return undefined;
  }
  return pickAlternative(root, deref(root, node), here) ?? deref(root, node);
}

/** Keys an object node allows (empty if it is not an object with fixed keys). */
export function allowedKeys(node: JsonSchema | undefined): string[] {
  return node && isObject(node.properties) ? Object.keys(node.properties) : [];
}

export const quoteAll = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

function describeNumber(node: JsonSchema): string {
  const kind = node.type === 'integer' ? 'an integer' : 'a number';
  const lo = typeof node.minimum === 'number' ? node.minimum : undefined;
  const hi = typeof node.maximum === 'number' ? node.maximum : undefined;
  const xlo = typeof node.exclusiveMinimum === 'number' ? node.exclusiveMinimum : undefined;
  const xhi = typeof node.exclusiveMaximum === 'number' ? node.exclusiveMaximum : undefined;
  if (lo !== undefined && hi !== undefined) return `${kind} from ${lo} to ${hi}`;
  const bounds = [
    lo !== undefined ? `≥ ${lo}` : xlo !== undefined ? `> ${xlo}` : '',
    hi !== undefined ? `≤ ${hi}` : xhi !== undefined ? `< ${xhi}` : '',
  ].filter(Boolean);
  return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

/** What a schema node accepts, in words: `an integer from 1 to 100`, `one of "aux", "all"`. */
export function describeSchema(node: JsonSchema | undefined, root: JsonSchema = node ?? {}): string {
  if (!node) return 'a valid value';
  node = deref(root, node);
  if (Array.isArray(node.enum)) return `one of ${quoteAll(node.enum)}`;
  if ('const' in node) return JSON.stringify(node.const);
  const alts = alternatives(node);
  if (alts) {
    // A union told apart by one const property reads best as that property's choices.
    const tags = alts.map((a) => {
      const props = isObject(deref(root, a).properties) ? (deref(root, a).properties as JsonSchema) : {};
      return Object.entries(props).find(([, p]) => isObject(p) && 'const' in p);
    });
    if (tags.every((t) => t && t[0] === tags[0]![0]))
      return `an object with ${tags[0]![0]} one of ${quoteAll(tags.map((t) => (t![1] as JsonSchema).const))}`;
    return alts.map((a) => describeSchema(a, root)).join(' or ');
  }
  // A nullable field (`z.number().nullable()`) has a list of types: `a number or null`.
  if (Array.isArray(node.type)) return node.type.map((type) => describeSchema({ ...node, type }, root)).join(' or ');
  switch (node.type) {
    case 'null':
      return 'null';
    case 'integer':
    case 'number':
      return describeNumber(node);
    case 'string':
      return node.minLength === 1 ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'array': {
      const items = isObject(node.items) ? `, each ${describeSchema(node.items, root)}` : '';
      const lo = typeof node.minItems === 'number' ? node.minItems : 0;
      const count = typeof node.maxItems === 'number' ? ` of ${lo} to ${node.maxItems} items` : lo > 0 ? ` of at least ${lo} item${lo === 1 ? '' : 's'}` : '';
      return `an array${count}${items}`;
    }
    case 'object': {
      const keys = allowedKeys(node);
      return keys.length ? `an object with keys ${keys.join(', ')}` : 'an object';
    }
    default:
      return 'a valid value';
  }
}
