// No file in src/ over 400 lines: a file that long holds more than one job, and should be split
// where its jobs part (one file each, named for what it holds). Lines are counted as the text's
// lines, a final newline not starting another one.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');
const MAX_LINES = 400;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Lines of a text: split on '\n', less the empty piece after a final newline. */
export function lineCount(text: string): number {
  const pieces = text.split('\n');
  return pieces.at(-1) === '' ? pieces.length - 1 : pieces.length;
}

/** `name (n lines)` for each file over the limit, in the order given. */
export function oversized(files: { name: string; text: string }[], max = MAX_LINES): string[] {
  return files.flatMap(({ name, text }) => {
    const n = lineCount(text);
    return n > max ? [`${name} (${n} lines)`] : [];
  });
}

describe('file sizes in src/', () => {
  test('the counter counts lines, a final newline not a line, and flags 401 lines but not 400', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`).join('\n');
    expect(lineCount('')).toBe(0);
    expect(lineCount('a')).toBe(1);
    expect(lineCount('a\n')).toBe(1);
    expect(lineCount('a\n\n')).toBe(2);
    expect(lineCount(lines(400))).toBe(400);
    expect(lineCount(`${lines(400)}\n`)).toBe(400);
    expect(oversized([{ name: 'ok.ts', text: `${lines(400)}\n` }])).toEqual([]);
    expect(oversized([{ name: 'ok.ts', text: lines(400) }, { name: 'long.ts', text: `${lines(401)}\n` }])).toEqual(['long.ts (401 lines)']);
  });

  test(`are at most ${MAX_LINES} lines each`, () => {
    const files = tsFiles(src);
    expect(files.length).toBeGreaterThan(100);
    const named = oversized(files.map((f) => ({ name: relative(root, f), text: readFileSync(f, 'utf8') })));
    expect(named).toEqual([]);
  });
});
