// What a newcomer reads stays within the repository and agrees with itself: no file cites notes
// a user of the repository does not have; every relative link of the README and docs/ leads to
// a file (and heading) that exists; the demo's stated time and the full-size steps its notes
// quote match the README and experiments/numbers-owl.json.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { cli } from '../support/cli.js';

const root = join(import.meta.dirname, '../..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
const textFiles = tracked.filter((f) => /\.(md|json|ts|js|py|txt|html)$/.test(f) && !f.startsWith('bases/'));

test('no file refers to notes outside the repository', () => {
  // Built from parts, so this file does not match itself.
  const outside = [['SCIENCE', '.md'], ['shared', ' notes'], ['../', 'shared'], ['/work', '/shared']].map((p) => p.join(''));
  const hits = textFiles.flatMap((f) => {
    const text = readFileSync(join(root, f), 'utf8');
    return outside.filter((o) => text.includes(o)).map((o) => `${f}: ${o}`);
  });
  expect(hits).toEqual([]);
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

test('every relative link in README.md and docs/ leads to a file, and its #anchor to a heading there', () => {
  const pages = tracked.filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')));
  expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/science.md', 'docs/run-files.md', 'docs/write-your-own.md']));
  const broken: string[] = [];
  for (const page of pages) {
    for (const [, target] of readFileSync(join(root, page), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
      const [path, hash] = target!.split('#');
      const file = path === '' ? join(root, page) : join(root, dirname(page), path!);
      if (!existsSync(file)) broken.push(`${page}: ${target}`);
      else if (hash && file.endsWith('.md')) {
        const headings = [...readFileSync(file, 'utf8').matchAll(/^#+ (.*)$/gm)].map((m) => anchor(m[1]!));
        if (!headings.includes(hash)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
  }
  expect(broken).toEqual([]);
});

test("the demo's time agrees in `demo --help`, the README and demo.json; its notes quote numbers-owl's real size", async () => {
  const help = (await cli(root, 'demo', '--help')).out.join('\n');
  const seconds = (text: string) => [...text.matchAll(/about (\d+) s/g)].map((m) => Number(m[1]));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const demo = JSON.parse(readFileSync(join(root, 'experiments/demo.json'), 'utf8'));
  const full = JSON.parse(readFileSync(join(root, 'experiments/numbers-owl.json'), 'utf8'));
  const stated = [...seconds(help), ...seconds(readme.split('\n').filter((l) => l.includes('demo')).join('\n')), ...seconds(demo.notes.size)];
  expect(stated.length).toBeGreaterThanOrEqual(3);
  expect(new Set(stated)).toEqual(new Set([75]));
  expect(demo.notes.size).toContain(`${full.seeds} seeds, ${full.distill.steps.toLocaleString('en')} steps of batch ${full.distill.batchSize}`);
});
