// The report in a real browser: a headless Chromium (test/support/chromium.ts: CHROMIUM_PATH, a
// system chromium, or the one the @sparticuz/chromium devDependency ships), driven by
// playwright-core, opens each page from file:// and checks that every chart rendered (a box of
// non-zero size, with drawn marks), that nothing was fetched, and that the page logged no errors.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeReport } from '../../src/report/write-report.js';
import { launchChromium } from '../support/chromium.js';
import { CLAIMS, mnistRun, numbersRun, tempDir } from '../support/report-fixtures.js';

interface PageCheck {
  errors: string[];
  requests: string[];
  charts: { id: string; width: number; height: number; marks: number; drawn: number; kinds: string[] }[];
  inconclusive: string | null;
}

async function openReport(browser: Browser, file: string): Promise<PageCheck> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const charts = await page.$$eval('figure.chart', (figures) =>
    figures.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const marks = svg ? [...svg.querySelectorAll('g.role-mark path, g.role-mark line')] : [];
      // A mark is drawn when the browser laid it out with some extent (a flat rule has height 0, so either side counts).
      const drawn = marks.filter((m) => {
        const b = (m as SVGGraphicsElement).getBBox();
        return b.width > 0 || b.height > 0;
      }).length;
      const kinds = svg ? [...new Set([...svg.querySelectorAll('g.role-mark')].map((g) => /mark-(\w+)/.exec(g.getAttribute('class') ?? '')?.[1] ?? '?'))] : [];
      return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: marks.length, drawn, kinds };
    }),
  );
  const badge = page.locator('.verdict.inconclusive');
  const inconclusive = (await badge.count()) > 0 && (await badge.first().isVisible()) ? await badge.first().textContent() : null;
  await page.close();
  return { errors, requests, charts, inconclusive };
}

describe('report.html in headless Chromium', () => {
  let browser: Browser;
  let numbers: PageCheck;
  let mnist: PageCheck;

  beforeAll(async () => {
    ({ browser } = await launchChromium());
    const root = tempDir();
    const numbersFile = (await writeReport(numbersRun(join(root, 'numbers'), { claims: CLAIMS }))).file;
    const mnistFile = (await writeReport(mnistRun(join(root, 'mnist')))).file;
    [numbers, mnist] = [await openReport(browser, numbersFile), await openReport(browser, mnistFile)];
  });

  afterAll(async () => {
    await browser?.close();
  });

  test.each([
    ['numbers', () => numbers, ['transfer-bars', 'transfer-curves', 'trait-curves']],
    ['mnist', () => mnist, ['accuracy-bars', 'curve-1-loss', 'curve-2-kl']],
  ] as const)('%s: every chart rendered with marks, no errors, nothing fetched', (_world, check, ids) => {
    const c = check();
    expect(c.errors).toEqual([]);
    expect(c.requests).toEqual([]);
    expect(c.charts.map((x) => x.id)).toEqual(ids);
    for (const chart of c.charts) {
      expect(chart.width, chart.id).toBeGreaterThan(100);
      expect(chart.height, chart.id).toBeGreaterThan(50);
      expect(chart.marks, chart.id).toBeGreaterThan(0);
      expect(chart.drawn, chart.id).toBeGreaterThan(0);
      expect(chart.kinds, chart.id).toEqual(expect.arrayContaining(chart.id.includes('bars') ? ['rect', 'rule'] : ['area', 'line']));
    }
  });

  test('an INCONCLUSIVE claim is visible as INCONCLUSIVE', () => {
    expect(numbers.inconclusive).toBe('INCONCLUSIVE');
    expect(mnist.inconclusive).toBeNull();
  });
});
