// What the lab's hand-drawn SVG line charts share: the plot's size and margins, the axes with
// their ticks and labels, horizontal reference levels labelled at their right end, and the
// min–max band of a per-seed series.
import { svg } from './dom.js';
import { linePath, ticks } from './scales.js';
import type { SeedSpread } from './trait-series.js';

export const W = 640;
export const H = 280;
/** Room on the right for the levels' labels. */
export const M = { left: 46, right: 78, top: 12, bottom: 36 };

export type Scale = (v: number) => number;

/** The y grid with its tick labels, the x ticks over [0, steps], and the two axis labels. */
export function axes(x: Scale, y: Scale, yTicks: readonly number[], steps: number, yLabel: string, yTick: (v: number) => string = String): SVGElement[] {
  const out: SVGElement[] = [];
  for (const v of yTicks) {
    out.push(svg('line', { class: v === 0 ? 'axis zero' : 'grid', x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }));
    out.push(svg('text', { class: 'tick', x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, yTick(v)));
  }
  for (const v of ticks(0, steps, 6)) out.push(svg('text', { class: 'tick', x: x(v), y: H - M.bottom + 16, 'text-anchor': 'middle' }, String(v)));
  out.push(svg('text', { class: 'axis-label', x: (M.left + W - M.right) / 2, y: H - 4, 'text-anchor': 'middle' }, 'optimizer step'));
  out.push(svg('text', { class: 'axis-label', x: 12, y: M.top + 90, transform: `rotate(-90 12 ${M.top + 90})`, 'text-anchor': 'middle' }, yLabel));
  return out;
}

/** A horizontal reference line across the plot, labelled at its right end; `attrs` mark it for tests and styles. */
export function level(value: number, key: string, label: string, y: Scale, attrs: Record<string, string> = {}): SVGElement {
  return svg(
    'g',
    { class: `level ${key}`, 'data-level': key, ...attrs },
    svg('line', { x1: M.left, x2: W - M.right, y1: y(value), y2: y(value) }),
    svg('text', { x: W - M.right + 4, y: y(value) + 4 }, label),
  );
}

/** The closed band between the seeds' min and max of a series, through its points in step order. */
export function bandPath<P extends { step: number }>(points: readonly P[], spreadOf: (p: P) => SeedSpread, x: Scale, y: Scale): string {
  const upper = points.map((p) => [x(p.step), y(spreadOf(p).max)] as const);
  const lower = [...points].reverse().map((p) => [x(p.step), y(spreadOf(p).min)] as const);
  return `${linePath([...upper, ...lower])} Z`;
}

/** The hint in an empty plot. */
export const emptyHint = (): SVGElement => svg('text', { class: 'empty', x: (M.left + W - M.right) / 2, y: H / 2, 'text-anchor': 'middle' }, 'press Play or Step to train');

/** A series' line through its points (`data-points` says how many) and a marker at its last point. */
export function seriesLine(key: string, line: readonly (readonly [number, number])[]): SVGElement[] {
  const out: SVGElement[] = [svg('path', { class: 'series', 'data-series': key, 'data-points': line.length, d: linePath(line) })];
  const last = line.at(-1);
  if (last) out.push(svg('circle', { class: 'marker', 'data-series': key, cx: last[0].toFixed(1), cy: last[1].toFixed(1), r: 3 }));
  return out;
}
