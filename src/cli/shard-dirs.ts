// What `traitlab merge` is given, as the list of shard directories it joins: directories as
// they are; a pattern with * or ? in its last part (quoted, so the shell leaves it) as the
// directories it matches; a folder that is not itself a run or sweep directory as its
// subdirectories that are (a job array's output folder). Sorted, so the order of a folder's
// listing never matters (merge takes shards in any order anyway).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';

const isRunOrSweepDir = (dir: string) => existsSync(join(dir, 'manifest.json'));

function matching(pattern: string, cwd: string): string[] {
  const folder = dirname(pattern);
  const name = basename(pattern);
  if (/[*?]/.test(folder)) throw new ConfigError(pattern, 'has * or ? before its last part; a pattern may match only the last part, e.g. "runs/owl-shard*"');
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const abs = resolve(cwd, folder);
  const names = existsSync(abs) ? readdirSync(abs).filter((n) => re.test(n) && statSync(join(abs, n)).isDirectory()) : [];
  if (names.length === 0) throw new ConfigError(pattern, 'matches no directory; give the shards\' run directories or a pattern that names them');
  return names.sort().map((n) => join(folder, n));
}

export function expandShardDirs(given: readonly string[], cwd: string): string[] {
  return given.flatMap((g) => {
    if (/[*?]/.test(g)) return matching(g, cwd);
    const abs = resolve(cwd, g);
    if (!existsSync(abs) || !statSync(abs).isDirectory() || isRunOrSweepDir(abs)) return [g];
    const inside = readdirSync(abs)
      .filter((n) => isRunOrSweepDir(join(abs, n)))
      .sort();
    if (inside.length === 0) throw new ConfigError(g, 'is neither a run directory nor a folder of them (no manifest.json in it or in its subdirectories); give the shards\' run directories');
    return inside.map((n) => join(g, n));
  });
}
