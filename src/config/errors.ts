// One error type for bad input, whatever the source (schema, registry look-up, file I/O).
// Its message is one line: `<path>: <what is wrong>; <how to fix it>`.

export class ConfigError extends Error {
  constructor(
    /** Dotted path of the offending field (`arms[2].logits`), or the file for file-level errors. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** `arms[2].logits` from a zod-style path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}
