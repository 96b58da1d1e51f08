// No block of six or more repeated lines in src/: code written twice is changed once and then
// differs. Each file's lines are normalised (trimmed; blank lines, comment-only lines and
// import / export-from statements dropped) and every window of WINDOW consecutive normalised
// lines is compared, as text, with every other window in src/ (the same file included).
//
// Left out are windows made only of declaration-like lines, where a repeat is a shape, not
// logic written twice: a type member (`name?: Type;`, `readonly x: T;`, a method signature
// `f(a: A): R;`), the head of an interface or type, a lone (dotted) name in a list (`tf.Variable,`:
// a tuple type's members), or closing punctuation (`}`, `};`, `]`, `);`, `},`). Object literal
// entries (`key: value,`) and statements are never declaration-like.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { root, src, tsFiles } from '../support/imports.js';

const WINDOW = 6;

export interface NormalisedLine {
  text: string;
  /** 1-based line number in the file. */
  line: number;
}

/** A comment-only line: `//`, `/*`, or a `*` continuing a block comment. */
const isComment = (t: string) => t.startsWith('//') || t.startsWith('/*') || t.startsWith('*');

/** The start of an import, or of an export that re-exports from another module. */
const opensImport = (t: string) => /^import\b/.test(t) || /^export\s+(\*|\{|type\s+\{)/.test(t);

/** An import or re-export statement ends at its module specifier (`from '…'`, or `import '…'`). */
const closesImport = (t: string) => /\bfrom\s*['"][^'"]+['"]\s*;?$/.test(t) || /^import\s*['"][^'"]+['"]\s*;?$/.test(t);

/** The lines that count, with where they stand. */
export function normalise(text: string): NormalisedLine[] {
  const out: NormalisedLine[] = [];
  let inImport = false;
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (inImport || opensImport(t)) {
      // A local `export { a, b };` opens no import: it has no `from` and ends on its own line.
      inImport = !closesImport(t) && !(t.startsWith('export') && t.endsWith(';'));
      return;
    }
    if (t === '' || isComment(t)) return;
    out.push({ text: t, line: i + 1 });
  });
  return out;
}

/** A type member, an interface / type head, or closing punctuation: see the file's comment. */
export function isDeclarationLike(t: string): boolean {
  if (/^[)\]}>;,]+$/.test(t)) return true;
  if (/^(export\s+)?(interface|type)\s+\w+/.test(t)) return true;
  if (/^[A-Za-z_$][\w$.]*,$/.test(t)) return true;
  return /^(readonly\s+)?[A-Za-z_$][\w$]*\??(<[^>]*>)?(\([^)]*\))?\s*:\s*[^=]+;$/.test(t);
}

export interface Repeat {
  /** `file:line` of each place the window starts, in scan order. */
  places: string[];
  /** The window's first normalised line. */
  first: string;
}

/** Every window of `size` normalised lines found at two places or more, declaration-only windows aside. */
export function repeatedWindows(files: { name: string; text: string }[], size = WINDOW): Repeat[] {
  const seen = new Map<string, string[]>();
  for (const { name, text } of files) {
    const lines = normalise(text);
    for (let i = 0; i + size <= lines.length; i++) {
      const window = lines.slice(i, i + size).map((l) => l.text);
      if (window.every(isDeclarationLike)) continue;
      const key = window.join('\n');
      const places = seen.get(key) ?? [];
      places.push(`${name}:${lines[i]!.line}`);
      seen.set(key, places);
    }
  }
  return [...seen.entries()].filter(([, places]) => places.length > 1).map(([key, places]) => ({ places, first: key.split('\n')[0]! }));
}

describe('repeated lines in src/', () => {
  const block = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `  const ${tag}${i} = compute(${i});`).join('\n');

  test('the detector flags a 6-line block written twice but not a 5-line one', () => {
    const six = repeatedWindows([
      { name: 'a.ts', text: `function a() {\n${block(6, 'x')}\n}\n` },
      { name: 'b.ts', text: `// other\nfunction b() {\n\n${block(6, 'x')}\n  return 1;\n}\n` },
    ]);
    expect(six).toEqual([{ places: ['a.ts:2', 'b.ts:4'], first: 'const x0 = compute(0);' }]);
    const five = repeatedWindows([
      { name: 'a.ts', text: `function a() {\n${block(5, 'x')}\n  return 0;\n}\n` },
      { name: 'b.ts', text: `function b() {\n${block(5, 'x')}\n  return 1;\n}\n` },
    ]);
    expect(five).toEqual([]);
  });

  test('blank lines, comments and imports do not count; declaration-only windows are left out', () => {
    const withNoise = `import {\n  a,\n  b,\n} from './x.js';\nfunction a() {\n  // why\n${block(3, 'y')}\n\n  /* more\n   * why */\n${block(3, 'z')}\n}\n`;
    const plain = `function b() {\n${block(3, 'y')}\n${block(3, 'z')}\n}\n`;
    expect(repeatedWindows([{ name: 'a.ts', text: withNoise }, { name: 'b.ts', text: plain }]).map((r) => r.places)).toEqual([
      ['a.ts:7', 'b.ts:2'],
      ['a.ts:8', 'b.ts:3'],
    ]);
    const fields = 'export interface A {\n  name: string;\n  seeds?: number;\n  readonly em: number[];\n  onLog(step: number, loss: number[]): void;\n  stats: MeanCi;\n}\n';
    expect(repeatedWindows([{ name: 'a.ts', text: fields }, { name: 'b.ts', text: fields.replace('A', 'B') }])).toEqual([]);
    const tuple = `const v = all as [\n${'  tf.Variable,\n'.repeat(7)}];\n`;
    expect(repeatedWindows([{ name: 'a.ts', text: tuple }])).toEqual([]);
    // Object literal entries are code, not declarations.
    const literal = 'f({\n  a: 1,\n  b: 2,\n  c: 3,\n  d: 4,\n  e: 5,\n});\n';
    expect(repeatedWindows([{ name: 'a.ts', text: literal }, { name: 'b.ts', text: literal }])).toHaveLength(2);
  });

  test(`no window of ${WINDOW} lines stands at two places`, () => {
    const files = tsFiles(src).map((f) => ({ name: relative(root, f), text: readFileSync(f, 'utf8') }));
    expect(files.length).toBeGreaterThan(100);
    const found = repeatedWindows(files).map((r) => `${r.places.join(' ~ ')}  (${r.first})`);
    expect(found).toEqual([]);
  });
});
