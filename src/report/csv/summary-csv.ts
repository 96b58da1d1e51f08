// summary.json as a long ("tidy") table: every number in the file is one row, placed by the
// section and arm it belongs to, its key path inside the arm, the EM cell (or probe set) and
// the seed. Strings (names, channels, verdicts) are labels, not rows; `show --json` has them.
// A null (a number JSON cannot write, e.g. the interval of one seed) is a row with no value.
import type { CsvCell } from './csv-text.js';

export const SUMMARY_COLUMNS = ['world', 'section', 'arm', 'metric', 'cell', 'seed', 'value'] as const;

interface Place {
  section: string;
  arm: string;
  metric: string;
  cell: string;
}

type Json = unknown;
const isNumberLike = (x: Json) => typeof x === 'number' || x === null;
const isObject = (x: Json): x is Record<string, Json> => typeof x === 'object' && x !== null && !Array.isArray(x);
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** The label of one element of an array of objects: an arm's name, a claim's id, a probe set. */
const labelOf = (x: Record<string, Json>): string | undefined => [x.name, x.id, x.probe].find((v): v is string => typeof v === 'string');

/** `world` labels every row (summary.json's `world`; MNIST's files have none). */
export function summaryRows(summary: Record<string, Json>, world: string): CsvCell[][] {
  const cells = Array.isArray(summary.cells) ? summary.cells.map(String) : [];
  const rows: CsvCell[][] = [];
  const emit = (p: Place, seed: number | null, value: Json) => rows.push([world, p.section, p.arm, p.metric, p.cell, seed, value as number | null]);

  const walk = (value: Json, p: Place): void => {
    if (isNumberLike(value)) return void emit(p, null, value);
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'right' && v === null) continue; // a claim against a value has no right-hand arm: not a missing number
        walk(v, { ...p, metric: join(p.metric, k) });
      }
      return;
    }
    if (!Array.isArray(value) || value.length === 0) return; // strings, booleans, empty lists
    if (value.every(isNumberLike)) return void value.forEach((v, seed) => emit(p, seed, v)); // per seed
    if (value.every(Array.isArray)) {
      // [cell][seed] (harmByCell, emByCell), cells in summary.cells order
      return void value.forEach((perSeed, c) => walk(perSeed, { ...p, cell: cells[c] ?? String(c) }));
    }
    value.forEach((el, i) => {
      if (!isObject(el)) return;
      const label = labelOf(el) ?? String(i);
      // An element of a section's list is an arm (or a claim: its id); one inside an arm (an
      // EM arm's probe sets) is a cell, and its fields keep the list's name as their prefix.
      if (p.arm === '') walk(el, { ...p, arm: label, metric: '' });
      else walk(el, { ...p, cell: label });
    });
  };

  for (const [key, value] of Object.entries(summary)) {
    if (key === 'matrix' && isObject(value)) {
      matrixRows(value, cells, (p, seed, v) => emit(p, seed, v), walk);
      continue;
    }
    if (Array.isArray(value) || isObject(value)) walk(value, { section: key, arm: '', metric: '', cell: '' });
    else if (typeof value === 'number') emit({ section: 'run', arm: '', metric: key, cell: '' }, null, value); // seeds, rootSeed
  }
  return rows;
}

/**
 * The EM transfer matrix: `em` [row][column][seed], `mean` and `ci95` [row][column] become rows
 * with the fine-tuned cell as the arm and the read cell as the cell; the rest as any section.
 */
function matrixRows(matrix: Record<string, Json>, cells: string[], emit: (p: Place, seed: number | null, v: Json) => void, walk: (v: Json, p: Place) => void): void {
  const rowNames = Array.isArray(matrix.rows) ? matrix.rows.map(String) : [];
  const columns = Array.isArray(matrix.columns) ? matrix.columns.map(String) : cells;
  for (const [key, value] of Object.entries(matrix)) {
    const base: Place = { section: 'matrix', arm: '', metric: key, cell: '' };
    if ((key === 'em' || key === 'mean' || key === 'ci95') && Array.isArray(value)) {
      value.forEach((row, r) => {
        if (!Array.isArray(row)) return;
        row.forEach((x, c) => {
          const p = { ...base, arm: rowNames[r] ?? String(r), cell: columns[c] ?? String(c) };
          if (Array.isArray(x)) x.forEach((v, seed) => emit(p, seed, v));
          else emit(p, null, x);
        });
      });
    } else walk(value, base);
  }
}
