// Which browser the browser tests get: CHROMIUM_PATH, else a chromium on PATH, else the npm one;
// CHROMIUM_FROM_NPM=1 forces the npm one, which must really run (its --version answers).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { findChromium } from './chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'traitlab-chromium-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
  return path;
}

// bin/ holds an executable chromium; empty/ a chromium that is not executable.
const bin = join(dir, 'bin');
const empty = join(dir, 'empty');
mkdirSync(bin);
mkdirSync(empty);
writeFileSync(join(bin, 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
writeFileSync(join(empty, 'chromium'), 'not a program\n', { mode: 0o644 });

describe('findChromium', () => {
  test('CHROMIUM_PATH wins over a system chromium; one that is not an executable file is an error naming it', async () => {
    const given = file('my-chrome', 0o755);
    await expect(findChromium({ CHROMIUM_PATH: given, PATH: bin })).resolves.toEqual({ executablePath: given, source: 'CHROMIUM_PATH', env: {} });
    await expect(findChromium({ CHROMIUM_PATH: join(dir, 'nope'), PATH: bin })).rejects.toThrow(`CHROMIUM_PATH=${join(dir, 'nope')} is not an executable file; point it at a chromium binary or unset it`);
    await expect(findChromium({ CHROMIUM_PATH: file('not-executable', 0o644), PATH: bin })).rejects.toThrow('is not an executable file');
  });

  test('a chromium on PATH is used; a non-executable one is skipped for the next directory', async () => {
    const found = await findChromium({ PATH: [empty, bin].join(':') });
    expect(found).toEqual({ executablePath: join(bin, 'chromium'), source: 'system', env: {} });
  });

  test('CHROMIUM_FROM_NPM=1 ignores both and unpacks the @sparticuz/chromium browser, which runs', async () => {
    const found = await findChromium({ CHROMIUM_FROM_NPM: '1', CHROMIUM_PATH: file('other', 0o755), PATH: bin });
    expect(found.source).toBe('npm');
    expect(found.executablePath).toMatch(/traitlab-chromium-143\.\d+\.\d+\/chromium$/);
    expect(found.env.LD_LIBRARY_PATH).toMatch(/traitlab-chromium-143\.\d+\.\d+\/al2023\/lib/);
    const version = execFileSync(found.executablePath, ['--version'], { env: { ...process.env, ...found.env }, encoding: 'utf8' });
    expect(version).toMatch(/^Chromium 143\./);
    // A second call reuses the unpacked copy.
    await expect(findChromium({ CHROMIUM_FROM_NPM: '1' })).resolves.toEqual(found);
  }, 120_000);
});
