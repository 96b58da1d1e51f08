// Compares a stored summary.json with a re-run's, leaf by leaf, and names every difference by
// its JSON path (`arms[2].transfer[3]`). On the same backend every number must be identical
// (the contract: same config, seed and backend give the same bytes); across backends numbers
// may differ by a stated tolerance, and everything else (strings, structure) must match.

/**
 * Allowed |stored − rerun| for one number: `absolute`, plus `intervalRelative` × the larger
 * value for interval half-widths (`ci95`). The half-width is a t quantile times the spread of
 * a few seeds, so a small change in one seed moves it by up to t/n times that change (12.7/2
 * with 2 seeds): it needs an allowance proportional to itself, the other figures do not.
 */
export interface Tolerance {
  absolute: number;
  intervalRelative: number;
}

export interface Difference {
  path: string;
  stored: string;
  rerun: string;
  /** Why it counts as different across backends (`|Δ| 2.1e-3 > 1.0e-3`), if a tolerance applied. */
  note?: string;
}

export interface Comparison {
  /** Numbers present in both summaries. */
  numbers: number;
  identical: number;
  /** Numbers that differ but within the tolerance. */
  withinTolerance: number;
  differences: Difference[];
}

export interface CompareOptions {
  /** null: every number must be identical. */
  tolerance: Tolerance | null;
  /** Paths left out of the comparison (e.g. `backend` when verifying on another backend). */
  ignore?: readonly string[];
}

const identifier = /^[A-Za-z_$][\w$]*$/;

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!identifier.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A value as one short token of a difference line. */
function show(v: unknown): string {
  if (v === undefined) return '(missing)';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}…` : v);
  return String(v); // numbers in full: a last-digit difference must be visible
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function compareSummaries(stored: unknown, rerun: unknown, opts: CompareOptions): Comparison {
  const result: Comparison = { numbers: 0, identical: 0, withinTolerance: 0, differences: [] };
  const ignore = new Set(opts.ignore ?? []);
  const differ = (path: string, a: unknown, b: unknown, note?: string): void => void result.differences.push({ path, stored: show(a), rerun: show(b), ...(note ? { note } : {}) });

  const walk = (a: unknown, b: unknown, path: string, key: string | number | undefined): void => {
    if (ignore.has(path)) return;
    if (typeof a === 'number' && typeof b === 'number') {
      result.numbers++;
      if (a === b) return void result.identical++;
      const tol = opts.tolerance;
      if (tol) {
        const allowed = tol.absolute + (key === 'ci95' ? tol.intervalRelative * Math.max(Math.abs(a), Math.abs(b)) : 0);
        const delta = Math.abs(a - b);
        if (delta <= allowed) return void result.withinTolerance++;
        return differ(path, a, b, `|Δ| ${delta.toExponential(1)} > ${allowed.toExponential(1)}`);
      }
      return differ(path, a, b);
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) differ(path, a, b);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], child(path, i), i);
      return;
    }
    if (isObject(a) && isObject(b)) {
      for (const k of Object.keys(a)) walk(a[k], b[k], child(path, k), k);
      for (const k of Object.keys(b)) if (!(k in a) && !ignore.has(child(path, k))) differ(child(path, k), undefined, b[k]);
      return;
    }
    if (a !== b) differ(path, a, b); // strings, booleans, null, a missing key, or a change of type
  };
  walk(stored, rerun, '', undefined);
  return result;
}

/** `arms[2].transfer[3]: stored 0.0123 ≠ rerun 0.0456`, at most `max` lines, then "and K more". */
export function formatDifferences(diffs: readonly Difference[], max = 20): string[] {
  const lines = diffs.slice(0, max).map((d) => `  ${d.path || '(top level)'}: stored ${d.stored} ≠ rerun ${d.rerun}${d.note ? ` (${d.note})` : ''}`);
  if (diffs.length > max) lines.push(`  and ${diffs.length - max} more`);
  return lines;
}
