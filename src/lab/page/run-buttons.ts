// Play, Pause, Step, Reset, Export and Import. Which of them can be pressed follows the run's
// phase, so a click always means something the worker can do now.
import { el } from './dom.js';

/** The run as the page sees it: none yet, being loaded, training, paused, finished, or failed. */
export type RunPhase = 'idle' | 'starting' | 'training' | 'paused' | 'done' | 'failed';

export interface RunActions {
  play(): void;
  pause(): void;
  step(): void;
  reset(): void;
  exportFile(): void;
  importFile(file: File): void;
}

export class RunButtons {
  readonly element: HTMLElement;
  private readonly play = el('button', { id: 'play', type: 'button' }, 'Play');
  private readonly pause = el('button', { id: 'pause', type: 'button' }, 'Pause');
  private readonly step = el('button', { id: 'step', type: 'button' }, 'Step');
  private readonly reset = el('button', { id: 'reset', type: 'button' }, 'Reset');
  private readonly exportButton = el('button', { id: 'export', type: 'button', title: 'download this experiment as a file for traitlab run' }, 'Export');
  private readonly file = el('input', { id: 'import', type: 'file', accept: '.json,application/json' });

  constructor(actions: RunActions) {
    this.play.addEventListener('click', () => actions.play());
    this.pause.addEventListener('click', () => actions.pause());
    this.step.addEventListener('click', () => actions.step());
    this.reset.addEventListener('click', () => actions.reset());
    this.exportButton.addEventListener('click', () => actions.exportFile());
    this.file.addEventListener('change', () => {
      const chosen = this.file.files?.[0];
      // Cleared, so that choosing the same file again is a change too.
      this.file.value = '';
      if (chosen) actions.importFile(chosen);
    });
    const importLabel = el('label', { class: 'button', for: 'import', title: 'load an experiment file (one arm of it)' }, 'Import', this.file);
    this.element = el('div', { class: 'run-buttons' }, this.play, this.pause, this.step, this.reset, this.exportButton, importLabel);
    this.show('idle', false);
  }

  /** `ready`: the worker has its backend; before that no run can start. */
  show(phase: RunPhase, ready: boolean): void {
    const canStart = ready && (phase === 'idle' || phase === 'paused');
    this.play.disabled = !canStart;
    this.step.disabled = !canStart;
    this.pause.disabled = phase !== 'training' && phase !== 'starting';
    this.reset.disabled = phase === 'idle';
  }
}
