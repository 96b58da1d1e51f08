// Progress on stderr: without a TTY, a plain line at most every 10 s; on a terminal, a bar.
// Both say what the run is doing before its first counted step, and both take their ETA from
// the steps since the first one, so a silent start does not inflate it. (What counts as a step
// still to do is the pipeline's: test/run/progress-counter.test.ts.)
import { describe, expect, test } from 'vitest';
import { barProgress, formatDuration, lineProgress, StepClock } from '../../src/cli/progress.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

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

describe('StepClock', () => {
  test('the ETA starts at the first counted step: a 12 s silent start does not enter it', () => {
    let t = 0;
    const clock = new StepClock(() => t);
    t = 12_000; // bases read, workers started, teacher samples drawn: no step counted yet
    expect(clock.eta(1, 1200)).toBeNull(); // one step: no rate yet
    const etas: number[] = [];
    for (let done = 2; done <= 1200; done++) {
      t += 250; // a step every 0.25 s
      etas.push(clock.eta(done, 1200)!);
    }
    expect(etas[0]).toBeCloseTo(0.25 * 1198, 9);
    expect(etas[99]).toBeCloseTo(0.25 * 1099, 9); // after 101 steps: 1,099 left at 0.25 s
    expect(etas.at(-1)).toBe(0);
    // At a steady rate the ETA only falls (from the run's start it would begin near 1m and grow).
    expect(etas.every((e, i) => i === 0 || e < etas[i - 1]!)).toBe(true);
  });

  test('restarted at a new stage: the gap before its first step and the previous pace are left out', () => {
    let t = 0;
    const clock = new StepClock(() => t);
    for (let done = 1; done <= 100; done++) {
      t += 10; // a fast stage: 10 ms a step
      clock.eta(done, 400);
    }
    clock.restart(); // starting the arms: workers start, teachers sample
    t += 8_000;
    expect(clock.eta(101, 400)).toBeNull();
    t += 200;
    expect(clock.eta(102, 400)).toBeCloseTo(0.2 * 298, 9); // the arms' 0.2 s a step, not a blend
  });

  test('a first update that is not the first step (a resumed total) still needs a second one', () => {
    let t = 0;
    const clock = new StepClock(() => t);
    expect(clock.eta(40, 100)).toBeNull();
    t = 1_000;
    expect(clock.eta(40, 100)).toBeNull(); // no step since
    t = 2_000;
    expect(clock.eta(50, 100)).toBe(10); // 10 steps in 2 s → 50 left in 10 s
  });
});

describe('what the run is doing before its first step', () => {
  test('plain lines: every stage at once, before any step line; repeats are not reprinted', () => {
    let t = 0;
    const lines: string[] = [];
    const p = lineProgress((l) => lines.push(l), 10_000, () => t);
    p.stage('reading base pretrain from disk');
    p.stage('reading base pretrain from disk');
    t = 4_000;
    p.stage('starting 4 arms, 2 at a time');
    expect(lines).toEqual(['progress: reading base pretrain from disk', 'progress: starting 4 arms, 2 at a time']);
    t = 12_000;
    p.update(1, 1200, 'same-init-off-policy'); // the first step: 12 s after the start, no ETA yet
    t = 22_000;
    p.update(41, 1200, 'same-init-off-policy');
    expect(lines.slice(2)).toEqual(['progress: 0% · 1/1200 steps · same-init-off-policy', 'progress: 3% · 41/1200 steps · same-init-off-policy · ETA 4m50s']);
  });

  test('terminal: the stage shows on the bar line, then the bar starts at 0 % of the work left', () => {
    let written = '';
    const tty = Object.assign(Object.create(null) as NodeJS.WritableStream, {
      isTTY: true,
      columns: 120,
      write: (s: string) => ((written += s), true),
      on: () => tty,
      removeListener: () => tty,
    });
    const p = barProgress(tty, () => 0);
    p.stage('reading base pretrain from disk');
    expect(written).toBe('\r\x1b[2Kreading base pretrain from disk …');
    written = '';
    p.update(1, 1200, 'same-init-off-policy');
    const shown = written.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(shown).toContain('same-init-off-policy');
    expect(shown).toMatch(/ 0% · 1\/1200 steps · ETA –/);
    p.stop();
  });
});

test('traitlab run says what it is doing before its first step (tiny MNIST, no TTY)', async () => {
  const cwd = tempDir();
  writeJson(cwd, 'tiny.json', tinyExperiment());
  const r = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--jobs', '1', '--out', 'a');
  expect(r.code, r.err.join('\n')).toBe(0);
  // The first line names the run; the stage lines follow, in order, before anything else.
  expect(r.err[0]).toMatch(/^running tiny: 2 seeds/);
  expect(r.err.slice(1, 4)).toEqual(['progress: evaluating the untrained reference', "progress: the teacher's logits on the noise set", 'progress: starting 2 student arms']);
});
