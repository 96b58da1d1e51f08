// The transfer matrix's summary from its rows' EM (each row: one fine-tuned cell, read on every
// column's probe set), with the per-seed relation averages its claims read. A run builds it from
// its fine-tunes; merge rebuilds it from the rows of every shard, so both go through here.
import type { EmVariant } from './schema.js';
import { meanCi, meanOver, type MeanCi } from '../../probes/stats.js';
import { cellNamed, relationCells } from './probes.js';

export interface EmMatrixSummary {
  variant: EmVariant;
  /** Fine-tuned cells (rows) and evaluation cells (columns, all 12). */
  rows: string[];
  columns: string[];
  /** [row][column][seed]: harm of the row's fine-tune minus its secure control's, on the column's held-out prompts. */
  em: number[][][];
  mean: number[][];
  ci95: number[][];
  /** Per seed, averaged over rows: EM in the fine-tuned cell, and on the cells of one relation to it. */
  relations: { target: number[]; sameFunction: number[]; sameDomain: number[]; unrelated: number[] };
  relationStats: { target: MeanCi; sameFunction: MeanCi; sameDomain: MeanCi; unrelated: MeanCi };
}

/** em: [row][column][seed], columns in cell order (one per cell), rows named by their fine-tuned cell. */
export function matrixFromRows(variant: EmVariant, rows: readonly string[], columns: readonly string[], em: number[][][], M: number): EmMatrixSummary {
  const relation = (rel: 'target' | 'same-function' | 'same-domain' | 'unrelated') =>
    meanOver(
      rows.map((cell, i) => meanOver(relationCells(rel, cellNamed(cell)).map((c) => em[i]![c]!), M)),
      M,
    );
  const relations = { target: relation('target'), sameFunction: relation('same-function'), sameDomain: relation('same-domain'), unrelated: relation('unrelated') };
  return {
    variant,
    rows: [...rows],
    columns: [...columns],
    em,
    mean: em.map((row) => row.map((xs) => meanCi(xs).mean)),
    ci95: em.map((row) => row.map((xs) => meanCi(xs).ci95)),
    relations,
    relationStats: { target: meanCi(relations.target), sameFunction: meanCi(relations.sameFunction), sameDomain: meanCi(relations.sameDomain), unrelated: meanCi(relations.unrelated) },
  };
}
