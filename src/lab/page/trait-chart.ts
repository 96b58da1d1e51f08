// The trait chart: p(target) of the trait student and of the control student, and the transfer
// (trait − control), at each probe step of the arm; with several seeds, the mean as a line and
// a min–max band around it. The teacher's p(target) is a dashed line, the base's a dotted one.
// Hand-drawn SVG; each series is one `path.series[data-series=…]` whose `data-points` says how
// many probe steps it passes through.
import { axes, bandPath, emptyHint, H, level, M, seriesLine, W } from './chart-parts.js';
import { el, svg } from './dom.js';
import type { View } from './redraw.js';
import { linear, ticks } from './scales.js';
import type { TraitPoint, TraitSeries } from './trait-series.js';

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
    const parts: SVGElement[] = axes(x, y, ticks(y0, 1, 6), this.frame.steps, `p(${this.frame.target})`);
    if (levels) parts.push(level(levels.teacher, 'teacher', `teacher ${levels.teacher.toFixed(2)}`, y), level(levels.base, 'base', `base ${levels.base.toFixed(2)}`, y));
    for (const key of SERIES) {
      if (this.frame.seeds > 1 && points.length > 0) parts.push(svg('path', { class: 'band', 'data-series': key, d: bandPath(points, (p) => p[key], x, y) }));
      parts.push(...seriesLine(key, points.map((p) => [x(p.step), y(p[key].mean)] as const)));
    }
    if (points.length === 0) parts.push(emptyHint());
    this.plot.replaceChildren(...parts);
    this.drawLegend(points.at(-1));
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
