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

/**
 * The dashed reference line at `value` across the chart (0: no effect; chance), as 0 or 1
 * layers. It aggregates to one row per panel: a rule per data row would draw the same line
 * hundreds of times.
 */
export function referenceRuleLayers(channel: 'x' | 'y', value: number | undefined) {
  if (value === undefined) return [];
  return [
    {
      transform: [{ aggregate: [{ op: 'count', as: 'rows' }] }],
      mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
      encoding: { [channel]: { datum: value } },
    } as const,
  ];
}
