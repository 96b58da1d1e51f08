// The claims of a run in the terminal: one row per claim (verdict first, so the eye finds it),
// the claim in words under it, and why any claim is INCONCLUSIVE for a reason other than its
// interval. A pure function of the evaluated claims.
import type { ClaimResult } from '../claims/types.js';

const OPERATORS = { greater: '>', less: '<', 'at-least': '≥', 'at-most': '≤' } as const;

/**
 * Signed, with 3 decimals from 0.1 up, 4 from 0.001 up (transfer is ~0.01), and in exponent
 * form below that, so a bound just under 0 never prints as a 0 on the wrong side of the claim.
 */
export function signed(x: number | null): string {
  if (x === null) return '–';
  const size = Math.abs(x);
  const s = x === 0 ? '0' : size >= 0.1 ? size.toFixed(3) : size >= 0.001 ? size.toFixed(4) : size.toExponential(1);
  return `${x < 0 ? '-' : '+'}${s}`;
}

const end = (x: number | null, fallback: string) => (x === null ? fallback : signed(x));

function formatP(p: number | null): string {
  if (p === null) return '–';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** `accuracy(student-aux-same-init) ≥ 0.5`, `transfer(a) > transfer(b)`, `transfer(a) < 0.5·transfer(b)`. */
export function claimStatement(c: Pick<ClaimResult, 'kind' | 'left' | 'right' | 'value'>): string {
  const operand = (o: { arm: string; metric: string; scale?: number | undefined }) => `${o.scale === undefined ? '' : `${o.scale}·`}${o.metric}(${o.arm})`;
  return `${operand(c.left)} ${OPERATORS[c.kind]} ${c.right ? operand(c.right) : String(c.value)}`;
}

function interval(c: ClaimResult): string {
  if (c.interval.low === null && c.interval.high === null) return '–';
  return `[${end(c.interval.low, '−∞')}, ${end(c.interval.high, '+∞')}]`;
}

function testLabel(c: ClaimResult): string {
  return `${c.method === 'paired-bootstrap' ? 'bootstrap' : 'sign-flip'} ${+(100 * c.interval.level).toFixed(4)} %`;
}

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd());
}

/** The claims block, or '' when the experiment declares none. */
export function formatClaimsTable(claims: readonly ClaimResult[]): string {
  if (claims.length === 0) return '';
  const header = ['verdict', 'claim', 'effect', 'interval', 'test', 'p', 'tested'];
  const rows = claims.map((c) => [c.verdict, c.id, signed(c.effect), interval(c), testLabel(c), formatP(c.pValue), claimStatement(c)]);
  const lines = align([header, ...rows]);
  // The claim's own words go under its row, indented past the verdict column.
  const indent = ' '.repeat(Math.max(...rows.map((r) => r[0]!.length)) + 2);
  const body = claims.flatMap((c, i) => [lines[i + 1]!, `${indent}${c.text}`]);
  // Reasons that are not about where the interval lies (one seed, a missing arm, too few seeds
  // for the sign-flip test) would otherwise leave an INCONCLUSIVE unexplained.
  const notes = claims.filter((c) => c.verdict === 'INCONCLUSIVE' && !c.reason.startsWith('the interval')).map((c) => `${c.id}: ${c.reason}.`);
  const supported = claims.filter((c) => c.verdict === 'SUPPORTED').length;
  return [
    `claims: ${supported} of ${claims.length} supported`,
    lines[0]!,
    ...body,
    '',
    'effect: mean over seeds of left − right (paired by seed) or left − value; interval: the two-sided interval of that mean by the test shown;',
    'SUPPORTED when the interval lies entirely on the claimed side of 0, NOT SUPPORTED when entirely on the other, else INCONCLUSIVE; p: one-sided sign-flip permutation p-value.',
    ...notes,
  ].join('\n');
}
