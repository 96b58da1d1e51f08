// Stopping a long run at a step boundary. A stop is requested through a flag on shared memory,
// so loops read it with one atomic load per step, on this thread or on worker threads (a busy
// worker never reads its message queue, so a postMessage would arrive only after the arm). A
// loop that sees it throws Interrupted carrying everything needed to continue exactly.

/** A stop request shared by every thread of a run. */
export class StopFlag {
  private readonly cell: Int32Array;

  /** `buffer`: another thread's flag (from `flag.buffer`); omitted: a new, unset flag. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cell = new Int32Array(buffer);
  }

  request(): void {
    Atomics.store(this.cell, 0, 1);
  }

  get requested(): boolean {
    return Atomics.load(this.cell, 0) !== 0;
  }
}

/** Thrown by a loop that stopped on request: `state` continues it where it stopped. */
export class Interrupted<S = unknown> extends Error {
  constructor(readonly state: S) {
    super('stopped on request');
    this.name = 'Interrupted';
  }
}
