// How a run is asked to stop: the contract between the signal handlers (interrupt.ts), the
// run (execute-run.ts) and its checkpointing (checkpointing.ts), in a file of its own so none
// of them imports another for it.
import type { StopFlag } from '../engine/stop.js';

/** How a run is asked to stop (src/cli/interrupt.ts). */
export interface RunStop {
  flag: StopFlag;
  /** The arm stage starts: from now on a stop is saved as a checkpoint. */
  listen(): void;
  /** What asked for the stop ('SIGINT', 'SIGTERM'). */
  reason(): string;
}
