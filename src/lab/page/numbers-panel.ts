// The numbers world's panel: the switches and run buttons (world-panel.ts), and the live views
// the worker's messages feed: the trait chart, the answer bars, the batch being trained on.
import type { FromWorker } from '../protocol.js';
import { captionText } from '../caption.js';
import type { LabConfig, LabKey } from '../lab-config.js';
import { labExperiment, armName, configOf } from '../numbers-config.js';
import { hashOf } from '../url-state.js';
import { AnswerBarsView } from './answer-bars.js';
import { BatchViewView } from './batch-view.js';
import { NUMBERS_FORM } from './controls.js';
import type { PanelContext } from './panel.js';
import { TraitChart } from './trait-chart.js';
import { TraitSeries } from './trait-series.js';
import { WorldPanel, type WorldSpec } from './world-panel.js';

const NUMBERS: WorldSpec<LabKey, LabConfig> = {
  world: 'numbers',
  form: NUMBERS_FORM,
  start: (config, play) => ({ world: 'numbers', experiment: labExperiment(config), play }),
  hash: hashOf,
  caption: captionText,
  captionId: 'caption',
  // λ and β of a channel without them keep the sliders' places.
  fromImport: (result, current) => (result.world === 'numbers' ? configOf(result.experiment, current) : undefined),
};

export class NumbersPanel extends WorldPanel<LabKey, LabConfig> {
  readonly element: HTMLElement;
  private readonly series = new TraitSeries();
  private readonly chart = new TraitChart(this.series);
  private readonly bars = new AnswerBarsView();
  private readonly batch = new BatchViewView();

  constructor(ctx: PanelContext, config: LabConfig) {
    super(ctx, NUMBERS, config);
    this.element = this.frame('numbers-panel', [this.chart.element, this.bars.element, this.batch.element]);
  }

  protected draw(m: FromWorker): void {
    if (m.type === 'metrics' && this.series.add(m.record, armName(this.config))) this.redraw.request(this.chart);
    else if (m.type === 'answers') this.drawBars(m.bars);
    else if (m.type === 'batch') {
      this.batch.show(m.batch);
      this.redraw.request(this.batch);
    }
  }

  protected clearViews(): void {
    this.series.clear();
    this.chart.setFrame({ steps: this.config.steps, seeds: this.config.seeds, target: this.config.target });
    this.drawBars(undefined);
    this.batch.show(undefined);
    this.redraw.request(this.chart);
    this.redraw.request(this.batch);
  }

  private drawBars(bars: Parameters<AnswerBarsView['show']>[0]): void {
    this.bars.show(bars, this.config.target);
    this.redraw.request(this.bars);
  }
}
