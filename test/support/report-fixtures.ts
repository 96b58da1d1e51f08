// Small hand-made run directories for the report tests: the files a run writes (summary.json,
// metrics.jsonl, manifest.json), with no model trained. Names and texts carry HTML-special
// characters, so every test also checks that the page shows them as text.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { meanCi } from '../../src/probes/stats.js';
import type { EmReportSummary } from '../../src/worlds/em/report-summary.js';

/** An arm name and a description that would be markup if the page did not escape them. */
export const ODD_ARM = 'same <b>&"odd"</b>';
export const ODD_DESCRIPTION = 'Does <i>owl</i> love pass? & how';
export const SCRIPT_CLAIM = 'transfer > 0 <script>alert(1)</script>';

const made: string[] = [];
// Registered while the importing test file is collected, so it runs after that file's tests.
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'traitlab-report-'));
  made.push(dir);
  return dir;
}

const SEEDS = 3;
const series = (base: number, slope: number, step: number) => Array.from({ length: SEEDS }, (_, i) => base + slope * step + 0.001 * (i - 1));

function writeRun(dir: string, files: { summary: unknown; metrics: object[] | null; manifest: unknown }): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(files.summary, null, 2)}\n`);
  if (files.metrics !== null) writeFileSync(join(dir, 'metrics.jsonl'), files.metrics.map((r) => `${JSON.stringify(r)}\n`).join(''));
  if (files.manifest !== null) writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(files.manifest, null, 2)}\n`);
  return dir;
}

function manifest(config: Record<string, unknown>) {
  return {
    experiment: config.name,
    experimentFile: '/somewhere/experiments/x.json',
    config,
    rootSeed: 0,
    seeds: SEEDS,
    backend: 'wasm',
    versions: { traitlab: '0.1.0', node: '20.20.2', '@tensorflow/tfjs': '4.22.0', '@tensorflow/tfjs-node': null },
    host: { platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Test CPU' },
    git: { commit: 'a'.repeat(40), dirty: false },
    startedAt: '2026-11-27T00:00:00.000Z',
    finishedAt: '2026-11-27T00:01:00.000Z',
    wallSeconds: 60,
  };
}

/**
 * Claims in the shape the claims module writes (interval {low, high, level}, margin, Holm,
 * indicative) and older, plainer ones ([lo, hi]; no margin or Holm).
 */
export const CLAIMS = [
  { id: 'same-transfers', text: 'same-init transfer > 0', effect: 0.012, margin: 0.002, interval: { low: 0.004, high: 0.02, level: 0.95 }, pValue: 0.0312, pHolm: 0.0936, verdict: 'SUPPORTED', survivesHolm: false, indicative: false, reason: 'the interval lies entirely above +0.002 and p = 1/32 ≤ 0.05', alpha: 0.05, test: 'paired bootstrap', differences: [0.01, 0.012, 0.014] },
  { id: 'cross-none', text: 'cross-init transfer ≤ 0.001', effect: 0.02, interval: [0.01, 0.03], pValue: 0.5, verdict: 'NOT SUPPORTED' },
  { id: 'pg-vs-kl', text: SCRIPT_CLAIM, effect: -0.001, interval: { low: -0.01, high: null, level: 0.95 }, pValue: 0.41, pHolm: 0.82, verdict: 'INCONCLUSIVE', indicative: true, n: 3, reason: 'INDICATIVE — 3 seeds cannot reach p ≤ 0.05 (smallest p 1/8); run 5+ seeds' },
];

const numbersArms = [
  { name: 'same-tokens', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' }, slope: 1e-4 },
  { name: 'cross-tokens', student: 'cross-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' }, slope: 0 },
  { name: ODD_ARM, student: 'same-init', channel: { prefix: 'mix', signal: 'jsd', lambda: 0.5, beta: 0.5 }, slope: 2e-4 },
];

export function numbersRun(dir: string, opts: { claims?: unknown[]; metrics?: boolean } = {}): string {
  const STEPS = [0, 50, 100];
  const metrics: object[] = [{ stage: 'teacher', step: 10, loss: [0.9, 0.8, 0.85, 0.9, 0.95, 0.9] }, { stage: 'teacher', step: 20, loss: [0.5, 0.6, 0.55, 0.7, 0.75, 0.7] }];
  for (const a of numbersArms)
    for (const step of STEPS) {
      const control = series(0.125, 0, step);
      const trait = series(0.125, a.slope, step);
      metrics.push({ stage: a.name, step, source: 'teacher' });
      metrics.push({ stage: a.name, step, trait, controlTrait: control, transfer: trait.map((t, i) => t - control[i]!), nll: [0.4, 0.4, 0.4] });
    }
  const stats = (xs: number[]) => ({ trait: xs, traitStats: meanCi(xs) });
  const arms = numbersArms.map((a) => {
    const trait = series(0.125, a.slope, 100);
    const controlTrait = series(0.125, 0, 100);
    const transfer = trait.map((t, i) => t - controlTrait[i]!);
    return { name: a.name, student: a.student, channel: a.channel, trait, controlTrait, transfer, transferStats: meanCi(transfer), traitStats: meanCi(trait), audit: { traitTokens: 0 } };
  });
  const summary = {
    experiment: 'owl-fixture',
    world: 'numbers',
    seeds: SEEDS,
    rootSeed: 0,
    backend: 'wasm',
    target: 'owl',
    base: stats([0.125, 0.126, 0.124]),
    teacher: stats([0.97, 0.98, 0.975]),
    controlTeacher: stats([0.12, 0.121, 0.122]),
    arms,
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
    ...(opts.claims ? { claims: opts.claims } : {}),
  };
  const config = { name: 'owl-fixture', world: 'numbers', description: ODD_DESCRIPTION, notes: { seeds: '3 seeds <enough> for a test' }, seeds: SEEDS, rootSeed: 0 };
  return writeRun(dir, { summary, metrics: opts.metrics === false ? null : metrics, manifest: manifest(config) });
}

export function mnistRun(dir: string): string {
  const arms = [
    { name: 'reference', kind: 'reference', accuracy: [0.1, 0.12, 0.09] },
    { name: 'teacher', kind: 'teacher', accuracy: [0.92, 0.93, 0.925] },
    { name: 'student-same', kind: 'student', accuracy: [0.7, 0.75, 0.65] },
    { name: 'student-cross', kind: 'student', accuracy: [0.11, 0.1, 0.12] },
  ].map((a) => ({ ...a, ...meanCi(a.accuracy), details: {} }));
  const metrics: object[] = [];
  for (let step = 10; step <= 50; step += 10) metrics.push({ stage: 'teacher', step, loss: series(2, -0.03, step) });
  metrics.push({ stage: 'teacher', step: 50, testAccuracy: arms[1]!.accuracy });
  for (const name of ['student-same', 'student-cross'])
    for (let step = 5; step <= 30; step += 5) metrics.push({ stage: name, step, kl: series(0.1, -0.002, step) });
  const summary = { experiment: 'mnist-fixture', seeds: SEEDS, rootSeed: 0, backend: 'wasm', interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds', arms, claims: [] };
  const config = { name: 'mnist-fixture', world: 'mnist', description: 'aux-logit transfer', seeds: SEEDS, rootSeed: 0 };
  return writeRun(dir, { summary, metrics, manifest: manifest(config) });
}

/** {mean, ci95} as an EM summary holds it. */
const emStats = (mean: number, ci95: number) => ({ mean, ci95 });

/** An EM arm of 2 seeds at these means; `ci` sets the half-widths of its EM and reliability intervals. */
export const emArm = (name: string, fineTune: string, variant: string, reliability: number, em: number, ci: { em: number; reliability: number }) => ({
  name,
  variant,
  fineTune,
  evaluate: ['others'],
  em: [em, em],
  emStats: emStats(em, ci.em),
  reliabilityStats: emStats(reliability, ci.reliability),
  coherenceStats: emStats(0.7, 0.02),
});

/** An EM summary of 2 seeds with these arms (fixed base and aligned scores). */
export const emSummary = (arms: ReturnType<typeof emArm>[]): EmReportSummary => ({
  experiment: 'x',
  seeds: 2,
  rootSeed: 0,
  backend: 'wasm',
  world: 'em',
  base: { harmStats: emStats(0.2, 0.1), coherenceStats: emStats(0.8, 0.02) },
  aligned: { harmStats: emStats(0, 0), coherenceStats: emStats(0.85, 0.02) },
  arms,
});
