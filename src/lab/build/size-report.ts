// A Vite plugin that prints, after the build is written, what the lab ships (build/sizes.ts).
// It reads the output folder rather than Vite's bundle object: the worker is a sub-build whose
// chunks and assets reach the folder by another path, and the folder is what a host serves.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { shippedSizes, sizeLines, type ShippedFile } from './sizes.js';

function filesUnder(root: string, dir = root): ShippedFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(root, path);
    return [{ path: relative(root, path).split(sep).join('/'), bytes: statSync(path).size }];
  });
}

export function sizeReport(): Plugin {
  let outDir = '';
  return {
    name: 'traitlab-lab-size-report',
    apply: 'build',
    // The folder actually written (`--outDir` overrides the config's).
    configResolved(config) {
      outDir = config.build.outDir;
    },
    // closeBundle runs once per build, after every file (the worker's included) is written.
    closeBundle() {
      for (const line of sizeLines(shippedSizes(filesUnder(outDir)))) console.log(line);
    },
  };
}
