// The traitlab package root (where package.json, experiments/ and node_modules are), found
// from this file's location so it works from src/ (vitest) and from dist/src/ (the built bin)
// and wherever the package is installed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

function isTraitlabRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'traitlab';
  } catch {
    return false;
  }
}

export function packageRoot(): string {
  if (root) return root;
  // Walk up rather than count levels: src/cli is 2 below the root, dist/src/cli is 3.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isTraitlabRoot(dir)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the traitlab package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return (root = dir);
}

export function packageVersionOfTraitlab(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
