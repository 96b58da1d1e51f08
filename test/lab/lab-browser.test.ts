// The lab in a real headless Chromium: the page is built (Vite) and served, a small numbers
// configuration is played, and what it drew and logged is checked against `traitlab run` of the
// file the page exports: the same per-step metrics, byte for byte, on the wasm backend. Also the
// settings' round trips (export → import, URL → state), an invalid import's one line, no console
// error, and no main-thread task over 200 ms while it trains (the worker trains, not the page).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadPage, openLab, waitForDone, type LabSession } from '../../bench/lab/lab-page.js';
import { packageRoot } from '../../src/run/package-root.js';

const root = packageRoot();
const out = mkdtempSync(join(tmpdir(), 'traitlab-lab-'));
const build = join(out, 'page');
/** 20 steps, probes every 5: five points per curve, a run of a few seconds. */
const HASH = 'target=owl&student=same-init&prefix=teacher-fixed&signal=forward-kl&lambda=0.5&beta=0.5&steps=20&lr=0.002&ts=1&tl=1&seeds=1&probe=5';

let session: LabSession;
let page: Page;
const problems: string[] = [];
let longTasks: number[] = [];
let exported = '';
let pageMetrics = '';

/** The text of the file a click on `selector` downloads. */
async function downloaded(selector: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync((await file.path())!, 'utf8');
}

beforeAll(async () => {
  const built = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'src', 'lab', 'vite.config.ts'), '--outDir', build, '--emptyOutDir'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`vite build failed: ${built.stderr}`);
  session = await openLab(false, build);
  page = await session.browser.newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${session.server.url}#${HASH}`);
  await page.waitForSelector('#play:not([disabled])', { timeout: 60_000 });
  await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks = []));
  await page.click('#play');
  await waitForDone(page, 120_000);
  longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  exported = await downloaded('#export');
  pageMetrics = await downloaded('#download-metrics');
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('the lab page, numbers world', () => {
  test('points drawn for the trait student, its control and the transfer; bars and the batch shown; audit 0', async () => {
    for (const series of ['trait', 'control', 'transfer'])
      expect(Number(await page.locator(`#trait-chart path.series[data-series="${series}"]`).getAttribute('data-points')), series).toBe(5);
    expect(await page.locator('#answer-bars rect').count()).toBeGreaterThan(8);
    expect(await page.locator('#batch-view').textContent()).toMatch(/\d/);
    expect(await page.locator('#audit-count').textContent()).toMatch(/\b0\b/);
  });

  test('traitlab run of the exported file writes the same metrics.jsonl, byte for byte (wasm)', () => {
    const file = join(out, 'exported.json');
    writeFileSync(file, exported);
    const run = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'index.js'), 'run', file, '--backend', 'wasm', '--jobs', '1', '--out', join(out, 'cli-run')], {
      cwd: out,
      encoding: 'utf8',
      env: { ...process.env, TRAITLAB_CACHE: join(out, 'cache') },
    });
    expect(run.status, run.stderr).toBe(0);
    const cli = readFileSync(join(out, 'cli-run', 'metrics.jsonl'), 'utf8');
    expect(pageMetrics.split('\n').length).toBe(27); // teacher, probe at step 0, 20 steps, 4 more probes, and the final newline
    expect(pageMetrics).toBe(cli);
    // the bases came from the shipped 3-seed ones, as in the page
    expect(readdirSync(join(out, 'cache', 'bases'))).toHaveLength(1);
  });

  test('no console error, and no main-thread task of 200 ms or more while it trained', () => {
    expect(problems).toEqual([]);
    expect(longTasks.filter((d) => d >= 200)).toEqual([]);
  });

  test('URL → state → URL, and export → import, give back the same settings', async () => {
    expect(decodeURIComponent(new URL(page.url()).hash.slice(1))).toBe(HASH);
    // λ and β at the exported file's (absent: the sliders keep theirs), every other setting different
    const other = await loadPage(session, 'target=fox&student=cross-init&prefix=mix&lambda=0.5&signal=jsd&beta=0.5&steps=40&lr=0.01&ts=2&tl=0.5&seeds=2&probe=7');
    await other.setInputFiles('#import', { name: 'exported.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await other.waitForFunction((want) => location.hash.slice(1) === want, HASH);
    expect(await other.locator('#import-error').textContent()).toBe('');
    await other.close();
  });

  test('a bad URL value falls back to its default with a notice; an invalid import shows one line and changes nothing', async () => {
    const bad = await loadPage(session, 'target=dragon&steps=-3');
    expect(await bad.locator('#notice').textContent()).toMatch(/target.*owl/s);
    expect(await bad.locator('#notice').textContent()).toMatch(/steps/);
    const before = new URL(bad.url()).hash;
    const wrong = JSON.parse(exported) as { distill: { learningRate: number } };
    wrong.distill.learningRate = -1;
    await bad.setInputFiles('#import', { name: 'wrong.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(wrong)) });
    await bad.waitForFunction(() => (document.querySelector('#import-error')?.textContent ?? '') !== '');
    const line = (await bad.locator('#import-error').textContent())!;
    expect(line).toMatch(/^distill\.learningRate: /);
    expect(line).not.toContain('\n');
    expect(new URL(bad.url()).hash).toBe(before);
    expect(await bad.locator('#trait-chart path.series[data-series="trait"]').getAttribute('data-points')).toBe('0');
    await bad.close();
  });
});
