// The MNIST accuracy chart: the test accuracy of the same-init and the cross-init student at each
// probe step of its distillation, side by side on one axis; with several seeds, the mean as a
// line and a min–max band around it. The teacher's accuracy is a dashed line once it is known,
// chance (10 %, one class in ten) a dotted one. The SVG is #mnist-accuracy-chart; each student
// is one `path.series[data-series=same-init|cross-init]` whose `data-points` says how many probe
// steps it passes through; the levels are `g[data-series=teacher|chance]`.
import { MNIST_ARMS } from '../mnist-config.js';
import type { AccuracyPoint, AccuracySeries } from './accuracy-series.js';
import { axes, bandPath, emptyHint, H, level, M, seriesLine, W } from './chart-parts.js';
import { el, svg } from './dom.js';
import type { View } from './redraw.js';
import { linear } from './scales.js';

/** The students' curves: their key in the page, their arm in the experiment, their legend. */
const STUDENTS = [
  { key: 'same-init', arm: MNIST_ARMS.sameInit, label: "same-init student (starts from the teacher's initial weights)" },
  { key: 'cross-init', arm: MNIST_ARMS.crossInit, label: 'cross-init student (starts from other random weights)' },
] as const;

const CHANCE = 0.1;

/** What the chart shows besides the data: each student's steps, and the seeds. */
export interface AccuracyFrame {
  steps: number;
  seeds: number;
}

const percent = (v: number) => `${(v * 100).toFixed(1)} %`;

export class AccuracyChart implements View {
  readonly element: HTMLElement;
  private readonly plot = svg('svg', { id: 'mnist-accuracy-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'MNIST test accuracy of the two students over their distillation' });
  private readonly legend = el('ul', { class: 'legend' });
  private frame: AccuracyFrame = { steps: 1, seeds: 1 };

  constructor(private readonly series: AccuracySeries) {
    this.element = el('figure', { id: 'mnist-accuracy', class: 'chart' }, this.plot, this.legend);
  }

  setFrame(frame: AccuracyFrame): void {
    this.frame = frame;
  }

  draw(): void {
    const x = linear(0, this.frame.steps, M.left, W - M.right);
    const y = linear(0, 1, H - M.bottom, M.top);
    const parts: SVGElement[] = axes(x, y, [0, 0.2, 0.4, 0.6, 0.8, 1], this.frame.steps, 'test accuracy', (v) => `${Math.round(v * 100)} %`);
    parts.push(level(CHANCE, 'chance', 'chance 10 %', y, { 'data-series': 'chance' }));
    const teacher = this.series.teacher;
    if (teacher) parts.push(level(teacher.mean, 'teacher', `teacher ${Math.round(teacher.mean * 100)} %`, y, { 'data-series': 'teacher' }));
    let drawn = 0;
    for (const { key, arm } of STUDENTS) {
      const points = this.series.points.get(arm) ?? [];
      drawn += points.length;
      if (this.frame.seeds > 1 && points.length > 0) parts.push(svg('path', { class: 'band', 'data-series': key, d: bandPath(points, (p) => p.accuracy, x, y) }));
      parts.push(...seriesLine(key, points.map((p) => [x(p.step), y(p.accuracy.mean)] as const)));
    }
    if (drawn === 0) parts.push(emptyHint());
    this.plot.replaceChildren(...parts);
    this.drawLegend();
  }

  private drawLegend(): void {
    const last = (arm: string): AccuracyPoint | undefined => this.series.points.get(arm)?.at(-1);
    const item = (key: string, text: string) => el('li', { 'data-key': key }, el('span', { class: 'swatch' }), text);
    const teacher = this.series.teacher;
    const items = [
      ...STUDENTS.map(({ key, arm, label }) => {
        const p = last(arm);
        return item(key, `${label}${p ? `: ${percent(p.accuracy.mean)} at step ${p.step}` : ''}`);
      }),
      item('teacher', `teacher, trained on the digits, dashed${teacher ? `: ${percent(teacher.mean)}` : ' (once trained)'}`),
      item('chance', 'chance, one class in ten, dotted: 10 %'),
    ];
    if (this.frame.seeds > 1) items.push(el('li', { class: 'note' }, `lines: mean over the ${this.frame.seeds} seeds; bands: their min–max`));
    this.legend.replaceChildren(...items);
  }
}
