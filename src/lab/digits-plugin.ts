// A Vite plugin (runs in Node at build time): `import digitsUrl from 'virtual:mnist-digits'`
// gives the URL of the digits file (digits-file.ts) made from the `mnist` package, emitted as
// an asset of the build, so the page loads it from its own origin.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { encodeDigits } from './digits-file.js';

const ID = 'virtual:mnist-digits';
const RESOLVED = `\0${ID}`;

function packageDigits(): number[][] {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  return Array.from({ length: 10 }, (_, c) => (JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data: number[] }).data);
}

export function mnistDigits(): Plugin {
  let bytes: Uint8Array | null = null;
  return {
    name: 'traitlab-mnist-digits',
    resolveId: (id) => (id === ID ? RESOLVED : null),
    load(id) {
      if (id !== RESOLVED) return null;
      bytes ??= encodeDigits(packageDigits());
      const ref = this.emitFile({ type: 'asset', name: 'mnist-digits.bin', source: bytes });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
  };
}
