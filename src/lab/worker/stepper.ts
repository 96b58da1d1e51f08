// Drives a run one optimizer step at a time so the worker stays responsive: between steps it
// yields to the event loop, where play, pause, step and reset messages arrive. (A worker busy in
// a synchronous loop never reads its messages, so the training loops are generators the
// stepper pulls from: distill/channel.ts.)

export type Mode = 'play' | 'pause' | 'step';

/** A macrotask without setTimeout's 4 ms clamp on nested timers. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class Stepper {
  private mode: Mode;
  private wake: (() => void) | null = null;
  private stopped = false;

  constructor(play: boolean) {
    this.mode = play ? 'play' : 'pause';
  }

  set(mode: Mode): void {
    this.mode = mode;
    this.wake?.();
  }

  /** Ends the run at the next step boundary. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Pulls `steps` until it is done (its return value) or the run is stopped (undefined).
   * `onPause` is told when a pause starts; `onStepDone` after every step.
   */
  async run<R>(steps: Generator<number, R>, onPause: () => void, onStepDone: (step: number) => void): Promise<R | undefined> {
    try {
      for (;;) {
        while (this.mode === 'pause' && !this.stopped) {
          onPause();
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = null;
        }
        if (this.stopped) return undefined;
        const next = steps.next();
        if (next.done) return next.value;
        if (this.mode === 'step') this.mode = 'pause';
        onStepDone(next.value);
        await yieldToEvents();
      }
    } finally {
      // An abandoned run frees its models and optimizer (the generators' finally blocks).
      steps.return(undefined as R);
    }
  }
}
