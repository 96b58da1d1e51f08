// A metric against a swept setting: per line the mean over seeds at each value, with its 95 %
// interval as a bar. One swept setting: one panel, a line per arm. Two: a panel per arm, a line
// per value of the second setting. A numeric setting whose values span 20× or more (epochs 1…40)
// is drawn on a log axis; any other setting as evenly spaced categories in sweep order.
import type { TopLevelSpec } from 'vega-lite';
import { clip, UNBOUNDED, type MetricRange } from './metric-range.js';

export interface SweepChartRow {
  /** The first swept setting's value. */
  x: number | string;
  /** Line: the arm (one setting) or the second setting's value (two). */
  series: string;
  /** Panel: the arm (two settings), '' otherwise. */
  panel: string;
  mean: number | null;
  lo: number | null;
  hi: number | null;
}

export interface SweepChartInput {
  rows: SweepChartRow[];
  xTitle: string;
  /** The x values in sweep order (a categorical axis keeps it). */
  xValues: readonly (number | string)[];
  yTitle: string;
  seriesTitle: string;
  series: string[];
  panels: string[];
  range?: MetricRange;
}

/** True when the x axis is numeric and wide enough to read on a log scale. */
export function logAxis(values: readonly (number | string)[]): boolean {
  const nums = values.filter((v): v is number => typeof v === 'number');
  return nums.length === values.length && nums.length > 1 && Math.min(...nums) > 0 && Math.max(...nums) / Math.min(...nums) >= 20;
}

export function sweepChartSpec(c: SweepChartInput): TopLevelSpec {
  const numeric = c.xValues.every((v) => typeof v === 'number');
  const range = c.range ?? UNBOUNDED;
  const values = c.rows.map((r) => ({ ...r, lo: clip(r.lo, range), hi: clip(r.hi, range) }));
  const x = numeric
    ? ({ field: 'x', type: 'quantitative', title: c.xTitle, scale: logAxis(c.xValues) ? { type: 'log' } : { zero: false }, axis: { values: [...c.xValues] } } as const)
    : ({ field: 'x', type: 'ordinal', title: c.xTitle, sort: [...c.xValues] } as const);
  const color = { field: 'series', type: 'nominal', title: c.seriesTitle, sort: c.series, scale: { scheme: c.series.length > 10 ? 'tableau20' : 'tableau10' } } as const;
  const layer = [
    { mark: { type: 'rule', opacity: 0.6 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: c.yTitle }, y2: { field: 'hi' }, color } },
    { mark: { type: 'line', point: { filled: true, size: 50 } }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: c.yTitle }, color } },
  ];
  if (c.panels.length <= 1) return { data: { values }, width: 460, height: 300, layer, config: { view: { stroke: '#ddd' } } } as TopLevelSpec;
  return {
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: 'arm', sort: c.panels },
    columns: Math.min(3, c.panels.length),
    spec: { width: 300, height: 220, layer },
    config: { view: { stroke: '#ddd' } },
  } as TopLevelSpec;
}
