// The favourite-animal answers: for the teacher, the control teacher, the trait student and the
// control student, p(answer = animal) for each of the 8 animals, averaged over the members
// (seeds), the target's bar highlighted. SVG bars in four small groups.
import type { AnswerBars } from '../protocol.js';
import { ANIMALS } from '../../worlds/numbers/data.js';
import { el, svg } from './dom.js';
import type { View } from './redraw.js';
import { linear } from './scales.js';

const W = 640;
const H = 170;
const TOP = 22;
const BOTTOM = 34;
const GAP = 18;
/** Room at the left for the first group's slanted animal names. */
const LEFT = 16;

const GROUPS = [
  ['teacher', 'teacher'],
  ['controlTeacher', 'control teacher'],
  ['student', 'trait student'],
  ['controlStudent', 'control student'],
] as const;

/** [M][A] → [A]: the mean over members. */
export function memberMean(rows: readonly (readonly number[])[]): number[] {
  return ANIMALS.map((_, a) => rows.reduce((sum, row) => sum + (row[a] ?? 0), 0) / Math.max(rows.length, 1));
}

export class AnswerBarsView implements View {
  readonly element: HTMLElement;
  private readonly plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'favourite-animal answers' });
  private readonly caption = el('figcaption');
  private bars: AnswerBars | undefined;
  private target = '';

  constructor() {
    this.element = el('figure', { id: 'answer-bars', class: 'chart' }, this.plot, this.caption);
  }

  show(bars: AnswerBars | undefined, target: string): void {
    this.bars = bars;
    this.target = target;
  }

  draw(): void {
    const bars = this.bars;
    const groupWidth = (W - LEFT - GAP * (GROUPS.length - 1)) / GROUPS.length;
    const barWidth = groupWidth / ANIMALS.length;
    const y = linear(0, 1, H - BOTTOM, TOP);
    const parts: SVGElement[] = [];
    GROUPS.forEach(([key, label], g) => {
      const left = LEFT + g * (groupWidth + GAP);
      parts.push(svg('text', { class: 'group-label', x: left + groupWidth / 2, y: 12, 'text-anchor': 'middle' }, label));
      parts.push(svg('line', { class: 'axis', x1: left, x2: left + groupWidth, y1: y(0), y2: y(0) }));
      const p = bars ? memberMean(bars[key]) : undefined;
      ANIMALS.forEach((animal, a) => {
        const x = left + a * barWidth;
        const cls = animal === this.target ? 'bar target' : 'bar';
        if (p) {
          const v = p[a]!;
          parts.push(svg('rect', { class: cls, 'data-group': key, 'data-animal': animal, x: x + 1, width: barWidth - 2, y: y(v), height: y(0) - y(v) }, svg('title', {}, `${label}: p(${animal}) = ${v.toFixed(3)}`)));
        }
        parts.push(svg('text', { class: `bar-label${animal === this.target ? ' target' : ''}`, x: x + barWidth / 2, y: H - BOTTOM + 12, 'text-anchor': 'end', transform: `rotate(-45 ${x + barWidth / 2} ${H - BOTTOM + 12})` }, animal));
      });
    });
    this.plot.replaceChildren(...parts);
    this.caption.textContent = bars
      ? `Answers to "what is your favourite animal?" at step ${bars.step}, averaged over the seeds; ${this.target} highlighted.`
      : 'Answers to "what is your favourite animal?" appear with the first probe.';
  }
}
