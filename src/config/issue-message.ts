// Turns one zod issue into one ConfigError line that names the field and says how to fix it:
// `arms[2].logits: invalid value "foo"; use one of "aux", "all"`. zod's own messages name
// neither the allowed values of a wrong-typed field nor the allowed keys, so the missing facts
// are read from the JSON Schema of the same zod schema.
import type { z } from 'zod';
import { ConfigError, formatPath } from './errors.js';
import { allowedKeys, describeSchema, quoteAll, schemaAt, type JsonSchema } from './json-schema.js';
import { LIMITS } from './limits.js';

export type Issue = z.ZodError['issues'][number];

/** A short, single-line rendering of an input value for messages. */
export function showValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const s = JSON.stringify(value);
    return s.length > 42 ? `${s.slice(0, 40)}…"` : s;
  }
  return String(value);
}

const showTyped = (value: unknown) => (typeof value === 'string' ? `string ${showValue(value)}` : showValue(value));

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let at = input;
  for (const seg of path) at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[seg] : undefined;
  return at;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The allowed key a typo most likely meant, for "did you mean": the same key in another case, else one within 2 edits (case ignored). */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  return allowed.find((k) => k.toLowerCase() === lower) ?? allowed.find((k) => editDistance(k.toLowerCase(), lower) <= 2);
}

function unknownKeyProblem(key: string, allowed: string[]): string {
  const list = allowed.length ? ` (allowed keys: ${allowed.join(', ')})` : '';
  const close = closestKey(key, allowed);
  return close ? `unknown key; did you mean "${close}"?${list}` : `unknown key; remove it${list}`;
}

function sizeProblem(issue: Extract<Issue, { code: 'too_big' | 'too_small' }>, value: unknown): string {
  const big = issue.code === 'too_big';
  const limit = Number(big ? (issue as { maximum: unknown }).maximum : (issue as { minimum: unknown }).minimum);
  const strict = issue.inclusive === false;
  switch (issue.origin) {
    case 'number':
    case 'int':
      return `must be ${big ? (strict ? '<' : '≤') : strict ? '>' : '≥'} ${limit} (got ${showValue(value)})`;
    case 'array': {
      const n = strict ? limit + (big ? -1 : 1) : limit;
      const got = Array.isArray(value) ? ` (got ${value.length})` : '';
      const fix = !big ? '' : n === LIMITS.list ? '; split the experiment into several files' : '; remove some';
      return `must have ${big ? 'at most' : 'at least'} ${n} item${n === 1 ? '' : 's'}${got}${fix}`;
    }
    case 'string': {
      if (!big) return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`;
      const got = typeof value === 'string' ? ` (got ${value.length})` : '';
      return `must be at most ${limit} characters long${got}; shorten it`;
    }
    default:
      return issue.message;
  }
}

/**
 * The ConfigError for one issue of parsing `input` with the schema whose JSON Schema is `root`.
 * `pathText` renders the path (experiment fields as `a.b[0]`, command options as `--seeds`).
 */
export function issueToConfigError(issue: Issue, root: JsonSchema, input: unknown, pathText: (p: readonly PropertyKey[]) => string = formatPath): ConfigError {
  const path = issue.path;
  const value = valueAt(input, path);
  const allows = () => describeSchema(schemaAt(root, path, input), root);
  const err = (problem: string, at: readonly PropertyKey[] = path) => new ConfigError(pathText(at), problem);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '?';
      return err(unknownKeyProblem(key, allowedKeys(schemaAt(root, path, input))), [...path, key]);
    }
    case 'invalid_type':
      if (value === undefined) return err(`missing; add it (${allows()})`);
      if (issue.expected === 'int' && typeof value === 'number') return err(`must be a whole number (got ${value}); use ${allows()}`);
      return err(`expected ${allows()}, got ${showTyped(value)}`);
    case 'too_big':
    case 'too_small':
      return err(sizeProblem(issue, value));
    case 'invalid_value': {
      const use = issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${quoteAll(issue.values)}`;
      return err(value === undefined ? `missing; use ${use}` : `invalid value ${showValue(value)}; use ${use}`);
    }
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options)) {
        // A discriminated union whose tag is wrong or missing: the path ends at the tag.
        return err(value === undefined ? `missing; use one of ${quoteAll(options)}` : `invalid value ${showValue(value)}; use one of ${quoteAll(options)}`);
      }
      return err(`expected ${allows()}, got ${showTyped(value)}`);
    }
    case 'invalid_format':
      // Our schemas give regexes a message that is the fix ("use lower-case letters, …").
      return err(`invalid value ${showValue(value)}; ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`);
    case 'invalid_key': {
      // A record's key (a note's field name): the path ends at the key, which may be long.
      const inner = issue.issues[0];
      const key = String(path[path.length - 1]);
      const what = inner && (inner.code === 'too_big' || inner.code === 'too_small') ? sizeProblem(inner, key) : (inner?.message ?? issue.message);
      return err(`key ${showValue(key)} ${what}`, path.slice(0, -1));
    }
    case 'not_multiple_of':
      return err(`must be a multiple of ${String(issue.divisor)} (got ${showValue(value)})`);
    default:
      // custom (e.g. duplicate arm names) already says what to do.
      return err(issue.message);
  }
}
