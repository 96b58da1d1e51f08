// Experiment files as the lab's import tests handle them: an exported text with one change, and
// the one line an import of it throws.

/** `text` (an experiment file) with one change made by `edit`, as text. */
export function editedFile(text: string, edit: (exp: Record<string, any>) => void): string {
  const exp = JSON.parse(text);
  edit(exp);
  return JSON.stringify(exp);
}

/** The message `read` throws, or 'no error'. */
export function errorOf(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}
