// Key paths of a JSON value as docs/run-files.md writes them (`arms[].transferStats`,
// `claims[].interval.low`), and the keys that page documents under one `## ` heading: the
// first column of its tables.
export interface FoundKeys {
  /** Every leaf path: a number, string, boolean, list of numbers or strings, or a `…Stats`. */
  paths: Set<string>;
  /** Paths whose value was null in some place (`git`, `matrix`, a claim's `right`). */
  nulls: Set<string>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** {mean, ci95, n}: documented once as a `…Stats` key. */
const isStats = (x: Record<string, unknown>) => Object.keys(x).sort().join(',') === 'ci95,mean,n';

export function keyPaths(value: unknown, leaves: readonly string[] = [], found: FoundKeys = { paths: new Set(), nulls: new Set() }, path = ''): FoundKeys {
  if (value === null) {
    found.nulls.add(path);
    found.paths.add(path);
  } else if (isObject(value) && !leaves.includes(path) && !isStats(value)) {
    for (const [k, v] of Object.entries(value)) keyPaths(v, leaves, found, path === '' ? k : `${path}.${k}`);
  } else if (Array.isArray(value) && value.some(isObject)) {
    for (const el of value) keyPaths(el, leaves, found, `${path}[]`);
  } else found.paths.add(path);
  return found;
}

/** Keys in the first column of the tables under `## <heading>` (up to the next `## `). */
export function documentedKeys(markdown: string, heading: string): Set<string> {
  const sections = markdown.split(/^## /m);
  const section = sections.find((s) => s.split('\n')[0]!.trim() === heading);
  if (section === undefined) throw new Error(`docs/run-files.md has no "## ${heading}" section`);
  return new Set([...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!));
}

/** Found keys that the documentation does not list (a null stands for the object documented under it). */
export function undocumented(found: FoundKeys, documented: Set<string>): string[] {
  const coveredNull = (p: string) => found.nulls.has(p) && [...documented].some((d) => d.startsWith(`${p}.`) || d.startsWith(`${p}[]`));
  return [...found.paths].filter((p) => !documented.has(p) && !coveredNull(p)).sort();
}

/** Documented keys that no file held (a key documented as an object counts when a key under it was found). */
export function missing(found: FoundKeys, documented: Set<string>): string[] {
  const all = [...found.paths];
  return [...documented].filter((d) => !found.paths.has(d) && !all.some((p) => p.startsWith(`${d}.`) || p.startsWith(`${d}[]`))).sort();
}
