// The MNIST world's images on a canvas: a few of the uniform-noise images the students are
// distilled on (#mnist-noise), and the pixels of one shown test digit in a grid cell. The worker
// sends pixels in [−1, 1], 784 to an image (28 × 28, row-major); a canvas holds them at their own
// size and CSS scales it up with square pixels.
import { el } from './dom.js';
import type { View } from './redraw.js';

export const SIDE = 28;
const GAP = 4;

/** Paints one image at x = `left`: noise as grey levels, a digit as dark ink on a clear ground (the cell's colour shows through). */
export function paintImage(ctx: CanvasRenderingContext2D, pixels: readonly number[], left: number, as: 'grey' | 'ink'): void {
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const level = Math.round((((pixels[i] ?? -1) + 1) / 2) * 255);
    const o = 4 * i;
    if (as === 'grey') image.data.set([level, level, level, 255], o);
    else image.data.set([20, 24, 32, level], o);
  }
  ctx.putImageData(image, left, 0);
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
