// A metric over training steps: per series a line through the mean over seeds and a band for
// its 95 % interval; panels side by side when the curves fall into groups (students), so
// same-init and cross-init arms are compared at a glance without 24 lines in one plot.
import type { TopLevelSpec } from 'vega-lite';
import { referenceRuleLayers } from './chart-def.js';
import { clip, UNBOUNDED, type MetricRange } from './metric-range.js';
import type { CurvePoint } from './curves.js';

export interface CurveChartInput {
  points: CurvePoint[];
  yTitle: string;
  /** Legend title of the lines (`channel`, `arm`). */
  seriesTitle: string;
  /** Panels and lines in the order the experiment lists them (the data order is not kept). */
  groups: string[];
  series: string[];
  /** A dashed horizontal line: 0 for transfer, the base's trait for p(target). */
  rule?: number;
  /** Format of the y axis labels (d3-format), e.g. `%`. */
  yFormat?: string;
  /** What the metric can be: bands are cut there. */
  range?: MetricRange;
}

/** Lines get point marks only when sparse (probes every 100 steps), not on dense loss curves. */
const MAX_STEPS_WITH_POINTS = 20;

export function curveChartSpec(c: CurveChartInput): TopLevelSpec {
  const faceted = c.groups.length > 1;
  const stepsPerSeries = Math.max(0, ...c.series.map((s) => new Set(c.points.filter((p) => p.series === s).map((p) => p.step)).size));
  const x = { field: 'step', type: 'quantitative', title: 'training step' } as const;
  const y = (field: string) => ({ field, type: 'quantitative', title: c.yTitle, scale: { zero: false }, ...(c.yFormat ? { axis: { format: c.yFormat } } : {}) }) as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: c.seriesTitle,
    sort: c.series,
    scale: { scheme: c.series.length > 10 ? 'tableau20' : 'tableau10' },
    // Drawn as solid strokes: the first layer is the faint band, whose look the legend would copy.
    legend: { orient: faceted ? 'bottom' : 'right', columns: faceted ? Math.min(4, c.series.length) : 1, labelLimit: 320, symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2 },
  } as const;
  const layer = [
    { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: y('lo'), y2: { field: 'hi' }, color } },
    { mark: { type: 'line', strokeWidth: 1.5, point: stepsPerSeries <= MAX_STEPS_WITH_POINTS }, encoding: { x, y: y('mean'), color } },
    ...referenceRuleLayers('y', c.rule),
  ];
  const range = c.range ?? UNBOUNDED;
  const data = { values: c.points.map((p) => ({ ...p, lo: clip(p.lo, range), hi: clip(p.hi, range) })) };
  const config = { view: { stroke: '#ddd' } };
  if (!faceted) return { data, width: 520, height: 240, layer, config } as TopLevelSpec;
  return {
    data,
    facet: { field: 'group', type: 'nominal', title: null, sort: c.groups, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
    columns: Math.min(3, c.groups.length),
    spec: { width: 260, height: 200, layer },
    config,
  } as TopLevelSpec;
}
