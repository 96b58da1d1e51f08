// `npm run bench:lab`: how fast the lab is, against the CLI on this machine, in one run:
//   - from pressing Play to the first point on the chart (the default settings: one seed);
//   - the demo's four arms (experiments/demo.json: 3 seeds, 300 steps each) played one after
//     another in the page, against `traitlab demo` (wasm) with its default worker threads and
//     with --jobs 1, and the page's time per optimizer step;
// each with the page served plainly (wasm on one thread) and cross-origin isolated (wasm may use
// threads). Medians of `--repeat` runs (default 3) for the first point; the arms once each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/run/package-root.js';
import { chartPoints, loadPage, openLab, waitForDone, waitForPoints } from './lab-page.js';

const DEMO_ARMS = [
  'student=same-init&prefix=teacher-fixed&signal=forward-kl',
  'student=cross-init&prefix=teacher-fixed&signal=forward-kl',
  'student=same-init&prefix=student&signal=reverse-kl',
  'student=cross-init&prefix=student&signal=reverse-kl',
];
const DEMO = 'target=owl&lambda=0.5&beta=0.5&steps=300&lr=0.002&ts=1&tl=1&seeds=3&probe=50';
const DEFAULTS = 'target=owl&student=same-init&prefix=teacher-fixed&signal=forward-kl&lambda=0.5&beta=0.5&steps=300&lr=0.002&ts=1&tl=1&seeds=1&probe=10';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface PageFigures {
  firstPointMs: number;
  demoMs: number;
  /** Per arm: ms from the first point (step 0) to done, over its 300 steps. */
  msPerStep: number;
  threads: string;
}

async function measurePage(isolated: boolean, repeat: number): Promise<PageFigures> {
  const session = await openLab(isolated);
  try {
    const firsts: number[] = [];
    let threads = '';
    for (let i = 0; i < repeat; i++) {
      const page = await loadPage(session, DEFAULTS);
      threads = (await page.locator('#status').textContent()) ?? '';
      const t0 = Date.now();
      await page.click('#play');
      await waitForPoints(page, 1);
      firsts.push(Date.now() - t0);
      await page.close();
    }
    let demoMs = 0;
    const perStep: number[] = [];
    for (const arm of DEMO_ARMS) {
      const page = await loadPage(session, `${arm}&${DEMO}`);
      const t0 = Date.now();
      await page.click('#play');
      await waitForPoints(page, 1);
      const t1 = Date.now();
      await waitForDone(page);
      const t2 = Date.now();
      if ((await chartPoints(page)) !== 7) throw new Error(`arm ${arm}: expected 7 probes drawn`);
      demoMs += t2 - t0;
      perStep.push((t2 - t1) / 300);
      await page.close();
    }
    return { firstPointMs: median(firsts), demoMs, msPerStep: median(perStep), threads: /one thread|thread/.exec(threads) ? threads.replace(/^.*·\s*/, '') : threads };
  } finally {
    await session.close();
  }
}

function cliDemo(jobs: string | null): number {
  const out = mkdtempSync(join(tmpdir(), 'traitlab-lab-timing-'));
  const args = [join(packageRoot(), 'dist', 'src', 'cli', 'index.js'), 'demo', '--backend', 'wasm', '--out', join(out, 'run'), ...(jobs ? ['--jobs', jobs] : [])];
  const t0 = Date.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, TRAITLAB_CACHE: join(out, 'cache') } });
  if (run.status !== 0) throw new Error(`traitlab demo failed: ${run.stderr}`);
  return Date.now() - t0;
}

async function main(): Promise<void> {
  const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1] ?? 3) || 3;
  const plain = await measurePage(false, repeat);
  const isolated = await measurePage(true, repeat);
  const cli = cliDemo(null);
  const cliOne = cliDemo('1');
  const row = (name: string, p: PageFigures) =>
    `${name}: first point ${seconds(p.firstPointMs)}; demo's 4 arms ${seconds(p.demoMs)} = ${(p.demoMs / cli).toFixed(2)}× traitlab demo, ${(p.demoMs / cliOne).toFixed(2)}× with --jobs 1; ${p.msPerStep.toFixed(1)} ms per step (3 seeds); ${p.threads}`;
  console.log(row('page, plain static host', plain));
  console.log(row('page, cross-origin isolated', isolated));
  console.log(`traitlab demo (wasm): ${seconds(cli)}; with --jobs 1: ${seconds(cliOne)}`);
  console.log(`isolated / plain, time per step: ${(isolated.msPerStep / plain.msPerStep).toFixed(2)}`);
}

main().catch((e: Error) => {
  console.error(`bench:lab: ${e.message}`);
  process.exit(1);
});
