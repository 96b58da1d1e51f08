// The `sweep` block of an experiment file: one or two settings, each a path into the file and
// a list of values. It expands the file into points — the file with each swept setting set to
// one of its values, the cartesian product when two are swept — and each point is then
// validated by its world's own schema, like a file of its own (src/registry/load-sweep.ts).
// This file knows no world: it works on the JSON.
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** A sweep varies one or two settings: a table or a family of lines, never a cube nobody reads. */
export const MAX_SWEPT_SETTINGS = 2;
/** Values of one setting: a dose curve has a handful; hundreds are a different experiment. */
export const MAX_SWEEP_VALUES = 50;

const sweepValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.unknown()), z.record(z.string(), z.unknown())]).describe('one value of the setting, of the type the setting takes');

export const sweepEntrySchema = z
  .object({
    path: z.string().min(1).max(200).describe('the setting to vary: a dotted path into this file, [i] for a list item, e.g. "distill.epochs" or "arms[0].channel.signal"'),
    values: z.array(sweepValue).min(1).max(MAX_SWEEP_VALUES).describe('the values it takes, in the order the table and the chart show them; each must be one the setting accepts'),
  })
  .strict();

export const sweepSchema = z
  .array(sweepEntrySchema)
  .min(1)
  .describe(`run the experiment once per value of one or two settings (the cartesian product when two); each point is a full run of its own under points/ of one sweep directory`);

export type SweepEntry = z.output<typeof sweepEntrySchema>;

/** A path's segments: object keys (strings) and list indices (numbers). */
export type PathSegments = (string | number)[];

const SEGMENT = /^([A-Za-z_$][A-Za-z0-9_$]*)((?:\[[0-9]+\])*)$/;

/** `arms[0].channel.signal` → ['arms', 0, 'channel', 'signal'], or null when it is not a path. */
export function parseSweepPath(text: string): PathSegments | null {
  const out: PathSegments = [];
  for (const part of text.split('.')) {
    const m = SEGMENT.exec(part);
    if (!m) return null;
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[([0-9]+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** The same path written back (`arms[0].channel`), as messages and zod issue paths name fields. */
export function formatSweepPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** The value at `path` in `input`, or undefined. */
export function valueAtPath(input: unknown, path: readonly PropertyKey[]): unknown {
  let at = input;
  for (const seg of path) at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[seg] : undefined;
  return at;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of `input` with `value` at `path`; missing objects on the way are made (lists must exist). */
export function withValueAt(input: Record<string, unknown>, path: PathSegments, value: unknown): Record<string, unknown> {
  const copy = structuredClone(input);
  let at: Record<PropertyKey, unknown> = copy;
  path.forEach((seg, i) => {
    if (i === path.length - 1) {
      at[seg] = structuredClone(value);
      return;
    }
    const next = at[seg];
    if (typeof next !== 'object' || next === null) at[seg] = {};
    at = at[seg] as Record<PropertyKey, unknown>;
  });
  return copy;
}

/** One point of a sweep: which value of each swept setting, and the file it makes. */
export interface SweepPoint {
  /** 0-based, in expansion order (the first setting varies slowest). */
  index: number;
  /** `epochs-5`, `epochs-5_batchSize-64`: the directory name's tail and the table's row label. */
  label: string;
  /** The value index of each swept setting, in sweep order. */
  at: number[];
  /** Each swept setting's path and value here, in sweep order. */
  settings: { path: string; value: unknown }[];
  /** The experiment file of this point: the file without `sweep`, with the swept values set. */
  input: Record<string, unknown>;
}

/** A value as a short name part: numbers and words as written, anything else as JSON; only [A-Za-z0-9.+_-]. */
function valueText(v: unknown): string {
  const text = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return text.replace(/[^A-Za-z0-9.+_-]+/g, '_').slice(0, 40) || '_';
}

/**
 * Each setting's short name: the path's last key (`epochs`), or the whole path when two swept
 * settings end in the same key (`teacher.epochs`, `distill.epochs`).
 */
export function settingNames(paths: readonly string[]): string[] {
  const last = paths.map((p) => {
    const segs = parseSweepPath(p) ?? [p];
    return String([...segs].reverse().find((s) => typeof s === 'string') ?? p);
  });
  return last.map((name, i) => (last.indexOf(name) !== last.lastIndexOf(name) ? paths[i]!.replace(/[^A-Za-z0-9.+_-]+/g, '_') : name));
}

/** The cartesian product of the entries' values, first entry slowest: the points in run order. */
export function expandSweep(base: Record<string, unknown>, entries: readonly SweepEntry[]): SweepPoint[] {
  const names = settingNames(entries.map((e) => e.path));
  const paths = entries.map((e) => parseSweepPath(e.path)!);
  const { sweep: _sweep, ...file } = base;
  let combos: number[][] = [[]];
  for (const e of entries) combos = combos.flatMap((c) => e.values.map((_, j) => [...c, j]));
  return combos.map((at, index) => {
    let input: Record<string, unknown> = file;
    const settings = at.map((j, k) => {
      const value = entries[k]!.values[j];
      input = withValueAt(input, paths[k]!, value);
      return { path: entries[k]!.path, value };
    });
    return { index, label: at.map((j, k) => `${names[k]}-${valueText(entries[k]!.values[j])}`).join('_'), at, settings, input };
  });
}

/** `points/<index>-<label>`'s last part, the index padded so that names sort in run order. */
export function pointDirName(point: Pick<SweepPoint, 'index' | 'label'>, count: number): string {
  return `${String(point.index).padStart(String(Math.max(0, count - 1)).length, '0')}-${point.label}`;
}

/** Settings a sweep must not vary: the world (each point must be of the file's world) and the sweep itself. */
const UNSWEEPABLE: Readonly<Record<string, string>> = {
  world: 'a sweep stays in one world; write one file per world',
  sweep: 'a sweep cannot vary itself; list the settings to vary in sweep',
  $schema: 'it is only for editors; sweep a setting of the experiment',
};

/** Checks that need no world: path syntax, unsweepable settings, repeated paths and values. Throws one ConfigError. */
export function checkSweepEntries(entries: readonly SweepEntry[]): void {
  entries.forEach((e, k) => {
    const at = `sweep[${k}]`;
    const segs = parseSweepPath(e.path);
    if (segs === null) throw new ConfigError(`${at}.path`, `invalid path ${JSON.stringify(e.path)}; write a dotted path with [i] for list items, e.g. "distill.epochs" or "arms[0].channel.signal"`);
    const why = UNSWEEPABLE[String(segs[0])];
    if (why !== undefined) throw new ConfigError(`${at}.path`, `"${e.path}" cannot be swept: ${why}`);
    const before = entries.findIndex((o, i) => i < k && (o.path === e.path || o.path.startsWith(`${e.path}.`) || o.path.startsWith(`${e.path}[`) || e.path.startsWith(`${o.path}.`) || e.path.startsWith(`${o.path}[`)));
    if (before >= 0) throw new ConfigError(`${at}.path`, `"${e.path}" overlaps sweep[${before}].path "${entries[before]!.path}"; sweep two different settings, or one`);
    const seen = new Map<string, number>();
    e.values.forEach((v, j) => {
      const key = JSON.stringify(v);
      const first = seen.get(key);
      if (first !== undefined) throw new ConfigError(`${at}.values[${j}]`, `duplicate value ${key} (also values[${first}]); list each value once`);
      seen.set(key, j);
    });
  });
}

/** The `sweep` of a parsed file's JSON, or undefined when it has none. */
export function sweepOf(input: unknown): unknown {
  return isObject(input) ? input.sweep : undefined;
}
