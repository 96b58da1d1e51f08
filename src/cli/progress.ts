// Run progress on stderr: a live bar with ETA on a terminal; in logs (not a TTY), a plain line
// at most every `everyMs`, since a redrawn bar would fill a log file with control codes. Before
// the first counted step (bases being read, probe sets drawn, workers starting) and between
// stages, it says what the run is doing, so a run never sits silent.
import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

export interface Progress {
  /** What the run is doing while no step is counted. */
  stage(label: string): void;
  update(done: number, total: number, label: string): void;
  stop(): void;
}

/** `1h02m`, `3m05s`, `42s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * The time left, at the rate of the steps counted since the first one. The clock starts at the
 * first counted step, not at the start of the run: the silent start (reading bases, starting
 * workers, a first batch of teacher samples) is not a cost the remaining steps repeat. A new
 * stage restarts it, for the same reason and because its steps go at their own pace.
 */
export class StepClock {
  private first: { at: number; done: number } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Forget the steps so far: the next counted step starts the clock again. */
  restart(): void {
    this.first = null;
  }

  /** Seconds left after `done` of `total` steps; null until a step after the first is counted. */
  eta(done: number, total: number): number | null {
    const at = this.now();
    if (this.first === null) {
      this.first = { at, done };
      return null;
    }
    const steps = done - this.first.done;
    return steps > 0 ? ((at - this.first.at) / 1000 / steps) * Math.max(0, total - done) : null;
  }
}

const etaText = (seconds: number | null) => (seconds === null ? '–' : formatDuration(seconds));

/** Clears the terminal's current line (carriage return, erase line). */
const CLEAR_LINE = '\r\x1b[2K';

export function barProgress(stream: NodeJS.WritableStream, now: () => number = Date.now): Progress {
  const bar = new cliProgress.SingleBar(
    { stream, format: '{label} |{bar}| {percentage}% · {value}/{total} steps · ETA {timeLeft}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const clock = new StepClock(now);
  let started = false;
  let staged = false;
  let done = 0;
  return {
    stage(label) {
      clock.restart();
      if (started) bar.update(done, { label });
      else {
        stream.write(`${CLEAR_LINE}${label} …`);
        staged = true;
      }
    },
    update(d, total, label) {
      done = d;
      const eta = etaText(clock.eta(d, total));
      if (!started) {
        if (staged) stream.write(CLEAR_LINE);
        bar.start(total, d, { label, timeLeft: eta });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(d, { label, timeLeft: eta });
      }
    },
    stop() {
      if (started) bar.stop();
      else if (staged) stream.write(CLEAR_LINE);
    },
  };
}

export function lineProgress(err: (line: string) => void, everyMs = 10_000, now: () => number = Date.now): Progress {
  const clock = new StepClock(now);
  let last = now();
  let lastStage: string | null = null;
  return {
    stage(label) {
      // Stages are few and each can last a while: every one is printed at once.
      if (label === lastStage) return;
      lastStage = label;
      clock.restart();
      err(`progress: ${label}`);
    },
    update(done, total, label) {
      const eta = clock.eta(done, total);
      const t = now();
      if (t - last < everyMs) return;
      last = t;
      err(`progress: ${Math.floor((100 * done) / Math.max(total, 1))}% · ${done}/${total} steps · ${label}${eta === null ? '' : ` · ETA ${formatDuration(eta)}`}`);
    },
    stop() {},
  };
}

export function createProgress(io: CliIo): Progress {
  return io.tty ? barProgress(io.tty) : lineProgress(io.err);
}
