// A damaged base in the cache stops `traitlab run` before any result exists: 64 flipped bytes in
// a cached base's weights (same file size) or a format-1 base with no checksum → exit 1, one line
// naming the file and how to rebuild it, and no run directory. Before format 2 the flipped base
// loaded as a slightly different model and the run wrote changed results with exit 0.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { cli, tempDir, writeJson } from '../support/cli.js';

const experiment = tinyNumbers({
  name: 'tiny-corrupt-base',
  rootSeed: 11,
  model: { kind: 'gpt', layers: 1, dModel: 8, heads: 2 },
  pretrain: { steps: 10, batchSize: 16, learningRate: 0.01 },
  arms: [{ name: 'same', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } }],
});

restoreCacheEnvAfterAll();
let cwd = '';
let base = ''; // the own-seed base in the cache
let good: Buffer;

beforeAll(async () => {
  cwd = tempDir();
  process.env.TRAITLAB_CACHE = join(cwd, 'cache');
  writeJson(cwd, 'exp.json', experiment);
  const made = await cli(cwd, 'pretrain', 'exp.json', '--backend', 'wasm', '--jobs', '1');
  expect(made.code).toBe(0);
  base = join(cwd, made.out[0]!.replace(/^own: /, ''));
  good = readFileSync(base);
});

const fix = () => `delete it to rebuild it (the next run pretrains it again, or npx traitlab pretrain <experiment file> --out ${join(cwd, 'cache', 'bases')} does now)`;

/** `traitlab run exp.json` into `out` (or the default runs/ folder); its `traitlab:` lines. */
async function runFails(...out: string[]) {
  const r = await cli(cwd, 'run', 'exp.json', '--backend', 'wasm', '--jobs', '1', ...out);
  expect(r.code).toBe(1);
  expect(r.out).toEqual([]);
  return r.err.filter((l) => l.startsWith('traitlab:'));
}

describe('a damaged cached base', () => {
  test('64 flipped bytes in its weights: exit 1, one line naming the file and the fix, no run directory', async () => {
    const flipped = Buffer.from(good);
    for (let i = 0; i < 64; i++) flipped[flipped.length - 2000 + i]! ^= 0xff;
    writeFileSync(base, flipped);
    const lines = await runFails('--out', 'out');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^traitlab: run failed: checkpoint \S+: its weights are corrupted \(their SHA-256 is [0-9a-f]{16}…, the header records [0-9a-f]{16}…\); /);
    expect(lines[0]).toContain(`checkpoint ${base}: `);
    expect(lines[0]!.endsWith(`; ${fix()}; nothing was written to ${join(cwd, 'out')}`)).toBe(true);
    expect(readdirSync(cwd).sort()).toEqual(['cache', 'exp.json']);
    // the default run directory is not left behind either
    await runFails();
    expect(readdirSync(cwd).filter((f) => f.startsWith('runs') && readdirSync(join(cwd, f)).length > 0)).toEqual([]);
    expect(readFileSync(base).equals(flipped)).toBe(true); // reported, not silently retrained over
  });

  test('a format-1 base (no checksum) is refused with the rebuild line', async () => {
    // format 1 is format 2 without dataSha256 (the data bytes are the same)
    const n = good.readUInt32LE(4);
    const header = JSON.parse(good.toString('utf8', 8, 8 + n)) as Record<string, unknown>;
    header.format = 1;
    delete header.dataSha256;
    const json = Buffer.from(JSON.stringify(header));
    const prefix = Buffer.alloc(8);
    prefix.write('TLCK', 0, 'latin1');
    prefix.writeUInt32LE(json.length, 4);
    writeFileSync(base, Buffer.concat([prefix, json, good.subarray(8 + n)]));
    const lines = await runFails('--out', 'out');
    expect(lines).toEqual([
      `traitlab: run failed: checkpoint ${base}: format 1, which has no checksum of its weights (this traitlab reads format 2 only); ${fix()}; nothing was written to ${join(cwd, 'out')}`,
    ]);
    expect(readdirSync(cwd).filter((f) => f.startsWith('out'))).toEqual([]);
  });
});
