// The MNIST world's images on a canvas: a few of the uniform-noise images the students are
// distilled on (#mnist-noise), and the shown test digits as one sprite for the grids. The worker
// sends pixels in [−1, 1], 784 to an image (28 × 28, row-major); a canvas holds them at their own
// size and CSS scales them up with square pixels.
import { el } from './dom.js';
import type { View } from './redraw.js';

const SIDE = 28;
const GAP = 4;

/** Paints one image at (`left`, `top`): noise as grey levels, a digit as dark ink on a clear ground (the cell's colour shows through). */
function paintImage(ctx: CanvasRenderingContext2D, pixels: readonly number[], left: number, as: 'grey' | 'ink', top = 0): void {
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const level = Math.round((((pixels[i] ?? -1) + 1) / 2) * 255);
    const o = 4 * i;
    if (as === 'grey') image.data.set([level, level, level, 255], o);
    else image.data.set([20, 24, 32, level], o);
  }
  ctx.putImageData(image, left, top);
}

/**
 * The digits as dark ink on a clear ground, `columns` to a row, drawn once into one image, as a
 * style rule that gives it to every `.digit-cell` scaled so that each shows one square (its own,
 * by its background-position). A rule, not an inline style or a custom property: those make the
 * browser parse the image's 70 kB data: URL once per cell, a quarter of a second of the page's
 * main thread.
 */
export function digitSpriteRule(digits: readonly (readonly number[])[], columns: number): string {
  const rows = Math.max(1, Math.ceil(digits.length / columns));
  const canvas = el('canvas', { width: columns * SIDE, height: rows * SIDE });
  const ctx = canvas.getContext('2d');
  if (ctx) digits.forEach((pixels, i) => paintImage(ctx, pixels, (i % columns) * SIDE, 'ink', Math.floor(i / columns) * SIDE));
  return `.digit-cell { background-image: url(${canvas.toDataURL('image/png')}); background-size: ${columns * 100}% ${rows * 100}%; }`;
}

export class NoiseView implements View {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { id: 'mnist-noise', class: 'mnist-noise', height: SIDE, width: SIDE, role: 'img', 'aria-label': 'uniform-noise images the students are distilled on' });
  private readonly note = el('figcaption');
  private images: number[][] = [];
  private total = 0;

  constructor() {
    this.element = el('figure', { class: 'noise' }, this.canvas, this.note);
  }

  /** `images`: a few of the noise set (none before the worker sends them); `total`: the set's size. */
  show(images: number[][] | undefined, total: number): void {
    if (images) this.images = images;
    this.total = total;
  }

  draw(): void {
    const n = this.images.length;
    this.canvas.width = Math.max(1, n * SIDE + (n - 1) * GAP);
    const ctx = this.canvas.getContext('2d');
    if (ctx) this.images.forEach((pixels, i) => paintImage(ctx, pixels, i * (SIDE + GAP), 'grey'));
    const size = this.total.toLocaleString('en');
    this.note.textContent =
      n === 0
        ? `The students train on ${size} images of uniform noise; a few of them appear here once the run has made them.`
        : `${n} of the ${size} noise images the students train on: every pixel uniform in [−1, 1], no digit anywhere.`;
  }
}
