// The end-to-end peer benchmark's pure half (bench/peer-e2e.ts): script names, reading an e2e
// script's JSON and traitlab's summary.json, and the two tables. Fixed figures in, exact text out.
import { describe, expect, it } from 'vitest';
import { armsTable, e2eScript, e2eTable, parseE2eJson, traitlabArms, type ArmResult } from '../../bench/peer-e2e.js';

const SCRIPT = 'bench/peer/mnist_aux_logits_e2e.py';
const report = {
  experiment: 'mnist-aux-logits',
  wall_s: 149.2,
  phases: { data_s: 0.1, teacher_s: 28.4, targets_s: 1.2, students_s: 119.5 },
  arms: {
    reference: { metric: 'accuracy', mean: 0.115, half_width: 0.032, n: 5 },
    teacher: { metric: 'accuracy', mean: 0.918, half_width: 0.003, n: 5 },
    'student-aux-same-init': { metric: 'accuracy', mean: 0.658, half_width: null, n: 1 },
  },
  torch: '1.13.0a0',
  blas: 'OpenBLAS 0.3.21',
  threads: 2,
  peak_rss_mib: 405.3,
};
const json = JSON.stringify(report);

describe('e2eScript', () => {
  it('is bench/peer/<name with - as _>_e2e.py', () => {
    expect(e2eScript('mnist-aux-logits')).toBe(SCRIPT);
    expect(e2eScript('numbers-owl')).toBe('bench/peer/numbers_owl_e2e.py');
  });
});

describe('parseE2eJson', () => {
  it('reads the last line of stdout', () => {
    expect(parseE2eJson(`a warning\n${json}\n`, SCRIPT)).toEqual({
      experiment: 'mnist-aux-logits',
      wallS: 149.2,
      phases: report.phases,
      arms: {
        reference: { metric: 'accuracy', mean: 0.115, halfWidth: 0.032, n: 5 },
        teacher: { metric: 'accuracy', mean: 0.918, halfWidth: 0.003, n: 5 },
        'student-aux-same-init': { metric: 'accuracy', mean: 0.658, halfWidth: null, n: 1 },
      },
      torch: '1.13.0a0',
      blas: 'OpenBLAS 0.3.21',
      threads: 2,
      peakRssMib: 405.3,
    });
  });

  it('rejects output that is not the expected object, in one line naming the script', () => {
    const bad = (o: Record<string, unknown>) => () => parseE2eJson(JSON.stringify({ ...report, ...o }), SCRIPT);
    expect(() => parseE2eJson('Traceback (most recent call last):', SCRIPT)).toThrow(`peer: ${SCRIPT} printed no JSON object (last line: "Traceback (most recent call last):")`);
    expect(() => parseE2eJson('', SCRIPT)).toThrow(`peer: ${SCRIPT} printed no JSON object (last line: "")`);
    expect(() => parseE2eJson('[1]', SCRIPT)).toThrow(`peer: ${SCRIPT} printed JSON that is not an object`);
    expect(bad({ experiment: 3 })).toThrow(`peer: ${SCRIPT}: experiment is not a string, got 3`);
    expect(bad({ blas: undefined })).toThrow(`peer: ${SCRIPT}: torch and blas must be strings, got ["1.13.0a0",null]`);
    expect(bad({ wall_s: 0 })).toThrow(`peer: ${SCRIPT}: wall_s is not a positive number, got 0`);
    expect(bad({ peak_rss_mib: undefined })).toThrow(`peer: ${SCRIPT}: peak_rss_mib is not a positive number, got nothing`);
    expect(bad({ phases: { teacher_s: 'x' } })).toThrow(`peer: ${SCRIPT}: phases.teacher_s is not a number of seconds, got "x"`);
    expect(bad({ arms: {} })).toThrow(`peer: ${SCRIPT}: arms is not a non-empty object, got {}`);
    expect(bad({ arms: { teacher: { metric: 'accuracy', mean: '0.9', half_width: 0, n: 5 } } })).toThrow(
      `peer: ${SCRIPT}: arms.teacher.mean is not a number or null, got "0.9"`,
    );
    expect(bad({ arms: { teacher: { metric: 'accuracy', mean: 0.9, half_width: 0, n: 0 } } })).toThrow(`peer: ${SCRIPT}: arms.teacher.n is not a positive integer, got 0`);
    expect(bad({ arms: { teacher: { mean: 0.9, half_width: 0, n: 5 } } })).toThrow(`peer: ${SCRIPT}: arms.teacher.metric is not a string, got nothing`);
  });
});

describe('traitlabArms', () => {
  it('reads MNIST accuracy, numbers transfer and EM rate per arm, null for NaN, in file order', () => {
    const summary = {
      experiment: 'x',
      arms: [
        { name: 'teacher', kind: 'teacher', accuracy: [0.91, 0.92, 0.93], mean: 0.92, ci95: 0.0248 },
        { name: 'one-seed', kind: 'student', accuracy: [0.5], mean: 0.5, ci95: null },
        { name: 'same-teacher-fixed-tokens', transfer: [0.01, 0.012], transferStats: { mean: 0.011, ci95: 0.0127, n: 2 }, traitStats: { mean: 0.13, ci95: 0.007 } },
        { name: 'em-arm', em: [0.2, 0.3], emStats: { mean: 0.25, ci95: 0.6 } },
        { name: 'odd-shape', score: 3 },
      ],
    };
    expect(traitlabArms(summary)).toEqual({
      teacher: { metric: 'accuracy', mean: 0.92, halfWidth: 0.0248, n: 3 },
      'one-seed': { metric: 'accuracy', mean: 0.5, halfWidth: null, n: 1 },
      'same-teacher-fixed-tokens': { metric: 'transfer', mean: 0.011, halfWidth: 0.0127, n: 2 },
      'em-arm': { metric: 'em', mean: 0.25, halfWidth: 0.6, n: 2 },
    });
    expect(traitlabArms({ experiment: 'x' })).toEqual({});
    expect(traitlabArms(null)).toEqual({});
  });
});

describe('e2eTable', () => {
  it('prints wall time, peak RSS and the ratio; — for a side that did not run, n/a for RSS off Linux', () => {
    expect(
      e2eTable([
        { experiment: 'mnist-aux-logits', traitlab: { wallS: 612.34, peakRssMib: 1012.6 }, pytorch: { wallS: 149.2, peakRssMib: 405.3 } },
        { experiment: 'numbers-owl', traitlab: { wallS: 1500, peakRssMib: null }, pytorch: null },
        { experiment: 'em-room', traitlab: null, pytorch: { wallS: 30, peakRssMib: 200 } },
      ]),
    ).toEqual([
      'experiment        traitlab s  traitlab peak RSS MiB  PyTorch s  PyTorch peak RSS MiB  traitlab / PyTorch',
      '----------------  ----------  ---------------------  ---------  --------------------  ------------------',
      'mnist-aux-logits       612.3                   1013      149.2                   405                4.1×',
      'numbers-owl           1500.0                    n/a          —                     —                   —',
      'em-room                    —                      —       30.0                   200                   —',
    ]);
  });
});

describe('armsTable', () => {
  const t: Record<string, ArmResult> = {
    reference: { metric: 'accuracy', mean: 0.117, halfWidth: 0.0293, n: 5 },
    teacher: { metric: 'accuracy', mean: 0.9243, halfWidth: 0.003, n: 5 },
    'traitlab-only': { metric: 'accuracy', mean: null, halfWidth: null, n: 5 },
  };
  const p: Record<string, ArmResult> = {
    teacher: { metric: 'accuracy', mean: 0.918, halfWidth: 0.0011, n: 5 },
    reference: { metric: 'accuracy', mean: 0.11, halfWidth: null, n: 1 },
    'peer-only': { metric: 'transfer', mean: 0.0104, halfWidth: 0.0042, n: 5 },
  };

  it('puts both sides of each arm on one line, traitlab order first, then peer-only arms', () => {
    expect(armsTable(t, p)).toEqual([
      'arm              metric  traitlab mean ± 95 % CI  PyTorch mean ± 95 % CI',
      '-------------  --------  -----------------------  ----------------------',
      'reference      accuracy      0.117 ± 0.029 (n=5)             0.110 (n=1)',
      'teacher        accuracy     0.924 ± 0.0030 (n=5)    0.918 ± 0.0011 (n=5)',
      'traitlab-only  accuracy                        —                       —',
      'peer-only      transfer                        —    0.010 ± 0.0042 (n=5)',
    ]);
  });

  it('shows traitlab alone when there is no peer', () => {
    expect(armsTable({ teacher: t.teacher! }, null)).toEqual([
      'arm        metric  traitlab mean ± 95 % CI  PyTorch mean ± 95 % CI',
      '-------  --------  -----------------------  ----------------------',
      'teacher  accuracy     0.924 ± 0.0030 (n=5)                       —',
    ]);
  });
});
