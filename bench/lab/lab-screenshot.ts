// `npm run lab:screenshot`: the README's picture of the lab, taken from the real page mid-run in
// headless Chromium: the built page (dist-lab/) served locally, the demo's same-init
// off-policy arm played with 3 seeds until the curves are part-way, then captured to
// docs/lab.png.
import { join } from 'node:path';
import { packageRoot } from '../../src/run/package-root.js';
import { loadPage, openLab, waitForPoints } from './lab-page.js';

const HASH = 'target=owl&student=same-init&prefix=teacher-fixed&signal=forward-kl&lambda=0.5&beta=0.5&steps=300&lr=0.002&ts=1&tl=1&seeds=3&probe=10';
/** Probes drawn before the picture: 12 of 31, a run caught part-way. */
const POINTS = 12;

async function main(): Promise<void> {
  const file = join(packageRoot(), 'docs', 'lab.png');
  const session = await openLab(false);
  try {
    const page = await loadPage(session, HASH);
    await page.click('#play');
    await waitForPoints(page, POINTS);
    await page.click('#pause');
    await page.waitForFunction(() => /paused/.test(document.querySelector('#status')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.screenshot({ path: file, fullPage: true });
    console.log(`lab screenshot: ${file}`);
  } finally {
    await session.close();
  }
}

main().catch((e: Error) => {
  console.error(`lab screenshot: ${e.message}`);
  process.exit(1);
});
