// The numbers-world terminal table is a pure function of the summary.
import { describe, expect, test } from 'vitest';
import type { NumbersRunSummary } from '../../src/worlds/numbers/experiment.js';
import { meanCi } from '../../src/probes/stats.js';
import { formatNumbersTable } from '../../src/worlds/numbers/table.js';
import { armDrift } from '../../src/probes/drift.js';

const stats = (xs: number[]) => ({ trait: xs, traitStats: meanCi(xs) });

function summary(): NumbersRunSummary {
  const trait = [0.15, 0.17];
  const control = [0.12, 0.13];
  const transfer = trait.map((x, i) => x - control[i]!);
  return {
    experiment: 'owl-test',
    world: 'numbers',
    seeds: 2,
    rootSeed: 4,
    backend: 'wasm',
    target: 'owl',
    base: stats([0.125, 0.13]),
    teacher: stats([0.98, 0.97]),
    controlTeacher: stats([0.12, 0.121]),
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
    arms: [
      {
        name: 'same-mix',
        student: 'same-init',
        channel: { prefix: 'mix', signal: 'jsd', lambda: 0.5, beta: 0.25 },
        trait,
        controlTrait: control,
        transfer,
        transferStats: meanCi(transfer),
        traitStats: meanCi(trait),
        sampledRate: [0.2, 0.1],
        controlSampledRate: [0.1, 0.1],
        nll: [0.4, 0.5],
        agreement: [0.9, 0.8],
        forwardKl: [0.01, 0.03],
        reverseKl: [0.02, 0.02],
        audit: { traitTokens: 0 },
        drift: armDrift(
          [[0.2, 0.8], [0.5, 0.5], [0.2, 0.8], [0.5, 0.5]],
          [[0.3, 0.7], [0.7, 0.3], [0.2, 0.8], [0.6, 0.4]],
          0,
          2,
        ), // TV: trait students 0.1, 0.2 (mean 0.15); controls 0, 0.1 (mean 0.05)
        budget: { steps: 10, trainedTokens: [100, 100], filteredRows: [0, 0], teacherRows: 0, studentRows: 0, studentSteps: 0 },
      },
    ],
  };
}

describe('formatNumbersTable', () => {
  test('prints the teachers, one row per arm with transfer mean ± CI, and the run directory', () => {
    const lines = formatNumbersTable(summary(), 'runs/x').split('\n');
    expect(lines[0]).toBe('owl-test · 2 seeds · root seed 4 · backend wasm');
    expect(lines[1]).toBe('base p(owl) 0.128 ± 0.032 · teacher p(owl) 0.975 ± 0.064 · control teacher p(owl) 0.120 ± 0.006');
    const row = lines.find((l) => l.startsWith('same-mix'))!;
    // transfer = [0.03, 0.04]: mean 0.035, half-width 12.706 · 0.00707 / √2 = 0.0635
    expect(row).toContain('mix+jsd λ=0.5 β=0.25');
    expect(row).toContain('+0.035 ± 0.064');
    expect(row).toContain('0.160 ± 0.127'); // p(owl) of the trait students
    expect(row).toContain(' 0.150/0.050 '); // drift TV of the trait / control students
    expect(row.trim().endsWith(' 0')).toBe(true); // the audit column
    expect(lines.at(-1)).toBe('run directory: runs/x');
  });

  test('a summary from before the drift was measured shows – in its column', () => {
    const s = summary();
    delete (s.arms[0] as Partial<NumbersRunSummary['arms'][number]>).drift;
    const row = formatNumbersTable(s, 'runs/x').split('\n').find((l) => l.startsWith('same-mix'))!;
    expect(row).toMatch(/ – +0$/);
  });
});
