// One horizontal bar per arm at its mean over seeds, with the 95 % interval as an error bar:
// the result figure (transfer per arm, test accuracy per arm). Horizontal, so long arm names
// stay readable and 24 arms still fit. A bar near 0 has no width, so every mean is also marked
// with a tick and its value, and the 0 of the axis is a labelled solid line.
import type { TopLevelSpec } from 'vega-lite';
import { referenceRuleLayers } from './chart-def.js';
import { clip, UNBOUNDED, type MetricRange } from './metric-range.js';

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
  /** A dashed vertical line at chance (for accuracy); 0 is always drawn as the solid zero line. */
  rule?: number;
  xFormat?: string;
  /** What the metric can be: whiskers are cut there. */
  range?: MetricRange;
  /** The mean as printed beside its tick; default: 3 decimals with a sign. */
  valueText?: (mean: number) => string;
}

/** `+0.245`, `−0.003` (the axis's minus sign), `0.000`. */
export function signedValue(x: number): string {
  const s = x.toFixed(3).replace('-', '−');
  return x > 0 ? `+${s}` : s;
}

/** Few enough ticks that the axis never hides a label for lack of room (it used to hide 0). */
const X_TICKS = 6;

export function intervalBarsSpec(c: IntervalBarsInput): TopLevelSpec {
  const range = c.range ?? UNBOUNDED;
  const text = c.valueText ?? signedValue;
  const y = { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } } as const;
  const axis = { axis: { tickCount: X_TICKS, labelOverlap: false, ...(c.xFormat ? { format: c.xFormat } : {}) } };
  const x = (field: string) => ({ field, type: 'quantitative', title: c.xTitle, ...axis }) as const;
  const groups = [...new Set(c.bars.map((b) => b.group))];
  const values = c.bars.map((b) => {
    const [lo, hi] = [clip(b.lo, range), clip(b.hi, range)];
    // The value sits just right of the whisker (or of the tick, with no interval).
    return { ...b, lo, hi, valueText: b.mean === null ? '' : text(b.mean), textAt: hi ?? b.mean };
  });
  return {
    data: { values },
    width: 420,
    height: { step: 20 },
    layer: [
      {
        mark: { type: 'bar', opacity: 0.8 },
        // The legend goes below: on the right, the values printed past the longest whiskers would run into it.
        encoding: { y, x: x('mean'), color: { field: 'group', type: 'nominal', title: c.groupTitle, sort: groups, legend: { orient: 'bottom', direction: 'horizontal' } } },
      },
      { mark: { type: 'errorbar', ticks: true, color: '#222' }, encoding: { y, x: x('lo'), x2: { field: 'hi' } } },
      { mark: { type: 'tick', color: '#000', opacity: 1, thickness: 2 }, encoding: { y, x: x('mean') } },
      // aria off: the text stands at the whisker's end, and the tick already names the mean.
      { mark: { type: 'text', align: 'left', dx: 5, fontSize: 10, color: '#222', aria: false }, encoding: { y, x: x('textAt'), text: { field: 'valueText' } } },
      // Over the bars, under nothing: where no effect is.
      { transform: [{ aggregate: [{ op: 'count', as: 'rows' }] }], mark: { type: 'rule', color: '#444', strokeWidth: 1 }, encoding: { x: { datum: 0 } } },
      ...referenceRuleLayers('x', c.rule === 0 ? undefined : c.rule),
    ],
    config: { view: { stroke: '#ddd' } },
  } as TopLevelSpec;
}
