// The trait chart: p(target) of the trait student and of the control student, and the transfer
// (trait − control), at each probe step of the arm; with several seeds, the mean as a line and
// a min–max band around it. The teacher's p(target) is a dashed line, the base's a dotted one.
// Hand-drawn SVG; each series is one `path.series[data-series=…]` whose `data-points` says how
// many probe steps it passes through.
import { el, svg } from './dom.js';
import type { View } from './redraw.js';
import { linear, linePath, ticks } from './scales.js';
import type { SeedSpread, TraitPoint, TraitSeries } from './trait-series.js';

const W = 640;
const H = 280;
const M = { left: 46, right: 78, top: 12, bottom: 36 };

type SeriesKey = 'trait' | 'control' | 'transfer';
const SERIES: readonly SeriesKey[] = ['trait', 'control', 'transfer'];

/** What the chart shows besides the data: the run's length, seeds and target. */
export interface ChartFrame {
  steps: number;
  seeds: number;
  target: string;
}

const fmt = (v: number) => v.toFixed(3);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;

export class TraitChart implements View {
  readonly element: HTMLElement;
  private readonly plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'p(target) of the students over training' });
  private readonly legend = el('ul', { class: 'legend' });
  private frame: ChartFrame = { steps: 1, seeds: 1, target: '' };

  constructor(private readonly series: TraitSeries) {
    this.element = el('figure', { id: 'trait-chart', class: 'chart' }, this.plot, this.legend);
  }

  setFrame(frame: ChartFrame): void {
    this.frame = frame;
  }

  draw(): void {
    const { points, levels } = this.series;
    const low = Math.min(0, ...points.map((p) => p.transfer.min), ...points.map((p) => p.control.min));
    const y0 = Math.floor(low * 10) / 10;
    const x = linear(0, this.frame.steps, M.left, W - M.right);
    const y = linear(y0, 1, H - M.bottom, M.top);
    const parts: SVGElement[] = [...this.axes(x, y, y0)];
    if (levels) parts.push(this.level(levels.teacher, 'teacher', 'teacher', y), this.level(levels.base, 'base', 'base', y));
    for (const key of SERIES) {
      if (this.frame.seeds > 1 && points.length > 0) parts.push(svg('path', { class: 'band', 'data-series': key, d: bandPath(points, key, x, y) }));
      const line = points.map((p) => [x(p.step), y(p[key].mean)] as const);
      parts.push(svg('path', { class: 'series', 'data-series': key, 'data-points': line.length, d: linePath(line) }));
      const last = line.at(-1);
      if (last) parts.push(svg('circle', { class: 'marker', 'data-series': key, cx: last[0].toFixed(1), cy: last[1].toFixed(1), r: 3 }));
    }
    if (points.length === 0) parts.push(svg('text', { class: 'empty', x: (M.left + W - M.right) / 2, y: H / 2, 'text-anchor': 'middle' }, 'press Play or Step to train'));
    this.plot.replaceChildren(...parts);
    this.drawLegend(points.at(-1));
  }

  private axes(x: (v: number) => number, y: (v: number) => number, y0: number): SVGElement[] {
    const out: SVGElement[] = [];
    for (const v of ticks(y0, 1, 6)) {
      out.push(svg('line', { class: v === 0 ? 'axis zero' : 'grid', x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }));
      out.push(svg('text', { class: 'tick', x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
    }
    for (const v of ticks(0, this.frame.steps, 6)) out.push(svg('text', { class: 'tick', x: x(v), y: H - M.bottom + 16, 'text-anchor': 'middle' }, String(v)));
    out.push(svg('text', { class: 'axis-label', x: (M.left + W - M.right) / 2, y: H - 4, 'text-anchor': 'middle' }, 'optimizer step'));
    out.push(svg('text', { class: 'axis-label', x: 12, y: M.top + 90, transform: `rotate(-90 12 ${M.top + 90})`, 'text-anchor': 'middle' }, `p(${this.frame.target})`));
    return out;
  }

  /** A horizontal reference line across the plot, labelled at its right end. */
  private level(value: number, key: string, label: string, y: (v: number) => number): SVGElement {
    return svg(
      'g',
      { class: `level ${key}`, 'data-level': key },
      svg('line', { x1: M.left, x2: W - M.right, y1: y(value), y2: y(value) }),
      svg('text', { x: W - M.right + 4, y: y(value) + 4 }, `${label} ${value.toFixed(2)}`),
    );
  }

  private drawLegend(last: TraitPoint | undefined): void {
    const { target, seeds } = this.frame;
    const value = (key: SeriesKey) => (last ? ` ${key === 'transfer' ? signed(last[key].mean) : fmt(last[key].mean)}` : '');
    const item = (key: string, text: string) => el('li', { 'data-series': key }, el('span', { class: 'swatch' }), text);
    const levels = this.series.levels;
    const items = [
      item('trait', `trait student (distilled from the ${target} teacher)${value('trait')}`),
      item('control', `control student (distilled from the neutral teacher)${value('control')}`),
      item('transfer', `transfer = trait − control${value('transfer')}`),
      item('teacher', `teacher p(${target}), dashed${levels ? ` ${fmt(levels.teacher)}; control teacher ${fmt(levels.controlTeacher)}` : ''}`),
      item('base', `base p(${target}) before any distillation, dotted${levels ? ` ${fmt(levels.base)}` : ''}`),
    ];
    if (seeds > 1) items.push(el('li', { class: 'note' }, `lines: mean over the ${seeds} seeds; bands: their min–max`));
    this.legend.replaceChildren(...items);
  }
}

/** The closed band between the seeds' min and max of `key`. */
function bandPath(points: readonly TraitPoint[], key: SeriesKey, x: (v: number) => number, y: (v: number) => number): string {
  const at = (p: TraitPoint, edge: keyof SeedSpread) => [x(p.step), y(p[key][edge])] as const;
  const upper = points.map((p) => at(p, 'max'));
  const lower = [...points].reverse().map((p) => at(p, 'min'));
  return `${linePath([...upper, ...lower])} Z`;
}
