import { isAbsolute, relative } from 'node:path';

/** A path as the user would type it from `cwd`: relative when inside it, else absolute. */
export function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
