// Reads an experiment file and returns a validated experiment of its world, or throws one
// ConfigError whose one-line message names the field (or the file) and the fix. Only the first
// problem is reported: one clear line beats a page, and fixing it often fixes the rest.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { seedsField } from '../config/experiment-base.js';
import { issueToConfigError } from '../config/issue-message.js';
import { parseJsonText } from '../config/json-text.js';
import { LIMITS, megabytes } from '../config/limits.js';
import { toInputJsonSchema } from '../config/json-schema.js';
import { experimentJsonSchema } from './experiment-json-schema.js';
import { sweepOf } from '../config/sweep.js';
import { worldNamed, type Experiment } from './worlds.js';

export { lineColumn, parseJsonText } from '../config/json-text.js';

export interface ExperimentOverrides {
  /** `--seeds`: replaces the file's `seeds`, within the same range. */
  seeds?: number;
}

/**
 * A check on a schema-valid experiment that throws ConfigError (e.g. `checkRegistryNames`:
 * that the teacher and student names are registered). None by default, so a schema alone can
 * be tested.
 */
export type ExperimentCheck = (exp: Experiment) => void;

const tooLarge = (file: string, bytes: number) =>
  new ConfigError(file, `the file is ${megabytes(bytes)}, more than the ${megabytes(LIMITS.fileBytes)} an experiment file may be; an experiment is settings (a few kB), so remove what is not`);

/**
 * `file` is read relative to `cwd` but named in messages as the user wrote it. Its size is
 * checked before it is read: a huge file is refused without being read or parsed.
 */
export function readText(file: string, cwd: string): string {
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
export function checkSeedsOverride(seeds: number): void {
  const result = seedsField.safeParse(seeds);
  if (!result.success) throw issueToConfigError(result.error.issues[0]!, toInputJsonSchema(seedsField), seeds, () => '--seeds');
}

/**
 * The world an experiment file declares. A non-object input is left to the first world's
 * schema to report ("expected object").
 */
function worldOfInput(input: unknown) {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return worldNamed('mnist');
  return worldNamed((input as Record<string, unknown>).world);
}

export function parseExperiment(input: unknown, overrides: ExperimentOverrides = {}, check: ExperimentCheck = () => {}): Experiment {
  if (overrides.seeds !== undefined) {
    checkSeedsOverride(overrides.seeds);
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) input = { ...input, seeds: overrides.seeds };
  }
  if (sweepOf(input) !== undefined) throw new ConfigError('sweep', 'this file is a sweep, which only traitlab run runs (point by point); remove sweep to use it here');
  const world = worldOfInput(input);
  const result = world.schema.safeParse(input);
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
