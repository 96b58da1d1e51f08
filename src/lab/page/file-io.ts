// Files in and out of the page: Export downloads a text file, Import reads the one chosen,
// refusing one larger than `traitlab run` takes before reading it.
import { ConfigError } from '../../config/errors.js';
import { LIMITS, megabytes } from '../../config/limits.js';

export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  // The click has started the download by the time the next task runs.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The file's text, or a ConfigError naming it when it is too large to be an experiment. */
export async function readExperimentFile(file: File): Promise<string> {
  if (file.size > LIMITS.fileBytes)
    throw new ConfigError(file.name, `the file is ${megabytes(file.size)}, more than the ${megabytes(LIMITS.fileBytes)} an experiment file may be; an experiment is settings (a few kB)`);
  return file.text();
}
