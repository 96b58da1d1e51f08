// Cells and header rows of the report's results tables (HTML, escaped).
import { escapeHtml } from './escape.js';

export const cell = (s: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(s)}</td>`;
export const head = (names: string[]): string => `<thead><tr>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr></thead>`;
