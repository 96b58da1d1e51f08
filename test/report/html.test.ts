// The report page without a browser: one SVG per expected chart, arm names, escaped text, the
// claims table with every verdict as written, the manifest, and what a missing file leaves out.
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildReport, type BuiltReport } from '../../src/report/build-report.js';
import { readRunData } from '../../src/report/run-data.js';
import { CLAIMS, mnistRun, numbersRun, ODD_ARM, ODD_DESCRIPTION, SCRIPT_CLAIM, tempDir } from '../support/report-fixtures.js';

const figures = (html: string) => [...html.matchAll(/<figure class="chart" id="([^"]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({ id: m[1]!, body: m[2]! }));
const svgCount = (html: string) => (html.match(/<svg[\s>]/g) ?? []).length;

async function report(dir: string): Promise<BuiltReport> {
  return buildReport(readRunData(dir));
}

describe('numbers-world report', () => {
  let r: BuiltReport;
  beforeAll(async () => {
    r = await report(numbersRun(join(tempDir(), 'run'), { claims: CLAIMS }));
  });

  test('one inline SVG per chart: transfer bars, transfer curves, p(owl) curves', () => {
    expect(figures(r.html).map((f) => f.id)).toEqual(['transfer-bars', 'transfer-curves', 'trait-curves']);
    for (const f of figures(r.html)) expect(svgCount(f.body)).toBe(1);
    expect(svgCount(r.html)).toBe(3);
    expect(r.warnings).toEqual([]);
  });

  test('curves have one panel per student and a line and band per channel', () => {
    const curves = figures(r.html).find((f) => f.id === 'transfer-curves')!.body;
    for (const label of ['same-init', 'cross-init', 'teacher-fixed+tokens', 'mix+jsd λ=0.5 β=0.5']) expect(curves).toContain(label);
    expect(curves).toMatch(/role-mark[^"]*"[^>]*>[\s\S]*<path/); // marks drawn
  });

  test('arm names appear, and HTML-special text is escaped everywhere', () => {
    for (const arm of ['same-tokens', 'cross-tokens']) expect(r.html).toContain(arm);
    expect(r.html).toContain('same &lt;b&gt;&amp;&quot;odd&quot;&lt;/b&gt;');
    expect(r.html).not.toContain(ODD_ARM);
    expect(r.html).toContain('Does &lt;i&gt;owl&lt;/i&gt; love pass? &amp; how');
    expect(r.html).not.toContain(ODD_DESCRIPTION);
    expect(r.html).not.toContain(SCRIPT_CLAIM);
    expect(r.html).toContain('3 seeds &lt;enough&gt; for a test');
  });

  test('self-contained: no script, no external reference, a CSP that loads nothing', () => {
    expect(r.html).not.toMatch(/<script/i);
    expect(r.html).not.toMatch(/\s(src|href)="(?!#|data:)/);
    expect(r.html).toContain(`content="default-src 'none'`);
    // Chart ids are namespaced per chart, so clip paths never collide across charts.
    const ids = [...r.html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('claims table: one row per claim, verdicts as written, INCONCLUSIVE marked as such', () => {
    const rows = [...r.html.matchAll(/<tr class="claim ([a-z-]+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((m) => m[1])).toEqual(['supported', 'not-supported', 'inconclusive']);
    expect(rows[2]![2]).toContain('<span class="verdict inconclusive">INCONCLUSIVE</span>');
    expect(rows[0]![2]).toContain('95 % [+0.004, +0.02]');
    expect(rows[1]![2]).toContain('[+0.01, +0.03]');
    expect(rows[2]![2]).toContain('95 % [-0.01, +∞]');
    expect(rows[0]![2]).toContain('<td class="n">0.0312</td><td class="n">0.0936</td>'); // p, then p (Holm), side by side
    expect(rows[0]![2]).toContain('<td class="n">0.002</td>'); // the margin
    expect(rows[0]![2]).toContain('the interval lies entirely above +0.002 and p = 1/32 ≤ 0.05');
    expect(rows[0]![2]).toContain('<span class="mark holm-lost">not after Holm</span>');
    expect(rows[2]![2]).toContain('<span class="verdict inconclusive">INCONCLUSIVE</span><span class="mark indicative">indicative</span>');
    expect(rows[2]![2]).toContain('INDICATIVE — 3 seeds cannot reach p ≤ 0.05 (smallest p 1/8); run 5+ seeds');
    expect(rows[0]![2]).toContain('paired bootstrap'); // an extra field, kept in the row's details
    expect(r.html).toContain('3 claims: 1 of 3 SUPPORTED, 0 survive Holm at α 0.05; 1 indicative (3 seeds); 1 NOT SUPPORTED, 1 INCONCLUSIVE.');
  });

  test('results table and manifest block', () => {
    expect(r.html).toContain('base p(owl) 0.1250 ± ');
    expect(r.html).toContain('mix+jsd λ=0.5 β=0.5');
    expect(r.html).toContain('a'.repeat(40));
    expect(r.html).toContain('(clean)');
    expect(r.html).toContain('@tensorflow/tfjs-node</code> not installed');
    expect(r.html).toContain('resolved config');
  });

  test('the resolved config is folded away (a closed <details>) and its long lines wrap', () => {
    expect(r.html).toMatch(/<details class="config"><summary>resolved config \(\d+ lines of JSON\)<\/summary><pre class="config">\{\n  &quot;name&quot;: &quot;owl-fixture&quot;/);
    expect(r.html).not.toMatch(/<details[^>]*\sopen[\s>]/);
    expect(r.html).toContain('pre.config{white-space:pre-wrap;overflow-wrap:anywhere}');
  });
});

describe('MNIST report', () => {
  let r: BuiltReport;
  beforeAll(async () => {
    r = await report(mnistRun(join(tempDir(), 'run')));
  });

  test('accuracy bars and one loss chart per logged metric (teacher loss, student KL)', () => {
    expect(figures(r.html).map((f) => f.id)).toEqual(['accuracy-bars', 'curve-1-loss', 'curve-2-kl']);
    expect(svgCount(r.html)).toBe(3);
    expect(r.warnings).toEqual([]);
    const kl = figures(r.html).find((f) => f.id === 'curve-2-kl')!.body;
    expect(kl).toContain('student-same');
    expect(kl).toContain('student-cross');
  });

  test('arms with their accuracy; no claims section when there are no claims', () => {
    for (const arm of ['reference', 'teacher', 'student-same', 'student-cross']) expect(r.html).toContain(`<td>${arm}</td>`);
    expect(r.html).toContain('70.0 % ± ');
    expect(r.html).not.toContain('<h2>Claims</h2>');
  });
});

test('without metrics.jsonl: the bars, and a note that there are no curves', async () => {
  const r = await report(numbersRun(join(tempDir(), 'run'), { metrics: false }));
  expect(figures(r.html).map((f) => f.id)).toEqual(['transfer-bars']);
  expect(r.html).toContain('metrics.jsonl is missing from this run directory');
});
