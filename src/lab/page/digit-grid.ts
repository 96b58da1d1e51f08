// One student's grid of the 100 shown held-out test digits (#mnist-digits-<student>): each cell
// is the digit, coloured by whether the student's latest prediction of it is right (green) or
// wrong (red), with the predicted class in small print; neutral before the first prediction.
// The predictions are seed 1's (member 0), probed with its test accuracy.
import type { DigitPredictions } from '../protocol.js';
import { el } from './dom.js';
import { paintImage, SIDE } from './mnist-images.js';
import type { View } from './redraw.js';

export class DigitGrid implements View {
  readonly element: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly header = el('figcaption', { class: 'digits-header' });
  private cells: { cell: HTMLElement; predicted: HTMLElement; label: number }[] = [];
  private latest: DigitPredictions | undefined;

  /** `student`: same-init or cross-init, the grid's id and title. */
  constructor(private readonly student: string) {
    this.grid = el('div', { id: `mnist-digits-${student}`, class: 'digit-grid', 'data-student': student });
    this.element = el('figure', { class: 'digits' }, this.header, this.grid);
  }

  /** The shown digits and their labels: the same digits every run, so they stay after a reset. */
  setDigits(digits: number[][], labels: number[]): void {
    this.cells = digits.map((pixels, i) => {
      const canvas = el('canvas', { width: SIDE, height: SIDE });
      const ctx = canvas.getContext('2d');
      if (ctx) paintImage(ctx, pixels, 0, 'ink');
      const predicted = el('span', { class: 'digit-pred' });
      const cell = el('div', { class: 'digit-cell pending', 'data-label': labels[i]!, title: `a ${labels[i]}` }, canvas, predicted);
      return { cell, predicted, label: labels[i]! };
    });
    this.grid.replaceChildren(...this.cells.map((c) => c.cell));
  }

  /** The student's latest predictions; undefined: none yet (neutral cells). */
  show(predictions: DigitPredictions | undefined): void {
    this.latest = predictions;
  }

  draw(): void {
    const p = this.latest;
    let right = 0;
    this.cells.forEach(({ cell, predicted, label }, i) => {
      const guess = p?.predicted[i];
      const state = guess === undefined ? 'pending' : guess === label ? 'right' : 'wrong';
      if (state === 'right') right++;
      cell.className = `digit-cell ${state}`;
      predicted.textContent = guess === undefined ? '' : String(guess);
      if (guess === undefined) cell.removeAttribute('data-predicted');
      else cell.setAttribute('data-predicted', String(guess));
    });
    const who = `${this.student} student`;
    if (this.cells.length === 0) this.header.textContent = `${who}: the held-out test digits appear once the teacher is trained.`;
    else if (!p) this.header.textContent = `${who}: no prediction yet.`;
    else this.header.textContent = `${who}, seed 1, step ${p.step}: ${right} of ${this.cells.length} right.`;
  }
}
