// No import circles in src/, type-only imports included: a circle means two files that cannot be
// understood, tested or moved apart. The imports are read from the source text (every
// `import … from`, `export … from` and dynamic `import()` of a relative path) and the strongly
// connected components of that graph are listed; each must be a single file.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importsOf, root, src, tsFiles } from '../support/imports.js';

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('imports in src/', () => {
  test('the scan sees type-only imports, re-exports and dynamic imports, and finds a circle', () => {
    const a = join(src, 'x', 'a.ts');
    const text = "import type { T } from './b.js';\nexport { U } from '../y/c.js';\nconst m = await import('./d.js');\nimport { z } from 'zod';\nimport './e.js';\n";
    expect(importsOf(a, text)).toEqual([join(src, 'x', 'b.ts'), join(src, 'y', 'c.ts'), join(src, 'x', 'd.ts'), join(src, 'x', 'e.ts')]);
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(circles(graph)).toEqual([['a', 'b', 'c']]);
  });

  test('form no circle, type-only imports included', () => {
    const files = tsFiles(src);
    const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));
    expect(graph.size).toBeGreaterThan(100);
    const named = circles(graph).map((c) => c.map((f) => relative(root, f)));
    expect(named).toEqual([]);
  });
});
