// The claims of a run in the terminal: one row per claim (verdict first, so the eye finds it),
// the claim in words under it, then why, when the interval alone does not say it (indicative,
// too few seeds, the exact test against the bootstrap, not surviving Holm). A pure function of
// the evaluated claims; claims of runs made before margins and Holm lack those fields.
import type { ClaimResult } from '../claims/types.js';
import { claimsTally } from './claims-tally.js';

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

/** A claim as summary.json holds it; `margin`, `pHolm`, `survivesHolm` and `indicative` are missing in runs made before them. */
export type StoredClaim = Omit<ClaimResult, 'margin' | 'pHolm' | 'survivesHolm' | 'indicative'> & Partial<Pick<ClaimResult, 'margin' | 'pHolm' | 'survivesHolm' | 'indicative'>>;

/** Which way a margin moves the boundary, as written after the right-hand side. */
const MARGIN_SIGN = { greater: '+', less: '−', 'at-least': '−', 'at-most': '+' } as const;

/** `accuracy(student-aux-same-init) ≥ 0.5`, `transfer(a) > transfer(b) + 0.05`, `transfer(a) > 0 + 0.05`, `transfer(a) < 0.5·transfer(b)`. */
export function claimStatement(c: Pick<StoredClaim, 'kind' | 'left' | 'right' | 'value' | 'margin'>): string {
  const operand = (o: { arm: string; metric: string; scale?: number | undefined }) => `${o.scale === undefined ? '' : `${o.scale}·`}${o.metric}(${o.arm})`;
  const margin = c.margin ? ` ${MARGIN_SIGN[c.kind]} ${c.margin}` : '';
  return `${operand(c.left)} ${OPERATORS[c.kind]} ${c.right ? operand(c.right) : String(c.value)}${margin}`;
}

function interval(c: StoredClaim): string {
  if (c.interval.low === null && c.interval.high === null) return '–';
  return `[${end(c.interval.low, '−∞')}, ${end(c.interval.high, '+∞')}]`;
}

function testLabel(c: StoredClaim): string {
  return `${c.method === 'paired-bootstrap' ? 'bootstrap' : 'sign-flip'} ${+(100 * c.interval.level).toFixed(4)} %`;
}

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd());
}

/** Why, under the claim's words, when the row does not show it. */
function note(c: StoredClaim): string | undefined {
  if (c.verdict === 'SUPPORTED' && c.survivesHolm === false && c.pHolm != null) return `SUPPORTED on its own, but not after Holm: p(Holm) ${formatP(c.pHolm)} > ${c.alpha}`;
  if (c.verdict === 'INCONCLUSIVE' && !c.reason.startsWith('the interval reaches both sides') && !c.reason.startsWith('the interval is not entirely')) return `${c.reason}.`;
  return undefined;
}

/** The claims block, or '' when the experiment declares none. */
export function formatClaimsTable(claims: readonly StoredClaim[]): string {
  if (claims.length === 0) return '';
  const holm = claims.some((c) => c.pHolm !== undefined);
  const header = ['verdict', 'claim', 'effect', 'interval', 'test', 'p', ...(holm ? ['p(Holm)'] : []), 'tested'];
  const rows = claims.map((c) => [c.verdict, c.id, signed(c.effect), interval(c), testLabel(c), formatP(c.pValue), ...(holm ? [formatP(c.pHolm ?? null)] : []), claimStatement(c)]);
  const lines = align([header, ...rows]);
  // The claim's own words go under its row, indented past the verdict column, and why under them.
  const indent = ' '.repeat(Math.max(...rows.map((r) => r[0]!.length)) + 2);
  const body = claims.flatMap((c, i) => {
    const why = note(c);
    return [lines[i + 1]!, `${indent}${c.text}`, ...(why ? [`${indent}${why}`] : [])];
  });
  return [
    `claims: ${claimsTally(claims)}`,
    lines[0]!,
    ...body,
    '',
    'effect: mean over seeds of left − right (paired by seed) or left − value; tested: the claim with its margin (the smallest effect of interest);',
    'interval: of the effect, by the test shown; SUPPORTED when it lies entirely beyond the margin on the claimed side and p ≤ α, NOT SUPPORTED when',
    'entirely on the other side (and the opposite p ≤ α), else INCONCLUSIVE (indicative: beyond the margin, but too few seeds for p ≤ α);',
    `p: one-sided sign-flip permutation p-value against the margin${holm ? "; p(Holm): adjusted over the file's claims (Holm), a SUPPORTED claim survives Holm when it is ≤ α" : ''}.`,
  ].join('\n');
}
