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

  test('counts the supported claims and has one row per claim, verdict first, with its words under it', () => {
    expect(lines[0]).toBe('claims: 2 of 4 supported');
    expect(lines[1]).toMatch(/^verdict +claim +effect +interval +test +p +tested$/);
    expect(row('same-learns')).toMatch(/^SUPPORTED +same-learns +\+0\.218 +\[\+0\.\d{3}, \+0\.\d{3}\] +bootstrap 95 % +0\.031 +accuracy\(student-same\) ≥ 0\.5$/);
    expect(lines[lines.indexOf(row('same-learns')) + 1]).toBe('               The same-init student learns MNIST.');
    expect(row('same-beats-cross')).toMatch(/^SUPPORTED +same-beats-cross +\+0\.6\d\d .* accuracy\(student-same\) > accuracy\(student-cross\)$/);
    expect(row('cross-learns')).toMatch(/^NOT SUPPORTED +cross-learns +-0\.392 +\[-0\.\d{3}, -0\.\d{3}\] +bootstrap 95 % +1\.000 +accuracy\(student-cross\) ≥ 0\.5$/);
  });

  test('an INCONCLUSIVE claim says so, and why when it is not about the interval', () => {
    expect(row('teacher-near-ref')).toMatch(/^INCONCLUSIVE +teacher-near-ref +\+0\.818 +– +sign-flip 98 % +1\.000 +accuracy\(teacher\) ≤ accuracy\(reference\)$/);
    expect(lines.at(-1)).toBe(
      'teacher-near-ref: with 5 seeds the one-sided sign-flip test cannot reject at alpha = 0.01 (its smallest p-value is 1/2^5); use 7 or more seeds, or the paired-bootstrap test.',
    );
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
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
    expect(claims).toMatch(/^3 of 3 supported\n/);
    expect(claims).toMatch(/SUPPORTED +teacher-has-trait +\+0\.0796 .* trait\(teacher\) ≥ 0\.9/);
    expect(claims).toMatch(/SUPPORTED +same-beats-cross +\+0\.0114 .* transfer\(same\) > transfer\(cross\)/);
  });

  test('a summary from before claims prints the table alone', () => {
    const { claims: _claims, ...old } = mnistSummary();
    expect(formatRunOutput(old, 'runs/x')).not.toContain('claims:');
  });
});
