// The MNIST world's panel ("MNIST, live"): the switches and run buttons (world-panel.ts), and the
// live views the worker's messages feed: the accuracy chart of the two students (with the
// teacher and chance), one grid of held-out digits per student coloured by its latest
// predictions, and a few of the noise images they train on.
import { stepsFor } from '../../engine/batches.js';
import { mnistCaptionText } from '../mnist-caption.js';
import { labMnistExperiment, MNIST_ARMS, MNIST_FILE, type MnistConfig, type MnistKey } from '../mnist-config.js';
import type { FromWorker } from '../protocol.js';
import { mnistHashOf } from '../url-state.js';
import { AccuracyChart } from './accuracy-chart.js';
import { AccuracySeries } from './accuracy-series.js';
import { DIGIT_COLUMNS, DigitGrid } from './digit-grid.js';
import { el } from './dom.js';
import { MNIST_FORM } from './mnist-controls.js';
import { digitSpriteRule, NoiseView } from './mnist-images.js';
import type { PanelContext } from './panel.js';
import { WorldPanel, type WorldSpec } from './world-panel.js';

const MNIST: WorldSpec<MnistKey, MnistConfig> = {
  world: 'mnist',
  form: MNIST_FORM,
  start: (config, play) => ({ world: 'mnist', experiment: labMnistExperiment(config), play }),
  hash: mnistHashOf,
  caption: mnistCaptionText,
  captionId: 'mnist-caption',
  fromImport: (result) => (result.world === 'mnist' ? result.imported : undefined),
};

export class MnistPanel extends WorldPanel<MnistKey, MnistConfig> {
  readonly element: HTMLElement;
  private readonly series = new AccuracySeries([MNIST_ARMS.sameInit, MNIST_ARMS.crossInit]);
  private readonly chart = new AccuracyChart(this.series);
  private readonly noise = new NoiseView();
  /** One grid per student arm, by the arm's name (the predictions' `arm`). */
  private readonly grids = new Map<string, DigitGrid>([
    [MNIST_ARMS.sameInit, new DigitGrid('same-init')],
    [MNIST_ARMS.crossInit, new DigitGrid('cross-init')],
  ]);

  /** The shown digits' image, for every grid cell (digitSpriteRule). */
  private readonly digitImages = el('style');

  constructor(ctx: PanelContext, config: MnistConfig) {
    super(ctx, MNIST, config);
    const grids = el('div', { class: 'digit-pair' }, this.digitImages, ...[...this.grids.values()].map((g) => g.element));
    this.element = this.frame('mnist-panel', [this.chart.element, grids, this.noise.element]);
  }

  protected draw(m: FromWorker): void {
    if (m.type === 'metrics' && this.series.add(m.record)) this.redraw.request(this.chart);
    else if (m.type === 'mnist-images') {
      this.noise.show(m.noise, this.config.noiseImages);
      this.redraw.request(this.noise);
      this.digitImages.textContent = digitSpriteRule(m.digits, DIGIT_COLUMNS);
      for (const grid of this.grids.values()) {
        grid.setDigits(m.labels);
        this.redraw.request(grid);
      }
    } else if (m.type === 'predictions') {
      const grid = this.grids.get(m.predictions.arm);
      grid?.show(m.predictions);
      if (grid) this.redraw.request(grid);
    }
  }

  /** The settings stay, and so do the images: the same digits and noise every run (the root seed is fixed). */
  protected clearViews(): void {
    const c = this.config;
    this.series.clear();
    this.chart.setFrame({ steps: stepsFor(c.noiseImages, MNIST_FILE.distill.batchSize, c.distillEpochs), seeds: c.seeds });
    this.noise.show(undefined, c.noiseImages);
    this.redraw.request(this.chart);
    this.redraw.request(this.noise);
    for (const grid of this.grids.values()) {
      grid.show(undefined);
      this.redraw.request(grid);
    }
  }
}
