// Reading a source file's imports from its text, for the structure tests: every
// `import … from`, `export … from`, side-effect `import '…'` and dynamic `import('…')`,
// type-only imports included.
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const src = join(root, 'src');

export function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every module specifier in `text`, relative paths and packages alike, in order. */
export function specifiersOf(text: string): string[] {
  const pattern = /(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The files `file` imports (relative specifiers; `.js` names the `.ts` source). */
export function importsOf(file: string, text: string): string[] {
  return specifiersOf(text)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}
