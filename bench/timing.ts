// Timing for the bench: warm-up, then timed steps round-robin across the things compared, medians.

export interface Reps {
  warmup: number;
  timed: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One thing to time: `step` runs one optimizer step; `sync` reads a small tensor so the
 * backend has finished before the clock is read. */
export interface Stepper {
  reps: Reps;
  step(): void;
  sync(): void;
  dispose(): void;
}

/**
 * Median ms per step of each stepper. After every stepper's warm-up, timed steps go round-robin
 * (one step of each in turn), so a change in machine load during the run falls on all of them
 * alike and their ratios stay fair.
 */
export function timeInterleaved(steppers: Stepper[]): number[] {
  for (const s of steppers) {
    for (let i = 0; i < s.reps.warmup; i++) s.step();
    s.sync();
  }
  const times = steppers.map(() => [] as number[]);
  const rounds = Math.max(...steppers.map((s) => s.reps.timed));
  for (let r = 0; r < rounds; r++)
    steppers.forEach((s, i) => {
      if (r >= s.reps.timed) return;
      const t0 = performance.now();
      s.step();
      s.sync();
      times[i]!.push(performance.now() - t0);
    });
  return times.map(median);
}

