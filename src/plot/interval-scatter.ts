// One point per arm at (mean x, mean y) over seeds, with both 95 % intervals as error bars:
// how one per-seed quantity follows another across arms (EM against in-cell reliability).
import type { TopLevelSpec } from 'vega-lite';
import { referenceRuleLayers } from './chart-def.js';
import { clip, UNBOUNDED, type MetricRange } from './metric-range.js';

export interface IntervalPoint {
  label: string;
  /** Colours the point. */
  group: string;
  x: number | null;
  xLo: number | null;
  xHi: number | null;
  y: number | null;
  yLo: number | null;
  yHi: number | null;
}

export interface IntervalScatterInput {
  points: IntervalPoint[];
  xTitle: string;
  yTitle: string;
  groupTitle: string;
  /** A dashed horizontal line (0: no effect). */
  rule?: number;
  /** What each metric can be: error bars are cut there. */
  xRange?: MetricRange;
  yRange?: MetricRange;
}

export function intervalScatterSpec(c: IntervalScatterInput): TopLevelSpec {
  const x = { field: 'x', type: 'quantitative', title: c.xTitle, scale: { zero: false } } as const;
  const y = { field: 'y', type: 'quantitative', title: c.yTitle } as const;
  const groups = [...new Set(c.points.map((p) => p.group))];
  const [xr, yr] = [c.xRange ?? UNBOUNDED, c.yRange ?? UNBOUNDED];
  const values = c.points.map((p) => ({ ...p, xLo: clip(p.xLo, xr), xHi: clip(p.xHi, xr), yLo: clip(p.yLo, yr), yHi: clip(p.yHi, yr) }));
  return {
    data: { values },
    width: 420,
    height: 300,
    layer: [
      { mark: { type: 'errorbar', ticks: true, color: '#888' }, encoding: { x, y: { field: 'yLo', type: 'quantitative', title: c.yTitle }, y2: { field: 'yHi' } } },
      { mark: { type: 'errorbar', ticks: true, color: '#888' }, encoding: { y, x: { field: 'xLo', type: 'quantitative', title: c.xTitle }, x2: { field: 'xHi' } } },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: { x, y, color: { field: 'group', type: 'nominal', title: c.groupTitle, sort: groups }, tooltip: { field: 'label' } },
      },
      { mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 10 }, encoding: { x, y, text: { field: 'label' } } },
      ...referenceRuleLayers('y', c.rule),
    ],
    config: { view: { stroke: '#ddd' } },
  } as TopLevelSpec;
}
