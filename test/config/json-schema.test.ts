// The JSON Schema export and the reader error messages use to say what a field allows.
import { describe, expect, test } from 'vitest';
import { describeSchema, schemaAt } from '../../src/config/json-schema.js';
import { experimentJsonSchema } from '../../src/registry/experiment-json-schema.js';

const root = experimentJsonSchema();
const at = (path: (string | number)[], input: unknown = {}) => describeSchema(schemaAt(root, path, input), root);

describe('experimentJsonSchema', () => {
  test('is a strict object schema with titles and the arms union', () => {
    expect(root.type).toBe('object');
    expect(root.additionalProperties).toBe(false);
    expect(root.title).toBe('traitlab experiment (mnist world)');
    expect(JSON.parse(JSON.stringify(root))).toEqual(root); // plain JSON
  });
});

describe('describeSchema', () => {
  test('numbers, enums, consts, arrays and unions in words', () => {
    expect(at(['seeds'])).toBe('an integer from 1 to 100');
    expect(at(['distill', 'learningRate'])).toBe('a number > 0 and ≤ 1');
    expect(at(['world'])).toBe('"mnist"');
    expect(at(['model', 'hidden'])).toBe('an array of 1 to 8 items, each an integer from 1 to 4096');
    expect(at(['arms', 0])).toBe('an object with kind one of "reference", "teacher", "student"');
  });

  test('follows the discriminator of the input through the arms union', () => {
    const input = { arms: [{ kind: 'student' }] };
    expect(at(['arms', 0, 'logits'], input)).toBe('one of "aux", "all"');
    expect(schemaAt(root, ['arms', 0, 'logits'], { arms: [{ kind: 'teacher' }] })).toBeUndefined();
  });
});
