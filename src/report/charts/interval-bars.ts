// One horizontal bar per arm at its mean over seeds, with the 95 % interval as an error bar:
// the result figure (transfer per arm, test accuracy per arm). Horizontal, so long arm names
// stay readable and 24 arms still fit.
import type { TopLevelSpec } from 'vega-lite';
import { referenceRuleLayers } from './chart-def.js';

export interface IntervalBar {
  label: string;
  /** Colours the bar (student kind, arm kind). */
  group: string;
  mean: number | null;
  lo: number | null;
  hi: number | null;
}

export interface IntervalBarsInput {
  bars: IntervalBar[];
  xTitle: string;
  groupTitle: string;
  /** A dashed vertical line: 0 for transfer, chance for accuracy. */
  rule?: number;
  xFormat?: string;
}

export function intervalBarsSpec(c: IntervalBarsInput): TopLevelSpec {
  const y = { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } } as const;
  const axis = c.xFormat ? { axis: { format: c.xFormat } } : {};
  const groups = [...new Set(c.bars.map((b) => b.group))];
  return {
    data: { values: c.bars },
    width: 420,
    height: { step: 20 },
    layer: [
      {
        mark: { type: 'bar', opacity: 0.8 },
        encoding: { y, x: { field: 'mean', type: 'quantitative', title: c.xTitle, ...axis }, color: { field: 'group', type: 'nominal', title: c.groupTitle, sort: groups } },
      },
      { mark: { type: 'errorbar', ticks: true, color: '#222' }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: c.xTitle, ...axis }, x2: { field: 'hi' } } },
      ...referenceRuleLayers('x', c.rule),
    ],
    config: { view: { stroke: '#ddd' } },
  } as TopLevelSpec;
}
