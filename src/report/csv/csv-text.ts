// CSV as RFC 4180 and pandas read it: a header line, comma-separated fields, a field quoted
// only when it holds a comma, quote or newline; empty for a missing number (pandas: NaN).
export type CsvCell = string | number | null;

function field(value: CsvCell): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The whole table, header first, one line per row, ending with a newline. */
export function toCsv(columns: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [columns, ...rows].map((row) => row.map(field).join(',')).join('\n') + '\n';
}
