// Whether a path the user gave is a finished run directory, before any of its files is read:
// `show`, `verify` and `merge` name the same problems (missing, still `.partial`, not a
// directory) with the same advice, each in its own words for what it does with the run.
import { existsSync, statSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';

export interface FinishedDirWords {
  /** What the command does with the run: `show`, `use`. */
  verb: string;
  /** The files a run directory holds that the command reads, e.g. `summary.json`. */
  holds: string;
}

/** Throws a ConfigError naming `given` (as the user typed it) when `dir` is not a finished run directory. */
export function checkFinishedDir(given: string, dir: string, words: FinishedDirWords): void {
  if (!existsSync(dir)) {
    if (existsSync(`${dir}.partial`)) throw new ConfigError(given, `not finished: ${given}.partial is still being written (or its run was killed); ${words.verb} it when the run has ended`);
    throw new ConfigError(given, 'not found; give a run directory (e.g. runs/<experiment>-<time>-<hash>)');
  }
  if (!statSync(dir).isDirectory()) throw new ConfigError(given, `is not a directory; give the run directory that holds ${words.holds}`);
  if (dir.endsWith('.partial')) throw new ConfigError(given, `is an unfinished run (still running, or killed); ${words.verb} it when the run has ended, or remove it if the run was killed`);
}
