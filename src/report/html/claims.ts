// The claims table: each claim of the experiment with its effect, interval, p-value and
// verdict. Claims come from summary.json, whose claim format may grow, so every field is read
// defensively and fields this table does not know are listed, not dropped. A verdict is shown
// exactly as the run gave it: INCONCLUSIVE stays INCONCLUSIVE, never rounded to a yes or no;
// an indicative one says so beside it, and a SUPPORTED one that does not survive Holm too.
import { escapeHtml } from '../../plot/escape.js';
import { num, signed } from '../../plot/format.js';
import { claimsTally } from '../claims-tally.js';

/** Fields with a column of their own; every other field goes into the row's collapsed details. */
const KNOWN = ['id', 'text', 'effect', 'margin', 'interval', 'pValue', 'pHolm', 'verdict', 'survivesHolm', 'indicative', 'reason'] as const;

const VERDICT_CLASS: Record<string, string> = { SUPPORTED: 'supported', 'NOT SUPPORTED': 'not-supported', INCONCLUSIVE: 'inconclusive' };

const show = (v: unknown): string => (typeof v === 'number' ? num(v) : typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

const end = (x: unknown, unbounded: string) => (x === null ? unbounded : signed(x));

/** `[lo, hi]` or `{low, high, level}` (a null end is unbounded; both null: no interval). */
function intervalText(v: unknown): string {
  if (Array.isArray(v) && v.length === 2) return v[0] === null && v[1] === null ? '–' : `[${end(v[0], '−∞')}, ${end(v[1], '+∞')}]`;
  if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v) {
    const { low, high, level } = v as { low: unknown; high: unknown; level?: unknown };
    if (low === null && high === null) return '–';
    const pct = typeof level === 'number' ? `${Number((100 * level).toPrecision(3))} % ` : '';
    return `${pct}[${end(low, '−∞')}, ${end(high, '+∞')}]`;
  }
  return show(v);
}

function claimRow(claim: unknown, index: number): string {
  const c: Record<string, unknown> = typeof claim === 'object' && claim !== null && !Array.isArray(claim) ? (claim as Record<string, unknown>) : { text: show(claim) };
  const verdict = typeof c.verdict === 'string' ? c.verdict : 'no verdict';
  const cls = VERDICT_CLASS[verdict] ?? 'unknown';
  const extra = Object.entries(c)
    .filter(([k]) => !(KNOWN as readonly string[]).includes(k))
    .map(([k, v]) => `<div class="kv"><b>${escapeHtml(k)}</b> ${escapeHtml(show(v))}</div>`)
    .join('');
  const reason = typeof c.reason === 'string' ? `<div>${escapeHtml(c.reason)}</div>` : '';
  const marks = [
    c.indicative === true ? '<span class="mark indicative">indicative</span>' : '',
    verdict === 'SUPPORTED' && c.survivesHolm === false ? '<span class="mark holm-lost">not after Holm</span>' : '',
  ].join('');
  const more = extra === '' ? '' : `<details><summary>test and data</summary>${extra}</details>`;
  const cells = [
    `<td>${escapeHtml(c.id === undefined ? String(index + 1) : show(c.id))}</td>`,
    `<td>${escapeHtml(show(c.text))}</td>`,
    `<td class="n">${escapeHtml(typeof c.effect === 'number' ? signed(c.effect) : show(c.effect))}</td>`,
    `<td class="n">${escapeHtml(show(c.margin))}</td>`,
    `<td class="n">${escapeHtml(intervalText(c.interval))}</td>`,
    `<td class="n">${escapeHtml(show(c.pValue))}</td>`,
    `<td class="n">${escapeHtml(show(c.pHolm))}</td>`,
    `<td><span class="verdict ${cls}">${escapeHtml(verdict)}</span>${marks}</td>`,
    `<td class="details">${reason}${more}</td>`,
  ];
  return `<tr class="claim ${cls}">${cells.join('')}</tr>`;
}

/** The claims section's HTML; `claims` is summary.json's `claims` array. */
export function claimsTable(claims: readonly unknown[]): string {
  const verdicts = claims.map((c) => (typeof c === 'object' && c !== null ? (c as { verdict?: unknown }).verdict : undefined));
  const count = (v: string) => verdicts.filter((x) => x === v).length;
  const tally = `${claimsTally(claims)}; ${count('NOT SUPPORTED')} NOT SUPPORTED, ${count('INCONCLUSIVE')} INCONCLUSIVE`;
  const head = '<tr><th>id</th><th>claim</th><th>effect</th><th>margin</th><th>interval</th><th>p</th><th>p (Holm)</th><th>verdict</th><th>why</th></tr>';
  return [
    `<p class="tally">${claims.length} claim${claims.length === 1 ? '' : 's'}: ${escapeHtml(tally)}.</p>`,
    `<table class="claims"><thead>${head}</thead><tbody>${claims.map(claimRow).join('')}</tbody></table>`,
    '<p class="note">margin: the smallest effect of interest; SUPPORTED when the interval lies entirely beyond it on the claimed side and the one-sided sign-flip p ≤ α; p (Holm): p adjusted over this file\'s claims by Holm\'s step-down method; indicative: beyond the margin, but too few seeds for p ≤ α.</p>',
  ].join('\n');
}
