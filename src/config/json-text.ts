// An experiment file's text → JSON, with a one-line error that says where the syntax broke
// (line and column) and how to fix it. Pure: the file is read by the caller.
import { ConfigError } from './errors.js';

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

const endOfInput = /^Unexpected end of JSON input/;
const unexpectedToken = /^Unexpected token '(.*?)', /s;

/**
 * Where JSON.parse failed. V8 gives `at position N` for most errors, none for "Unexpected
 * token 'x', "…" is not valid JSON": for that one, the shortest prefix of the text that fails
 * with the same error ends at the bad character (shorter prefixes only run out of input).
 */
function errorOffset(text: string, message: string): number | undefined {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (endOfInput.test(message)) return text.length;
  if (!unexpectedToken.test(message)) return undefined;
  const failsWithToken = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      return unexpectedToken.test((e as Error).message);
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsWithToken(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

/** The parse problem without V8's position suffix or its multi-line quote of the input. */
function parseProblem(message: string): string {
  const token = unexpectedToken.exec(message);
  const what = token ? ({ ' ': 'space', '\t': 'tab', '\n': 'line break', '\r': 'line break' }[token[1]!] ?? `'${token[1]}'`) : '';
  const base = token ? `unexpected ${what}` : message.replace(/ (in JSON )?at position \d+.*$/s, '');
  return base.charAt(0).toLowerCase() + base.slice(1);
}

export function parseJsonText(file: string, text: string): unknown {
  if (text.trim() === '') throw new ConfigError(file, 'the file is empty; write an experiment as a JSON object (see traitlab schema)');
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const offset = errorOffset(text, message);
    const where = offset === undefined ? '' : (({ line, column }) => ` at line ${line} column ${column}`)(lineColumn(text, offset));
    throw new ConfigError(file, `invalid JSON${where}: ${parseProblem(message)}; fix the syntax (JSON has no comments or trailing commas)`);
  }
}
