// What every world's panel does the same way: the settings form, the run buttons and the side
// column; the settings in the URL hash and the caption; a settings change, a file or leaving
// the panel drops the run; Export writes the experiment of the current settings, Metrics the
// run's metrics.jsonl; Import takes a file of this world. A world's panel (numbers-panel.ts, mnist-panel.ts) adds its views: how
// they clear, and how they draw the live run's messages.
import type { LabWorld } from '../experiment-json.js';
import type { Settings } from '../hash-settings.js';
import type { FromWorker, RunStart } from '../protocol.js';
import { el } from './dom.js';
import { download } from './file-io.js';
import type { LabImport } from './import-file.js';
import { MetricsLog } from './metrics-log.js';
import type { LabPanel, PanelContext } from './panel.js';
import { PanelSide } from './panel-side.js';
import { Redraw } from './redraw.js';
import { RunSession } from './run-session.js';
import { SettingsForm, type FormSpec } from './settings-form.js';

export interface WorldSpec<K extends string, C extends Settings<K>> {
  world: LabWorld;
  form: FormSpec<K, C>;
  /** The worker's start message for a run of `config`. */
  start(config: C, play: boolean): RunStart;
  hash(config: C): string;
  caption(config: C): string;
  /** The id of the caption element. */
  captionId: string;
  /** An imported file's settings, with its notices; undefined when the file is another world's. */
  fromImport(result: LabImport, current: C): { config: C; notices: readonly string[] } | undefined;
}

export abstract class WorldPanel<K extends string, C extends Settings<K>> implements LabPanel {
  abstract readonly element: HTMLElement;
  readonly world: LabWorld;
  protected readonly redraw = new Redraw();
  protected readonly caption: HTMLElement;
  private readonly form: SettingsForm<K, C>;
  private readonly session: RunSession;
  private readonly side: PanelSide;
  private readonly log: MetricsLog = new MetricsLog(() => `${this.experiment.name}-metrics.jsonl`);

  constructor(
    ctx: PanelContext,
    private readonly spec: WorldSpec<K, C>,
    config: C,
  ) {
    this.world = spec.world;
    this.caption = el('p', { id: spec.captionId, class: 'caption' });
    this.form = new SettingsForm(spec.form, config, (c) => this.settingsChanged(c, []), (line) => this.side.showNotices([line]));
    // The hooks run only after construction (on activate and on the user's presses), when the subclass's views exist.
    this.session = new RunSession(ctx.post, ctx.status, {
      start: (play) => {
        this.log.clear();
        return spec.start(this.config, play);
      },
      cleared: () => {
        this.log.clear();
        this.clearViews();
      },
      exportFile: () => this.exportFile(),
      importFile: (file) => void this.side.importFile(file, ctx.imported),
    });
    this.side = new PanelSide(this.form.element, this.session.buttons.element, this.log.button);
  }

  protected get config(): C {
    return this.form.config;
  }

  /** The experiment of the current settings: what a run starts, Export writes and Metrics is named by. */
  private get experiment(): RunStart['experiment'] {
    return this.spec.start(this.config, false).experiment;
  }

  /** The panel's section, `#<id>`: the side column beside the views (the caption first). */
  protected frame(id: string, views: readonly HTMLElement[]): HTMLElement {
    return el('section', { id, class: 'panel' }, this.side.element, el('div', { class: 'views' }, this.caption, ...views));
  }

  /** The views without a run; the settings stay. */
  protected abstract clearViews(): void;

  /** A message of the live run (metrics and the world's own views) for the views to draw. */
  protected abstract draw(m: FromWorker): void;

  activate(notices: readonly string[]): void {
    this.settingsChanged(this.config, notices);
  }

  deactivate(): void {
    this.session.reset(true);
  }

  receive(m: FromWorker): void {
    if (!this.session.receive(m)) return;
    if (m.type === 'metrics') this.log.add(m.record);
    this.draw(m);
  }

  applyImport(result: LabImport): void {
    const imported = this.spec.fromImport(result, this.config);
    if (!imported) return;
    this.form.set(imported.config);
    this.settingsChanged(imported.config, imported.notices);
  }

  /** New settings (from the form, a link or a file): into the URL and the caption, and the run starts over. */
  private settingsChanged(config: C, notices: readonly string[]): void {
    history.replaceState(null, '', `#${this.spec.hash(config)}`);
    this.caption.textContent = this.spec.caption(config);
    this.side.showNotices(notices);
    this.session.reset();
  }

  private exportFile(): void {
    const exp = this.experiment;
    download(`${exp.name}.json`, `${JSON.stringify(exp, null, 2)}\n`);
  }
}
