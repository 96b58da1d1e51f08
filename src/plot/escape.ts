// Everything the report takes from a run (arm names, descriptions, notes, claim text) is
// escaped before it goes into the page: run directories are shared, and a name like
// `a<b` must show as written, not become markup.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an element or a double- or single-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
