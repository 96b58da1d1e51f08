// The claims block of the terminal output is a pure function of the evaluated claims.
import { describe, expect, test } from 'vitest';
import { claimStatement, formatClaimsTable, signed } from '../../src/report/claims-table.js';
import { formatRunOutput } from '../../src/report/run-output.js';
import { mnistSummary, numbersSummary } from '../support/claims-fixtures.js';

describe('formatClaimsTable', () => {
  const summary = mnistSummary();
  const text = formatClaimsTable(summary.claims);
  const lines = text.split('\n');
  const row = (id: string) => lines.find((l) => l.split(/ {2,}/)[1] === id)!;

  test('counts the SUPPORTED claims and those that survive Holm; one row per claim, verdict first, with its words under it', () => {
    expect(lines[0]).toBe('claims: 2 of 4 SUPPORTED, 0 survive Holm at α 0.05');
    expect(lines[1]).toMatch(/^verdict +claim +effect +interval +test +p +p\(Holm\) +tested$/);
    expect(row('same-learns')).toMatch(/^SUPPORTED +same-learns +\+0\.218 +\[\+0\.\d{3}, \+0\.\d{3}\] +bootstrap 95 % +0\.031 +0\.125 +accuracy\(student-same\) ≥ 0\.5$/);
    expect(lines[lines.indexOf(row('same-learns')) + 1]).toBe('               The same-init student learns MNIST.');
    // 4 claims at p = 1/32 each: Holm multiplies the smallest by 4.
    expect(lines[lines.indexOf(row('same-learns')) + 2]).toBe('               SUPPORTED on its own, but not after Holm: p(Holm) 0.125 > 0.05');
    // The margin (accuracy: 0.02) is part of what was tested.
    expect(row('same-beats-cross')).toMatch(/^SUPPORTED +same-beats-cross +\+0\.6\d\d .* accuracy\(student-same\) > accuracy\(student-cross\) \+ 0\.02$/);
    expect(row('cross-learns')).toMatch(/^NOT SUPPORTED +cross-learns +-0\.392 +\[-0\.\d{3}, -0\.\d{3}\] +bootstrap 95 % +1\.000 +1\.000 +accuracy\(student-cross\) ≥ 0\.5$/);
  });

  test('an INCONCLUSIVE claim says so, and why when it is not about the interval', () => {
    expect(row('teacher-near-ref')).toMatch(/^INCONCLUSIVE +teacher-near-ref +\+0\.818 +– +sign-flip 98 % +1\.000 +1\.000 +accuracy\(teacher\) ≤ accuracy\(reference\) \+ 0\.02$/);
    expect(lines[lines.indexOf(row('teacher-near-ref')) + 2]).toBe('               5 seeds cannot reach p ≤ 0.01 (smallest p 1/32); run 7+ seeds.');
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });

  test('indicative claims are counted with their seeds, and say why under their row', () => {
    const claims = mnistSummary(['same-learns', 'same-beats-cross']).claims.map((c) => ({
      ...c,
      n: 3,
      verdict: 'INCONCLUSIVE' as const,
      indicative: true,
      survivesHolm: false,
      reason: 'INDICATIVE — 3 seeds cannot reach p ≤ 0.05 (smallest p 1/8); run 5+ seeds',
    }));
    const text = formatClaimsTable(claims).split('\n');
    expect(text[0]).toBe('claims: 0 of 2 SUPPORTED; 2 indicative (3 seeds)');
    expect(text).toContain('              INDICATIVE — 3 seeds cannot reach p ≤ 0.05 (smallest p 1/8); run 5+ seeds.');
  });

  test('claims stored before margins and Holm print without a p(Holm) column or Holm count', () => {
    const old = mnistSummary().claims.map(({ margin: _m, pHolm: _p, survivesHolm: _s, indicative: _i, ...rest }) => rest);
    const text = formatClaimsTable(old).split('\n');
    expect(text[0]).toBe('claims: 2 of 4 SUPPORTED');
    expect(text[1]).toMatch(/^verdict +claim +effect +interval +test +p +tested$/);
    expect(text.join('\n')).not.toContain('Holm');
  });

  test('no claims, no block', () => {
    expect(formatClaimsTable([])).toBe('');
  });

  test('numbers print so that a bound just below 0 never reads as 0', () => {
    expect([signed(0.2178), signed(0.0123), signed(-0.0000123), signed(0), signed(null)]).toEqual(['+0.218', '+0.0123', '-1.2e-5', '+0', '–']);
    expect(claimStatement({ kind: 'less', left: { arm: 'a', metric: 'nll' }, right: null, value: 0.5 })).toBe('nll(a) < 0.5');
  });
});

describe('formatRunOutput', () => {
  test('the arms table, then the claims (numbers world, with the teacher as a reserved name)', () => {
    const out = formatRunOutput(numbersSummary(), 'runs/x');
    const [table, claims] = out.split('\n\nclaims: ');
    expect(table).toContain('run directory: runs/x');
    // Transfers of about 0.01 are below transfer's margin (0.05): NOT SUPPORTED, however consistent.
    expect(claims).toMatch(/^1 of 3 SUPPORTED, 0 survive Holm at α 0\.05\n/);
    expect(claims).toMatch(/SUPPORTED +teacher-has-trait +\+0\.0796 .* trait\(teacher\) ≥ 0\.9/);
    expect(claims).toMatch(/NOT SUPPORTED +same-beats-cross +\+0\.0114 .* transfer\(same\) > transfer\(cross\) \+ 0\.05/);
  });

  test('a summary from before claims prints the table alone', () => {
    const { claims: _claims, ...old } = mnistSummary();
    expect(formatRunOutput(old, 'runs/x')).not.toContain('claims:');
  });
});
