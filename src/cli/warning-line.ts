// A run's warning on stderr, as one line. On a terminal the progress bar is the current line:
// clear it first (the bar draws itself again at the next step), or the warning would be glued
// to its end.
import type { CliIo } from './io.js';

export function printWarning(io: CliIo, message: string): void {
  io.err(`${io.tty ? '\r\x1b[K' : ''}traitlab: warning: ${message}`);
}
