// Installs a packed traitlab tarball into an empty folder the way the registry would, but
// without the network. From the registry, npm honours the package's npm-shrinkwrap.json and puts
// exactly those versions under node_modules/traitlab/node_modules; from a local tarball it would
// instead resolve every range anew, which needs registry metadata the cache may not hold. So the
// folder gets a lockfile that says what the registry install would: traitlab from the tarball and
// the shrinkwrap's non-dev packages nested under it, installed by `npm ci` from npm's cache.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

interface LockEntry {
  version?: string;
  dev?: boolean;
  [key: string]: unknown;
}

export const run = promisify(execFile);

/** The environment for npm run inside a test: without the npm_* settings of the `npm test` around it. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

export async function installTarball(tarball: string, shrinkwrapFile: string, dir: string): Promise<{ stdout: string; stderr: string }> {
  const shrinkwrap = JSON.parse(readFileSync(shrinkwrapFile, 'utf8')) as { packages: Record<string, LockEntry> };
  const root = shrinkwrap.packages['']!;
  const spec = `file:${basename(tarball)}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'traitlab-user', dependencies: { traitlab: spec } },
    'node_modules/traitlab': {
      version: root.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dependencies: root.dependencies,
      optionalDependencies: root.optionalDependencies,
      bin: root.bin,
      engines: root.engines,
    },
  };
  for (const [path, entry] of Object.entries(shrinkwrap.packages)) if (path !== '' && !entry.dev) packages[`node_modules/traitlab/${path}`] = entry;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'traitlab-user', private: true, dependencies: { traitlab: spec } }, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'traitlab-user', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  // --omit=optional: tfjs-node's install downloads libtensorflow, which is network, not cache;
  // without it the backend is wasm, as on any machine where that download fails.
  return run('npm', ['ci', '--prefer-offline', '--omit=optional', '--no-audit', '--no-fund'], { cwd: dir, env: cleanEnv(), maxBuffer: 1 << 24 });
}
