// Where the CLI writes and which directory it works in. Commands get this instead of touching
// process streams, so tests run `main` in-process and read exactly what a user would see.
export interface CliIo {
  /** One line (or block) for stdout; the newline is added. */
  out(text: string): void;
  /** One line (or block) for stderr; the newline is added. */
  err(text: string): void;
  /** A TTY stream for the live progress bar; undefined means plain progress lines on `err`. */
  tty: NodeJS.WriteStream | undefined;
  /** Directory that relative paths (the experiment file, --out, runs/) resolve against. */
  cwd: string;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    tty: process.stderr.isTTY ? process.stderr : undefined,
    cwd: process.cwd(),
  };
}
