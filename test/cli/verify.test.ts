// `traitlab verify` on a tiny MNIST run with a claim: a fresh run reproduces (exit 0), on the
// same backend byte for byte and on cpu within the tolerance; an edited number in an arm or in
// a claim is named by its JSON path (exit 1); a missing, unfinished or damaged run directory is
// one line and exit 2. The re-run's temporary directory is removed either way.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

const claims = [
  {
    id: 'same-beats-cross',
    text: 'the same-init student beats the cross-init one',
    kind: 'greater',
    left: { arm: 'student-same', metric: 'accuracy' },
    right: { arm: 'student-cross', metric: 'accuracy' },
  },
];

let cwd: string;
let scratch: string;
const savedTmp = process.env.TMPDIR;

/** A copy of the fresh run with `edit` applied to its summary.json. */
function edited(name: string, edit: (s: { arms: { mean: number }[]; claims: Record<string, unknown>[] }) => void): string {
  cpSync(join(cwd, 'run'), join(cwd, name), { recursive: true });
  const file = join(cwd, name, 'summary.json');
  const s = JSON.parse(readFileSync(file, 'utf8'));
  edit(s);
  writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`);
  return name;
}

beforeAll(async () => {
  cwd = tempDir();
  // The re-runs' temporary directories go here, so the test can see that they were removed.
  scratch = tempDir('traitlab-verify-scratch-');
  process.env.TMPDIR = scratch;
  writeJson(cwd, 'tiny.json', tinyExperiment({ claims }));
  const made = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--out', 'run');
  expect(made.code, made.err.join('\n')).toBe(0);
});
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

describe('traitlab verify', () => {
  test('a fresh run reproduces byte for byte on its own backend (exit 0), and says at which commit it was made', async () => {
    const r = await cli(cwd, 'verify', 'run');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toMatch(/^reproduced: \d+ numbers identical \(summary\.json byte for byte\)$/m);
    expect(r.out.join('\n')).toMatch(/^commit: run made at traitlab /m);
    expect(r.err.filter((l) => l.startsWith('traitlab:') && !l.startsWith('traitlab: warning:'))).toEqual([]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  test('on another backend (cpu) it reproduces within the tolerance', async () => {
    const r = await cli(cwd, 'verify', 'run', '--backend', 'cpu');
    expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
    expect(r.out.join('\n')).toMatch(/^reproduced on cpu: \d+ numbers /m);
    expect(r.err.join('\n')).toContain('on cpu (the run used wasm)');
  });

  test('an edited number in an arm and in a claim: exit 1, each named by its path with both values', async () => {
    const dir = edited('edited', (s) => {
      s.arms[2]!.mean = 0.5;
      s.claims[0]!.effect = 0.25;
    });
    const r = await cli(cwd, 'verify', dir);
    expect(r.code).toBe(1);
    const out = r.out.join('\n');
    expect(out).toContain('not reproduced: 2 figures of edited/summary.json differ from the re-run on wasm:');
    expect(out).toMatch(/^ {2}arms\[2\]\.mean: stored 0\.5 ≠ rerun 0\.\d+$/m);
    expect(out).toMatch(/^ {2}claims\[0\]\.effect: stored 0\.25 ≠ rerun -?0\.\d+$/m);
    expect(r.err.at(-1)).toBe('traitlab: not reproduced: 2 figures of edited/summary.json differ (listed above)');
    expect(readdirSync(scratch)).toEqual([]);
  });

  test('claims stored before margins and Holm (no pHolm) are left out of the comparison, with a note; the rest must still reproduce', async () => {
    const dir = edited('older-rules', (s) => {
      for (const c of s.claims) {
        delete c.pHolm;
        delete c.margin;
        c.reason = 'the interval lies entirely above 0';
      }
    });
    const r = await cli(cwd, 'verify', dir);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toMatch(/^reproduced: \d+ numbers identical$/m);
    expect(r.err).toContain('note: the stored claims were evaluated before claims had margins and Holm-adjusted p-values; verify compares everything else (traitlab show prints them as stored)');
    const numbers = edited('older-rules-edited', (s) => {
      delete s.claims[0]!.pHolm;
      s.arms[2]!.mean = 0.5;
    });
    expect((await cli(cwd, 'verify', numbers)).code).toBe(1);
  });

  test.each([
    ['a missing directory', () => 'nope', /^traitlab: nope: not found; give a run directory/],
    ['an unfinished run', () => (mkdirSync(join(cwd, 'busy.partial')), 'busy'), /^traitlab: busy: not finished: busy\.partial is still being written/],
    [
      'a run without summary.json',
      () => (cpSync(join(cwd, 'run'), join(cwd, 'nosummary'), { recursive: true }), rmSync(join(cwd, 'nosummary', 'summary.json')), 'nosummary'),
      /^traitlab: nosummary\/summary\.json: missing, so this is not a complete run directory/,
    ],
    [
      'a damaged manifest',
      () => (cpSync(join(cwd, 'run'), join(cwd, 'torn'), { recursive: true }), writeFileSync(join(cwd, 'torn', 'manifest.json'), '{"config": '), 'torn'),
      /^traitlab: torn\/manifest\.json: invalid JSON/,
    ],
    [
      'a manifest whose config no longer validates',
      () => {
        cpSync(join(cwd, 'run'), join(cwd, 'badcfg'), { recursive: true });
        const file = join(cwd, 'badcfg', 'manifest.json');
        const m = JSON.parse(readFileSync(file, 'utf8'));
        m.config.seeds = 0;
        writeFileSync(file, JSON.stringify(m));
        return 'badcfg';
      },
      /^traitlab: badcfg\/manifest\.json config\.seeds: must be ≥ 1/,
    ],
  ])('%s: one line, exit 2', async (_name, make, message) => {
    const r = await cli(cwd, 'verify', make());
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
    expect(r.out).toEqual([]);
  });

  test('a bad --tolerance is one line, exit 2', async () => {
    const r = await cli(cwd, 'verify', 'run', '--tolerance', 'lots');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: --tolerance: invalid value "lots"; use a number ≥ 0, e.g. --tolerance 1e-3']);
  });
});
