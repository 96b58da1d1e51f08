// One student's grid of the 100 shown held-out test digits (#mnist-digits-<student>): each cell
// is the digit, coloured by whether the student's latest prediction of it is right (green) or
// wrong (red), with the predicted class in small print; neutral before the first prediction.
// The predictions are seed 1's (member 0), probed with its test accuracy. The digits are drawn
// once into one image that every cell shows its own square of (digitSpriteRule).
import type { DigitPredictions } from '../protocol.js';
import { el } from './dom.js';
import type { View } from './redraw.js';

/** Cells of the grid, and of the digits' image (digitSpriteRule), per row. */
export const DIGIT_COLUMNS = 10;

/** Where square k of n stands, as a CSS background-position percentage. */
const position = (k: number, n: number) => (n > 1 ? (k / (n - 1)) * 100 : 0);

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

  /** The shown digits' labels, in the order of the digits' image: the same digits every run, so they stay after a reset. */
  setDigits(labels: readonly number[]): void {
    const rows = Math.ceil(labels.length / DIGIT_COLUMNS);
    this.cells = labels.map((label, i) => {
      const predicted = el('span', { class: 'digit-pred' });
      const style = `background-position: ${position(i % DIGIT_COLUMNS, DIGIT_COLUMNS)}% ${position(Math.floor(i / DIGIT_COLUMNS), rows)}%`;
      const cell = el('div', { class: 'digit-cell pending', 'data-label': label, title: `a ${label}`, style }, predicted);
      return { cell, predicted, label };
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
