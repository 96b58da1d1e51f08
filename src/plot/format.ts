// Number formats shared by the report's tables: summaries hold full-precision floats, and a
// reader wants three significant digits. summary.json writes NaN as null (JSON has no NaN),
// so both mean "no value" and print as a dash.

/** 3 significant digits, exponent form below 0.001 (p-values); `–` when there is no value. */
export function num(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

/** Like `num`, with an explicit sign: effects and transfers read better as +0.012 / −0.003. */
export function signed(x: unknown): string {
  const s = num(x);
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? `+${s}` : s;
}

/** Fixed decimals, so a column of small effects lines up (`+0.0102`, `−0.0005`); `–` when there is no value. */
export function fixed(x: unknown, digits: number, sign = false): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  const s = x.toFixed(digits);
  return sign && x > 0 ? `+${s}` : s;
}

/** `+0.0102 ± 0.0042` (4 decimals: transfers are ~0.01), or `… ± –` for a single seed. */
export function meanPm(mean: unknown, ci95: unknown, sign = false): string {
  return `${fixed(mean, 4, sign)} ± ${fixed(ci95, 4)}`;
}

/** A fraction as a percentage with one decimal: 0.7165 → `71.7 %`. */
export function pct(x: unknown): string {
  return typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–';
}
