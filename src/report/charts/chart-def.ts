import type { TopLevelSpec } from 'vega-lite';

/** A chart of the report before rendering: the page shows its title and caption as HTML text. */
export interface ChartDef {
  /** Unique in the page; also the prefix of the SVG's ids. */
  id: string;
  /** `result`: the figure of the outcome, beside its table; `curves`: over training steps. */
  section: 'result' | 'curves';
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** `[mean − ci, mean + ci]`, or nulls when either is missing (one seed has no interval). */
export function interval(mean: number | null, ci95: number | null): { lo: number | null; hi: number | null } {
  return mean === null || ci95 === null ? { lo: null, hi: null } : { lo: mean - ci95, hi: mean + ci95 };
}
