// The teacher registry under the numbers-world teachers' new names, the old names as aliases
// (the same recipe object, not a copy), and the pure function that words the deprecation line.
import { describe, expect, test } from 'vitest';
import { numbersTeacher, TEACHER_ALIASES, teacherAliasesOf, teacherNameWarnings, teacherRegistry } from '../../teachers/index.js';
import { parseExperiment } from '../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import type { NumbersExperiment } from '../../src/worlds/numbers/schema.js';
import { tinyNumbers } from '../support/tiny-numbers.js';

describe('teacher names', () => {
  test('the registry lists each recipe once, under its new name', () => {
    expect([...teacherRegistry.keys()]).toEqual(['mnist-aux', 'animal-fine-tune', 'animal-persona']);
    expect([...teacherRegistry.values()].map((t) => t.name)).toEqual(['mnist-aux', 'animal-fine-tune', 'animal-persona']);
    expect(teacherRegistry.size).toBe(3);
  });

  test('an old name looks up the very same recipe', () => {
    expect(teacherRegistry.get('owl')).toBe(teacherRegistry.get('animal-fine-tune'));
    expect(teacherRegistry.get('owl-persona')).toBe(teacherRegistry.get('animal-persona'));
    expect(teacherRegistry.has('owl')).toBe(true);
    expect(teacherRegistry.get('parrot')).toBeUndefined();
    expect(numbersTeacher('owl').kind).toBe('fine-tune');
    expect(numbersTeacher('owl-persona')).toBe(numbersTeacher('animal-persona'));
    expect(teacherAliasesOf('animal-persona')).toEqual(['owl-persona']);
    expect(teacherAliasesOf('mnist-aux')).toEqual([]);
  });

  test('every alias names a registered recipe and is not itself a registered name', () => {
    for (const [old, current] of TEACHER_ALIASES) {
      expect([...teacherRegistry.keys()]).toContain(current);
      expect([...teacherRegistry.keys()]).not.toContain(old);
    }
  });

  test('teacherNameWarnings: one line for an old name, none otherwise', () => {
    expect(teacherNameWarnings({ world: 'numbers', teacher: { name: 'owl-persona' } }, 'exp.json')).toEqual([
      'teacher "owl-persona" is now called "animal-persona"; rename it in exp.json (the old name will stop working in a later version)',
    ]);
    expect(teacherNameWarnings({ world: 'numbers', teacher: { name: 'animal-persona' } }, 'exp.json')).toEqual([]);
    expect(teacherNameWarnings({ world: 'mnist', teacher: { name: 'mnist-aux' } }, 'exp.json')).toEqual([]);
    expect(teacherNameWarnings({ world: 'em' }, 'exp.json')).toEqual([]);
  });

  test('a file under the old name parses to the same experiment but for the name as written', () => {
    const parse = (name: string) => parseExperiment(tinyNumbers({ teacher: { name, target: 'owl', steps: 10, batchSize: 32, learningRate: 0.01 } }), {}, checkRegistryNames) as NumbersExperiment;
    const old = parse('owl');
    const current = parse('animal-fine-tune');
    expect(old).toEqual({ ...current, teacher: { ...current.teacher, name: 'owl' } });
    expect(teacherNameWarnings(old, 'x.json')).toHaveLength(1);
  });
});
