// Reads an experiment file and returns a validated Experiment, or throws one ConfigError whose
// one-line message names the field (or the file) and the fix. Only the first problem is
// reported: one clear line beats a page, and fixing it often fixes the rest.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { experimentSchema, schemaOfWorld, WORLDS, type Experiment, type World } from './experiment.js';
import { issueToConfigError } from './issue-message.js';
import { LIMITS, megabytes } from './limits.js';
import { experimentJsonSchema, toInputJsonSchema } from './json-schema.js';

export interface ExperimentOverrides {
  /** `--seeds`: replaces the file's `seeds`, within the same range. */
  seeds?: number;
}

/**
 * A check on a schema-valid experiment that throws ConfigError (e.g. that the teacher and
 * student names are registered). Injected by the caller: the registries sit above config.
 */
export type ExperimentCheck = (exp: Experiment) => void;

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

const endOfInput = /^Unexpected end of JSON input/;
const unexpectedToken = /^Unexpected token '(.*?)', /s;

/**
 * Where JSON.parse failed. V8 gives `at position N` for most errors, none for "Unexpected
 * token 'x', "…" is not valid JSON": for that one, the shortest prefix of the text that fails
 * with the same error ends at the bad character (shorter prefixes only run out of input).
 */
function errorOffset(text: string, message: string): number | undefined {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (endOfInput.test(message)) return text.length;
  if (!unexpectedToken.test(message)) return undefined;
  const failsWithToken = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      return unexpectedToken.test((e as Error).message);
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsWithToken(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

/** The parse problem without V8's position suffix or its multi-line quote of the input. */
function parseProblem(message: string): string {
  const token = unexpectedToken.exec(message);
  const what = token ? ({ ' ': 'space', '\t': 'tab', '\n': 'line break', '\r': 'line break' }[token[1]!] ?? `'${token[1]}'`) : '';
  const base = token ? `unexpected ${what}` : message.replace(/ (in JSON )?at position \d+.*$/s, '');
  return base.charAt(0).toLowerCase() + base.slice(1);
}

export function parseJsonText(file: string, text: string): unknown {
  if (text.trim() === '') throw new ConfigError(file, 'the file is empty; write an experiment as a JSON object (see traitlab schema)');
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const offset = errorOffset(text, message);
    const where = offset === undefined ? '' : (({ line, column }) => ` at line ${line} column ${column}`)(lineColumn(text, offset));
    throw new ConfigError(file, `invalid JSON${where}: ${parseProblem(message)}; fix the syntax (JSON has no comments or trailing commas)`);
  }
}

const tooLarge = (file: string, bytes: number) =>
  new ConfigError(file, `the file is ${megabytes(bytes)}, more than the ${megabytes(LIMITS.fileBytes)} an experiment file may be; an experiment is settings (a few kB), so remove what is not`);

/**
 * `file` is read relative to `cwd` but named in messages as the user wrote it. Its size is
 * checked before it is read: a huge file is refused without being read or parsed.
 */
function readText(file: string, cwd: string): string {
  let text: string;
  try {
    const path = resolve(cwd, file);
    const size = statSync(path).size;
    if (size > LIMITS.fileBytes) throw tooLarge(file, size);
    // A byte-order mark is not JSON, but editors on some systems write one.
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(file, 'file not found; check the path');
    if (code === 'EISDIR') throw new ConfigError(file, 'is a directory; give the path of an experiment .json file');
    if (code === 'EACCES' || code === 'EPERM') throw new ConfigError(file, 'cannot read the file (permission denied); check its permissions');
    throw new ConfigError(file, `cannot read the file (${code ?? (e as Error).message}); check the path and permissions`);
  }
  // A pipe or device reports no size: check what was read.
  if (text.length > LIMITS.fileBytes) throw tooLarge(file, Buffer.byteLength(text));
  return text;
}

/** Checks an override against the range of the field it replaces, naming the option. */
function checkSeedsOverride(seeds: number): void {
  const field = experimentSchema.shape.seeds;
  const result = field.safeParse(seeds);
  if (!result.success) throw issueToConfigError(result.error.issues[0]!, toInputJsonSchema(field), seeds, () => '--seeds');
}

/** The world an experiment file declares (a non-object input is left to the MNIST schema to report). */
function worldOf(input: unknown): World {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'mnist';
  const world = (input as Record<string, unknown>).world;
  if (world === undefined) throw new ConfigError('world', `missing; use one of ${WORLDS.map((w) => `"${w}"`).join(', ')}`);
  if (world === 'mnist') return 'mnist';
  if (world === 'numbers') return 'numbers';
  if (world === 'em') return 'em';
  throw new ConfigError('world', `invalid value ${JSON.stringify(world)}; use one of ${WORLDS.map((w) => `"${w}"`).join(', ')}`);
}

export function parseExperiment(input: unknown, overrides: ExperimentOverrides = {}, check: ExperimentCheck = () => {}): Experiment {
  if (overrides.seeds !== undefined) {
    checkSeedsOverride(overrides.seeds);
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) input = { ...input, seeds: overrides.seeds };
  }
  const world = worldOf(input);
  const result = schemaOfWorld(world).safeParse(input);
  if (!result.success) throw issueToConfigError(result.error.issues[0]!, experimentJsonSchema(world), input);
  check(result.data);
  return result.data;
}

/**
 * Loads, parses and validates an experiment file (schema and registry names). A relative
 * `file` is read from `cwd` (default: the process's) and named in errors as given.
 */
export function loadExperimentFile(file: string, overrides: ExperimentOverrides = {}, cwd = process.cwd(), check: ExperimentCheck = () => {}): Experiment {
  return parseExperiment(parseJsonText(file, readText(file, cwd)), overrides, check);
}
