// Run progress on stderr: a live bar with ETA on a terminal; in logs (not a TTY), a plain line
// at most every `everyMs`, since a redrawn bar would fill a log file with control codes.
import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

export interface Progress {
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

function barProgress(stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    { stream, format: '{label} |{bar}| {percentage}% · {value}/{total} steps · ETA {eta_formatted}', hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label) {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { label });
      }
    },
    stop: () => started && bar.stop(),
  };
}

export function lineProgress(err: (line: string) => void, everyMs = 10_000, now: () => number = Date.now): Progress {
  const start = now();
  let last = start;
  return {
    update(done, total, label) {
      const t = now();
      if (t - last < everyMs) return;
      last = t;
      const eta = done > 0 ? ` · ETA ${formatDuration(((t - start) / 1000 / done) * (total - done))}` : '';
      err(`progress: ${Math.floor((100 * done) / Math.max(total, 1))}% · ${done}/${total} steps · ${label}${eta}`);
    },
    stop() {},
  };
}

export function createProgress(io: CliIo): Progress {
  return io.tty ? barProgress(io.tty) : lineProgress(io.err);
}
