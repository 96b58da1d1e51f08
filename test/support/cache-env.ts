// Tests that point TRAITLAB_CACHE at a temporary folder put it back afterwards, so later files
// in the same worker (isolate: false) read the cache they expect.
import { afterAll } from 'vitest';

/** Saves TRAITLAB_CACHE now and restores it after the enclosing describe (or the file). */
export function restoreCacheEnvAfterAll(): void {
  const saved = process.env.TRAITLAB_CACHE;
  afterAll(() => {
    if (saved === undefined) delete process.env.TRAITLAB_CACHE;
    else process.env.TRAITLAB_CACHE = saved;
  });
}
