// Without a TTY, progress is a plain line at most every 10 s.
import { expect, test } from 'vitest';
import { formatDuration, lineProgress } from '../../src/cli/progress.js';

test('plain progress lines are rate-limited and carry stage and ETA', () => {
  let t = 0;
  const lines: string[] = [];
  const p = lineProgress((l) => lines.push(l), 10_000, () => t);
  t = 1_000;
  p.update(1, 100, 'teacher');
  expect(lines).toEqual([]);
  t = 10_000;
  p.update(10, 100, 'teacher');
  t = 15_000;
  p.update(15, 100, 'teacher');
  t = 20_000;
  p.update(20, 100, 'student-aux');
  expect(lines).toEqual(['progress: 10% · 10/100 steps · teacher · ETA 1m30s', 'progress: 20% · 20/100 steps · student-aux · ETA 1m20s']);
});

test('formatDuration', () => {
  expect(formatDuration(42)).toBe('42s');
  expect(formatDuration(185)).toBe('3m05s');
  expect(formatDuration(3720)).toBe('1h02m');
});
