// Reads a run directory for the report: summary.json (required), manifest.json and
// metrics.jsonl (optional: the page says what is missing rather than refusing, so a merged or
// hand-assembled run still gets a report). Problems are ConfigErrors naming the file; a bad
// metrics line only costs its record, and comes back as a warning naming the line.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ConfigError, formatPath } from '../config/errors.js';
import { issueToConfigError } from '../config/issue-message.js';
import { toInputJsonSchema } from '../config/json-schema.js';
import type { MetricsRecord } from '../run/types.js';
import { parseMetricsText } from './metrics-file.js';
import { declaredSummaryWorld } from '../registry/worlds.js';

/**
 * summary.json as the report reads it: what every world's has, the world it belongs to (MNIST's
 * files carry none), and the rest as its world's report schema let through.
 */
export interface ReportSummary {
  world: string;
  experiment: string;
  seeds: number;
  rootSeed: number;
  backend: string;
  claims?: unknown[];
  [field: string]: unknown;
}

export interface RunData {
  dir: string;
  summary: ReportSummary;
  /** manifest.json as written (read defensively by the page), or null when it is absent. */
  manifest: Record<string, unknown> | null;
  /** Every good record of metrics.jsonl, or null when the file is absent. */
  metrics: MetricsRecord[] | null;
  /** One line per bad metrics.jsonl line (left out of the curves), for the reader to be told. */
  warnings: string[];
}

/** The file's text, or null when it does not exist. */
function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(file, `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check its permissions`);
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, `invalid JSON (${(e as Error).message}); the run wrote valid JSON, so restore the file from the run or re-run it`);
  }
}

function parseSummary(file: string, input: unknown): ReportSummary {
  const world = declaredSummaryWorld(input);
  const schema: z.ZodType = world.report.summarySchema;
  const result = schema.safeParse(input);
  if (!result.success) {
    const inFile = (p: readonly PropertyKey[]) => `${file} ${formatPath(p)}`;
    throw issueToConfigError(result.error.issues[0]!, toInputJsonSchema(schema), input, inFile);
  }
  return { ...(result.data as object), world: world.name } as ReportSummary;
}

function assertDirectory(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ConfigError(dir, 'not found; give a run directory (e.g. runs/<experiment>-<time>-<hash>)');
  }
  if (!isDir) throw new ConfigError(dir, 'is not a directory; give the run directory that holds summary.json');
}

export function readRunData(dir: string): RunData {
  assertDirectory(dir);
  const summaryFile = join(dir, 'summary.json');
  const summaryText = readOptional(summaryFile);
  if (summaryText === null) throw new ConfigError(summaryFile, 'not found; give a finished run directory (a `.partial` one is still running or was killed)');
  const summary = parseSummary(summaryFile, parseJson(summaryFile, summaryText));

  const manifestFile = join(dir, 'manifest.json');
  const manifestText = readOptional(manifestFile);
  const manifest = manifestText === null ? null : parseJson(manifestFile, manifestText);
  if (manifest !== null && (typeof manifest !== 'object' || Array.isArray(manifest))) throw new ConfigError(manifestFile, 'not a JSON object; restore the file from the run');

  const metricsFile = join(dir, 'metrics.jsonl');
  const metricsText = readOptional(metricsFile);
  const metrics = metricsText === null ? null : parseMetricsText(metricsText);
  const warnings = (metrics?.bad ?? []).map((b) => `${metricsFile} line ${b.line}: ${b.problem}; the report leaves it out, so its curves may be incomplete`);
  return { dir, summary, manifest: manifest as Record<string, unknown> | null, metrics: metrics?.records ?? null, warnings };
}
