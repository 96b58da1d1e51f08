// The numbers world's panel: the switches, the run buttons, and the live views the worker's
// messages feed. The settings live in the URL hash; any change of them drops the current run
// (its curves would no longer match the switches) and the next Play starts the new experiment.
import type { FromWorker, LabStatus } from '../protocol.js';
import { captionText } from '../caption.js';
import type { LabConfig } from '../lab-config.js';
import { labExperiment, armName, importExperimentText } from '../numbers-config.js';
import { configFromHash, hashOf } from '../url-state.js';
import { AnswerBarsView } from './answer-bars.js';
import { BatchViewView } from './batch-view.js';
import { Controls } from './controls.js';
import { el } from './dom.js';
import { download, readExperimentFile } from './file-io.js';
import type { LabPanel, PostToWorker } from './panel.js';
import { MetricsLog } from './metrics-log.js';
import { Redraw } from './redraw.js';
import { RunButtons, type RunPhase } from './run-buttons.js';
import type { StatusLine } from './status-line.js';
import { TraitChart } from './trait-chart.js';
import { TraitSeries } from './trait-series.js';

const IDLE_LINE = 'ready: press Play to train, or Step for one step';

const PHASES: Record<LabStatus['phase'], RunPhase> = { loading: 'starting', preparing: 'starting', training: 'training', paused: 'paused', done: 'done' };

export class NumbersPanel implements LabPanel {
  readonly world = 'numbers';
  readonly element: HTMLElement;
  private readonly redraw = new Redraw();
  private readonly series = new TraitSeries();
  private readonly chart = new TraitChart(this.series);
  private readonly bars = new AnswerBarsView();
  private readonly batch = new BatchViewView();
  private readonly caption = el('p', { id: 'caption', class: 'caption' });
  private readonly notice = el('ul', { id: 'notice', class: 'notice', role: 'status' });
  private readonly importError = el('p', { id: 'import-error', class: 'import-error', role: 'alert' });
  private readonly log = new MetricsLog(() => `${labExperiment(this.config).name}-metrics.jsonl`);
  private readonly controls: Controls;
  private readonly buttons: RunButtons;
  private phase: RunPhase = 'idle';
  /** Nothing can start before the worker has its backend (its `ready` message). */
  private workerReady = false;
  /** Step was pressed before the run existed: step once the worker waits at step 0. */
  private stepWhenPaused = false;
  /** After a reset, messages the worker posted before it read the reset are dropped until the next run announces itself. */
  private stale = false;

  constructor(
    private readonly post: PostToWorker,
    private readonly status: StatusLine,
  ) {
    const { config, notices } = configFromHash(location.hash);
    this.controls = new Controls(config, (c) => this.settingsChanged(c, []), (line) => this.showNotices([line]));
    this.buttons = new RunButtons({
      play: () => this.play(),
      pause: () => this.post({ type: 'pause' }),
      step: () => this.step(),
      reset: () => this.reset(),
      exportFile: () => this.exportFile(),
      importFile: (file) => void this.importFile(file),
    });
    const side = el('div', { class: 'side' }, el('h2', {}, 'Switches'), this.controls.element, this.buttons.element, this.log.button, this.importError, this.notice);
    const views = el('div', { class: 'views' }, this.caption, this.chart.element, this.bars.element, this.batch.element);
    this.element = el('section', { id: 'numbers-panel', class: 'panel' }, side, views);
    this.settingsChanged(config, notices);
  }

  private get config(): LabConfig {
    return this.controls.config;
  }

  receive(m: FromWorker): void {
    if (m.type === 'ready') {
      this.workerReady = true;
      this.setPhase(this.phase);
      if (this.phase === 'idle') this.status.say(IDLE_LINE);
      return;
    }
    if (m.type === 'status') return this.statusChanged(m.status);
    if (m.type === 'error') {
      this.setPhase('failed');
      return this.status.error(m.message);
    }
    if (this.phase === 'idle' || this.stale) return;
    if (m.type === 'metrics') this.log.add(m.record);
    if (m.type === 'metrics' && this.series.add(m.record, armName(this.config))) this.redraw.request(this.chart);
    else if (m.type === 'answers') this.drawBars(m.bars);
    else if (m.type === 'batch') {
      this.batch.show(m.batch);
      this.redraw.request(this.batch);
    } else if (m.type === 'done') this.setPhase('done');
  }

  private statusChanged(s: LabStatus): void {
    if (this.phase === 'idle') return;
    // The first status of a new run: loading, or (with everything at hand) waiting at step 0.
    if (this.stale && (s.phase === 'loading' || s.phase === 'preparing' || s.step === 0)) this.stale = false;
    if (this.stale) return;
    this.status.status(s);
    this.setPhase(PHASES[s.phase]);
    if (s.phase === 'paused' && this.stepWhenPaused) {
      this.stepWhenPaused = false;
      this.post({ type: 'step' });
    }
  }

  private setPhase(phase: RunPhase): void {
    this.phase = phase;
    this.buttons.show(phase, this.workerReady);
  }

  private start(play: boolean): void {
    this.log.clear();
    this.post({ type: 'start', world: 'numbers', experiment: labExperiment(this.config), play });
    this.setPhase('starting');
  }

  private play(): void {
    if (this.phase === 'paused') this.post({ type: 'play' });
    else this.start(true);
  }

  private step(): void {
    if (this.phase === 'paused') return this.post({ type: 'step' });
    this.stepWhenPaused = true;
    this.start(false);
  }

  /** Drops the run and its views; the settings stay. */
  private reset(): void {
    if (this.phase !== 'idle') {
      this.post({ type: 'reset' });
      this.stale = true;
    }
    this.stepWhenPaused = false;
    this.setPhase('idle');
    this.series.clear();
    this.log.clear();
    this.chart.setFrame({ steps: this.config.steps, seeds: this.config.seeds, target: this.config.target });
    this.drawBars(undefined);
    this.batch.show(undefined);
    this.redraw.request(this.chart);
    this.redraw.request(this.batch);
    if (this.workerReady) this.status.say(IDLE_LINE);
  }

  private drawBars(bars: Parameters<AnswerBarsView['show']>[0]): void {
    this.bars.show(bars, this.config.target);
    this.redraw.request(this.bars);
  }

  /** New settings (from the form, a link or a file): into the URL and the caption, and the run starts over. */
  private settingsChanged(config: LabConfig, notices: string[]): void {
    history.replaceState(null, '', `#${hashOf(config)}`);
    this.caption.textContent = captionText(config);
    this.showNotices(notices);
    this.reset();
  }

  private showNotices(lines: string[]): void {
    this.notice.replaceChildren(...lines.map((line) => el('li', {}, line)));
    this.notice.hidden = lines.length === 0;
  }

  private exportFile(): void {
    const exp = labExperiment(this.config);
    download(`${exp.name}.json`, `${JSON.stringify(exp, null, 2)}\n`);
  }

  /** Reads and checks the file; on any problem, one line in #import-error and nothing else changes. */
  private async importFile(file: File): Promise<void> {
    let imported: ReturnType<typeof importExperimentText>;
    try {
      const text = await readExperimentFile(file);
      // Loaded on first import: the recipe registries it checks names against bring tfjs along.
      const { checkNumbersExperiment } = await import('../../worlds/numbers/check.js');
      imported = importExperimentText(file.name, text, checkNumbersExperiment, this.config);
    } catch (e) {
      this.importError.textContent = (e as Error).message;
      this.importError.hidden = false;
      return;
    }
    this.importError.hidden = true;
    this.controls.set(imported.config);
    this.settingsChanged(imported.config, imported.notices);
  }
}
