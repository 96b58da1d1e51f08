// A panel's run as the page sees it, whatever the world: the run buttons, the phase they follow,
// and the worker's run messages. Play starts a run (or resumes a paused one), Step starts one
// paused and steps it once it waits at step 0, Reset drops it; the panel says what a start is
// and clears its views. Messages the worker posted for a dropped run, before it read the reset,
// are told apart by the run number each carries, and ignored.
import type { FromWorker, LabStatus, RunStart } from '../protocol.js';
import type { PostToWorker } from './panel.js';
import { RunButtons, type RunPhase } from './run-buttons.js';
import type { StatusLine } from './status-line.js';

const IDLE_LINE = 'ready: press Play to train, or Step for one step';

const PHASES: Record<LabStatus['phase'], RunPhase> = { loading: 'starting', preparing: 'starting', training: 'training', paused: 'paused', done: 'done' };

export interface SessionHooks {
  /** The start message of a run of the current settings. */
  start(play: boolean): RunStart;
  /** The run is gone: the views show none. */
  cleared(): void;
  exportFile(): void;
  importFile(file: File): void;
}

/** Run numbers, unique across the panels (they share one worker). */
let nextRun = 1;

export class RunSession {
  readonly buttons: RunButtons;
  private phase: RunPhase = 'idle';
  /** Nothing can start before the worker has its backend (its `ready` message). */
  private workerReady = false;
  /** Step was pressed before the run existed: step once the worker waits at step 0. */
  private stepWhenPaused = false;
  /** The number of this session's live run (0: none); messages of any other run are dropped. */
  private run = 0;

  constructor(
    private readonly post: PostToWorker,
    private readonly status: StatusLine,
    private readonly hooks: SessionHooks,
  ) {
    this.buttons = new RunButtons({
      play: () => this.play(),
      pause: () => this.post({ type: 'pause' }),
      step: () => this.step(),
      reset: () => this.reset(),
      exportFile: () => hooks.exportFile(),
      importFile: (file) => hooks.importFile(file),
    });
  }

  /** True when `m` is data of the live run, for the panel's views; the session handles the rest. */
  receive(m: FromWorker): boolean {
    if (m.type === 'ready') {
      this.workerReady = true;
      this.setPhase(this.phase);
      if (this.phase === 'idle') this.status.say(IDLE_LINE);
      return false;
    }
    if (m.run !== undefined && m.run !== this.run) return false;
    if (m.type === 'status') {
      this.statusChanged(m.status);
      return false;
    }
    if (m.type === 'error') {
      this.setPhase('failed');
      this.status.error(m.message);
      return false;
    }
    if (this.phase === 'idle') return false;
    if (m.type === 'done') {
      this.setPhase('done');
      return false;
    }
    return true;
  }

  private statusChanged(s: LabStatus): void {
    if (this.phase === 'idle') return;
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
    this.run = nextRun++;
    this.post({ type: 'start', run: this.run, ...this.hooks.start(play) });
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

  /** Drops the run (`always`: tell the worker even when this panel has none, as on leaving the panel) and clears the views; the settings stay. */
  reset(always = false): void {
    if (always || this.phase !== 'idle') {
      this.post({ type: 'reset' });
      this.run = 0;
    }
    this.stepWhenPaused = false;
    this.setPhase('idle');
    this.hooks.cleared();
    if (this.workerReady) this.status.say(IDLE_LINE);
  }
}
