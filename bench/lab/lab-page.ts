// Driving the built lab page (dist-lab/) in headless Chromium, for the browser test and the
// lab's scripts (screenshot, timing): serve it, open it with settings in the hash, press Play,
// and wait on what the page draws (the number of points on the trait chart, the status line).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { packageRoot } from '../../src/run/package-root.js';
import { launchChromium } from './chromium.js';
import { serveStatic, type StaticServer } from './static-server.js';

/** The folder `npm run build:lab` writes. */
export const LAB_BUILD = join(packageRoot(), 'dist-lab');

export interface LabSession {
  browser: Browser;
  server: StaticServer;
  close(): Promise<void>;
}

/** Serves the built page in `dir` (cross-origin isolated or not) and starts a browser. */
export async function openLab(isolated: boolean, dir = LAB_BUILD): Promise<LabSession> {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`${dir} has no built page; run npm run build:lab first`);
  const server = await serveStatic(dir, isolated);
  const { browser } = await launchChromium(['--disable-gpu']);
  return { browser, server, close: async () => void (await Promise.all([browser.close(), server.close()])) };
}

/** Opens the page with `hash` (lab settings, without '#'); waits until the worker is ready (Play enabled). */
export async function loadPage(session: LabSession, hash: string, query = ''): Promise<Page> {
  const page = await session.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${session.server.url}${query}#${hash}`);
  await page.waitForSelector('#play:not([disabled])', { timeout: 60_000 });
  return page;
}

/** Points drawn on the trait chart's `series` (trait, control, transfer). */
export async function chartPoints(page: Page, series = 'trait'): Promise<number> {
  const attr = await page.locator(`#trait-chart path.series[data-series="${series}"]`).first().getAttribute('data-points').catch(() => null);
  return attr === null ? 0 : Number(attr);
}

/** Waits until the trait chart has at least `n` points. */
export async function waitForPoints(page: Page, n: number, timeoutMs = 600_000): Promise<void> {
  await page.waitForFunction((want) => Number(document.querySelector('#trait-chart path.series[data-series="trait"]')?.getAttribute('data-points') ?? 0) >= want, n, { timeout: timeoutMs, polling: 50 });
}

/** Waits until the status line says the run is done. */
export async function waitForDone(page: Page, timeoutMs = 1_200_000): Promise<void> {
  await page.waitForFunction(() => /\bdone\b/.test(document.querySelector('#status')?.textContent ?? ''), undefined, { timeout: timeoutMs, polling: 100 });
}
