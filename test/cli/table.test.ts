// The terminal table is a pure function of the summary.
import { describe, expect, test } from 'vitest';
import type { MnistRunSummary as RunSummary } from '../../src/worlds/mnist/summary.js';
import { formatMeanCi, formatMnistTable, MAX_SEED_COLUMNS } from '../../src/worlds/mnist/table.js';

const summary: RunSummary = {
  experiment: 'mnist-aux-logits',
  seeds: 3,
  rootSeed: 0,
  backend: 'wasm',
  interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
  arms: [
    { name: 'reference', kind: 'reference', accuracy: [0.098, 0.101, 0.1], mean: 0.0997, ci95: 0.0038, details: {} },
    { name: 'student-aux-same-init', kind: 'student', accuracy: [0.7, 0.63, 0.65], mean: 0.661, ci95: 0.042, details: { student: 'same-init' } },
  ],
};

describe('formatMnistTable', () => {
  const table = formatMnistTable(summary, 'runs/mnist-aux-logits-20250101-000000-abcdef');
  const lines = table.split('\n');

  test('one row per arm with name, kind, mean ± CI in percent, and per-seed values', () => {
    const row = lines.find((l) => l.startsWith('student-aux-same-init'))!;
    expect(row).toMatch(/^student-aux-same-init +student +66\.1 ± +4\.2 % +70\.0 +63\.0 +65\.0$/);
    expect(lines.find((l) => l.startsWith('reference '))).toMatch(/reference +10\.0 ± +0\.4 % +9\.8 +10\.1 +10\.0$/);
  });

  test('the ± signs line up', () => {
    const rows = lines.filter((l) => summary.arms.some((a) => l.startsWith(`${a.name} `)));
    expect(rows).toHaveLength(summary.arms.length);
    const cols = rows.map((l) => l.indexOf('±'));
    expect(new Set(cols).size).toBe(1);
  });

  test('names the run, the interval and the run directory', () => {
    expect(lines[0]).toBe('mnist-aux-logits · 3 seeds · root seed 0 · backend wasm');
    expect(table).toContain(summary.interval);
    expect(lines.at(-1)).toBe('run directory: runs/mnist-aux-logits-20250101-000000-abcdef');
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });

  test('a single seed has no interval; many seeds are elided', () => {
    expect(formatMeanCi(0.5, Number.NaN)).toBe('50.0 ± – %');
    const many = { ...summary, seeds: 25, arms: [{ ...summary.arms[0]!, accuracy: Array.from({ length: 25 }, () => 0.1) }] };
    const row = formatMnistTable(many, 'x').split('\n').find((l) => l.startsWith('reference '))!;
    expect(row.match(/10\.0/g)).toHaveLength(MAX_SEED_COLUMNS + 1); // the mean and the shown seeds
    expect(row).toContain(`(+${25 - MAX_SEED_COLUMNS} more in summary.json)`);
  });
});
