// The manifest's git state in a real (temporary) repository: untracked files do not make a
// checkout "dirty", changes to tracked files do; and verify says so in one warning, not two.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkoutWarnings } from '../../src/cli/verify.js';
import { gitState } from '../../src/run/manifest.js';

let repo: string;
const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { encoding: 'utf8' }).trim();

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'traitlab-git-'));
  git('init', '-q');
  writeFileSync(join(repo, 'code.ts'), 'export const x = 1;\n');
  git('add', 'code.ts');
  git('commit', '-q', '-m', 'first');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('gitState', () => {
  test('a clean checkout: its commit, not dirty', () => {
    expect(gitState(repo)).toEqual({ commit: git('rev-parse', 'HEAD'), dirty: false });
  });

  test('an untracked file (a stray plot) does not make it dirty', () => {
    writeFileSync(join(repo, 'plot.png'), 'not code');
    expect(git('status', '--porcelain')).toBe('?? plot.png'); // git itself sees it
    expect(gitState(repo)?.dirty).toBe(false);
  });

  test('a change to a tracked file does, and a staged new file too', () => {
    writeFileSync(join(repo, 'code.ts'), 'export const x = 2;\n');
    expect(gitState(repo)?.dirty).toBe(true);
    git('checkout', '--', 'code.ts');
    expect(gitState(repo)?.dirty).toBe(false);
    git('add', 'plot.png');
    expect(gitState(repo)?.dirty).toBe(true);
  });
});

describe("verify's warnings about the code", () => {
  const clean = { commit: 'a'.repeat(40), dirty: false };
  const dirty = { ...clean, dirty: true };
  test('uncommitted changes on both sides: one warning, not two', () => {
    expect(checkoutWarnings(dirty, dirty)).toEqual(['both the run and this re-run come from a checkout with uncommitted changes to tracked files; a difference may come from them']);
  });
  test('on one side, or none', () => {
    expect(checkoutWarnings(dirty, clean)).toEqual(['the run was made from a checkout with uncommitted changes to tracked files; a difference may come from them']);
    expect(checkoutWarnings(clean, dirty)).toEqual(['this re-run comes from a checkout with uncommitted changes to tracked files; a difference may come from them']);
    expect(checkoutWarnings(clean, clean)).toEqual([]);
    expect(checkoutWarnings(null, null)).toEqual([]);
  });
  test('another commit is its own warning', () => {
    expect(checkoutWarnings(clean, { commit: 'b'.repeat(40), dirty: false })).toEqual(['the run was made at another commit (aaaaaaa, now bbbbbbb); a difference may come from the code, not the run']);
  });
});
