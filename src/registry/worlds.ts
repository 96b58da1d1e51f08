// The world registry: every world traitlab runs, one line each. Commands, claims and the report
// reach a world only through here (a descriptor, src/worlds/world.ts); adding a world is its
// folder under src/worlds/ and one line below. Tests register worlds of their own.
import { ConfigError } from '../config/errors.js';
import type { ExperimentBase } from '../config/experiment-base.js';
import type { RunSummaryBase } from '../run/types.js';
import { emWorld } from '../worlds/em/world.js';
import { mnistWorld } from '../worlds/mnist/world.js';
import { numbersWorld } from '../worlds/numbers/world.js';
import { allowedNames } from '../worlds/recipe-check.js';
import type { AnyWorld } from '../worlds/world.js';

const registered = new Map<string, AnyWorld>([mnistWorld, numbersWorld, emWorld].map((w) => [w.name, w]));

/** An experiment of any registered world, as the commands handle it. */
export type Experiment = ExperimentBase;

/** The world summaries that carry no `world` field belong to: MNIST's files predate the field. */
const UNTAGGED_SUMMARY_WORLD = 'mnist';

/** Adds a world (tests do, for worlds that exist only there); a name already taken is an error. */
export function registerWorld(world: AnyWorld): void {
  if (registered.has(world.name)) throw new Error(`a world named "${world.name}" is already registered`);
  registered.set(world.name, world);
}

/** Removes a world registered by `registerWorld` (tests clean up after themselves). */
export function unregisterWorld(name: string): void {
  registered.delete(name);
}

export const worldNames = (): string[] => [...registered.keys()];

const quotedNames = () => allowedNames(worldNames());

/** The world named `name`, or a ConfigError at `path` listing the worlds. */
export function worldNamed(name: unknown, path = 'world'): AnyWorld {
  if (name === undefined) throw new ConfigError(path, `missing; use one of ${quotedNames()}`);
  const world = typeof name === 'string' ? registered.get(name) : undefined;
  if (world === undefined) throw new ConfigError(path, `invalid value ${JSON.stringify(name)}; use one of ${quotedNames()}`);
  return world;
}

/** The world of a parsed experiment. */
export const worldOf = (exp: ExperimentBase): AnyWorld => worldNamed(exp.world);

/** The world of a run summary (summary.json, or one just made). */
export function worldOfSummary(summary: RunSummaryBase): AnyWorld {
  return worldNamed(summary.world ?? UNTAGGED_SUMMARY_WORLD);
}

/** The world named in a summary.json, as its CSV rows label it: its `world`, or the untagged world's. */
export function summaryWorldLabel(summary: Record<string, unknown>): string {
  return typeof summary.world === 'string' ? summary.world : UNTAGGED_SUMMARY_WORLD;
}

/** The world a summary.json declares, when it declares a registered one (else the untagged world's). */
export function declaredSummaryWorld(input: unknown): AnyWorld {
  const declared = typeof input === 'object' && input !== null ? (input as { world?: unknown }).world : undefined;
  return (typeof declared === 'string' && registered.get(declared)) || worldNamed(UNTAGGED_SUMMARY_WORLD);
}

/** Checks beyond the schema (recipe names and what they need), by the experiment's world. */
export function checkRegistryNames(exp: ExperimentBase): void {
  worldOf(exp).check(exp);
}

