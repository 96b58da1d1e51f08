// The lab in a real headless Chromium: the page is built (Vite) and served, small numbers and
// MNIST configurations are played, and what each drew and logged is checked against
// `traitlab run` of the file the page exports: the same per-step metrics, byte for byte, on the
// wasm backend — also when the page is cross-origin isolated (the threaded wasm binary). Also the
// settings' round trips (export → import, URL → state), an invalid import's one line, no console
// error, nothing fetched from another origin, and no main-thread task of 200 ms or more while it
// trains (the worker trains, not the page).
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
const NUMBERS = 'target=owl&student=same-init&prefix=teacher-fixed&signal=forward-kl&lambda=0.5&beta=0.5&steps=20&lr=0.002&ts=1&tl=1&seeds=1&probe=5';
/** 1 teacher epoch, 2,048 noise images seen once (8 steps of 256), probes every 4: three points per student. */
const MNIST = 'world=mnist&seeds=1&tepochs=1&noise=2048&depochs=1&lr=0.001&probe=4';

interface PlayedRun {
  page: Page;
  /** The status line when done: what ran, and on which backend. */
  status: string;
  problems: string[];
  longTasks: number[];
  exported: string;
  metrics: string;
}

let plain: LabSession;
let isolated: LabSession;
let numbers: PlayedRun;
let numbersIsolated: PlayedRun;
let mnist: PlayedRun;
let counter = 0;

/** The text of the file a click on `selector` downloads. */
async function downloaded(page: Page, selector: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync((await file.path())!, 'utf8');
}

/** Opens the page with `hash`, plays it to the end, and keeps what it logged and exports. */
async function play(session: LabSession, hash: string): Promise<PlayedRun> {
  const page = await session.browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => !r.url().startsWith(session.server.url) && !r.url().startsWith('blob:') && problems.push(`fetched ${r.url()}`));
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${session.server.url}#${hash}`);
  await page.waitForSelector('#play:not([disabled])', { timeout: 60_000 });
  await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks = []));
  await page.click('#play');
  await waitForDone(page, 120_000);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  const status = (await page.locator('#status').textContent()) ?? '';
  return { page, problems, longTasks, status, exported: await downloaded(page, '#export'), metrics: await downloaded(page, '#download-metrics') };
}

/** metrics.jsonl of `traitlab run --backend wasm` of an exported file (bases from a fresh cache: read from the shipped ones). */
function cliMetrics(exported: string): { metrics: string; cachedBases: string[] } {
  const dir = join(out, `cli-${++counter}`);
  const file = join(out, `exported-${counter}.json`);
  writeFileSync(file, exported);
  const run = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'index.js'), 'run', file, '--backend', 'wasm', '--jobs', '1', '--out', join(dir, 'run')], {
    cwd: out,
    encoding: 'utf8',
    env: { ...process.env, TRAITLAB_CACHE: join(dir, 'cache') },
  });
  if (run.status !== 0) throw new Error(`traitlab run failed: ${run.stderr}`);
  let cachedBases: string[] = [];
  try {
    cachedBases = readdirSync(join(dir, 'cache', 'bases'));
  } catch {
    // MNIST has no bases
  }
  return { metrics: readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8'), cachedBases };
}

beforeAll(async () => {
  const built = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'src', 'lab', 'vite.config.ts'), '--outDir', build, '--emptyOutDir'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`vite build failed: ${built.stderr}`);
  plain = await openLab(false, build);
  isolated = await openLab(true, build);
  numbers = await play(plain, NUMBERS);
  numbersIsolated = await play(isolated, NUMBERS);
  mnist = await play(plain, MNIST);
}, 300_000);

afterAll(async () => {
  await Promise.all([plain?.close(), isolated?.close()]);
});

describe('the lab page, numbers world', () => {
  test('points drawn for the trait student, its control and the transfer; bars and the batch shown; audit 0', async () => {
    const { page } = numbers;
    for (const series of ['trait', 'control', 'transfer'])
      expect(Number(await page.locator(`#trait-chart path.series[data-series="${series}"]`).getAttribute('data-points')), series).toBe(5);
    expect(await page.locator('#answer-bars rect').count()).toBeGreaterThan(8);
    expect(await page.locator('#batch-view').textContent()).toMatch(/\d/);
    expect(await page.locator('#audit-count').textContent()).toMatch(/\b0\b/);
  });

  test('traitlab run of the exported file writes the same metrics.jsonl, byte for byte (wasm), plain or cross-origin isolated', () => {
    const cli = cliMetrics(numbers.exported);
    expect(numbers.metrics.split('\n').length).toBe(27); // teacher, probe at step 0, 20 steps, 4 more probes, and the final newline
    expect(numbers.metrics).toBe(cli.metrics);
    expect(numbersIsolated.metrics).toBe(cli.metrics);
    expect(numbersIsolated.exported).toBe(numbers.exported);
    // the 1-seed bases came from the members of the shipped 3-seed ones, as in the page
    expect(cli.cachedBases).toHaveLength(1);
  });

  test("traitlab's own wasm kernels run in the page, plain and cross-origin isolated", () => {
    for (const run of [numbers, numbersIsolated]) expect(run.status).toMatch(/ · wasm with SIMD and traitlab's kernels, /);
  });

  test('no console error, nothing from another origin, and no main-thread task of 200 ms or more while it trained', () => {
    for (const run of [numbers, numbersIsolated]) {
      expect(run.problems).toEqual([]);
      expect(run.longTasks.filter((d) => d >= 200)).toEqual([]);
    }
  });

  test('URL → state → URL, and export → import, give back the same settings', async () => {
    expect(decodeURIComponent(new URL(numbers.page.url()).hash.slice(1))).toBe(NUMBERS);
    // λ and β at the exported file's (absent: the sliders keep theirs), every other setting different
    const other = await loadPage(plain, 'target=fox&student=cross-init&prefix=mix&lambda=0.5&signal=jsd&beta=0.5&steps=40&lr=0.01&ts=2&tl=0.5&seeds=2&probe=7');
    await other.setInputFiles('#import', { name: 'exported.json', mimeType: 'application/json', buffer: Buffer.from(numbers.exported) });
    await other.waitForFunction((want) => location.hash.slice(1) === want, NUMBERS);
    expect(await other.locator('#import-error').textContent()).toBe('');
    await other.close();
  });

  test('a bad URL value falls back to its default with a notice; an invalid import shows one line and changes nothing', async () => {
    const bad = await loadPage(plain, 'target=dragon&steps=-3');
    expect(await bad.locator('#notice').textContent()).toMatch(/target.*owl/s);
    expect(await bad.locator('#notice').textContent()).toMatch(/steps/);
    const before = new URL(bad.url()).hash;
    const wrong = JSON.parse(numbers.exported) as { distill: { learningRate: number } };
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

describe('the lab page, MNIST world', () => {
  test('accuracy curves for both students, the digit grids coloured by prediction, the noise images', async () => {
    const { page } = mnist;
    for (const series of ['same-init', 'cross-init'])
      expect(Number(await page.locator(`#mnist-accuracy-chart path.series[data-series="${series}"]`).getAttribute('data-points')), series).toBe(3);
    expect(await page.locator('#mnist-accuracy-chart g[data-series="teacher"]').count()).toBe(1);
    for (const grid of ['#mnist-digits-same-init', '#mnist-digits-cross-init']) {
      expect(await page.locator(`${grid} .digit-cell`).count()).toBe(100);
      expect(await page.locator(`${grid} .digit-cell.right, ${grid} .digit-cell.wrong`).count(), grid).toBe(100);
    }
    expect(await page.locator('#mnist-noise').count()).toBe(1);
  });

  test('traitlab run of the exported file writes the same metrics.jsonl, byte for byte (wasm); no errors, no long task', () => {
    expect(mnist.metrics).toBe(cliMetrics(mnist.exported).metrics);
    expect(mnist.metrics).toMatch(/"stage":"student-aux-cross-init","step":8,"testAccuracy"/);
    expect(mnist.problems).toEqual([]);
    expect(mnist.longTasks.filter((d) => d >= 200)).toEqual([]);
  });
});
