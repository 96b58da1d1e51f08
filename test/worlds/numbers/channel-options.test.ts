// The channel's honesty rules and options in experiment files: pg only on the student's own
// samples and at equal temperatures (else one line naming the path and the fix, before anything
// runs); the pg baseline, the relabel token and the persona control teacher — each optional,
// absent from the parsed file when not given (so every existing file resolves exactly as before),
// range-checked, and described in the JSON Schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { schemaAt } from '../../../src/config/json-schema.js';
import { experimentJsonSchema } from '../../../src/registry/experiment-json-schema.js';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { ANIMALS } from '../../../src/worlds/numbers/data.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { problem } from '../../support/problem.js';

const persona = () => ({
  name: 'tiny-numbers',
  world: 'numbers',
  seeds: 2,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  pretrain: { steps: 40, batchSize: 32, learningRate: 0.01, personas: { fraction: 0.5 } },
  teacher: { name: 'animal-persona', target: 'owl' } as Record<string, unknown>,
  distill: { steps: 8, batchSize: 16, learningRate: 0.01, fixedSetSize: 32 } as Record<string, unknown>,
  arms: [{ name: 'a', student: 'same-init', channel: { prefix: 'student', signal: 'pg' } }] as Record<string, unknown>[],
});
const withChannel = (channel: Record<string, unknown>) => ({ ...persona(), arms: [{ name: 'a', student: 'same-init', channel }] });
const parse = (input: unknown) => parseExperiment(input, {}, checkRegistryNames) as NumbersExperiment;

describe('pg is accepted only where its gradient is the reverse-KL gradient', () => {
  test.each(['teacher-fixed', 'teacher-fresh', 'mix'])('prefix %s with signal pg: one line at the prefix', (prefix) => {
    const channel = { prefix, signal: 'pg', ...(prefix === 'mix' ? { lambda: 0.5 } : {}) };
    expect(problem(withChannel(channel))).toBe(
      `arms[0].channel.prefix: "${prefix}" cannot go with signal "pg", whose gradient is right only on the student's own samples; use prefix "student" (or a signal such as "reverse-kl")`,
    );
  });

  test('sampling temperature ≠ loss temperature with a pg arm: one line at distill.samplingTemperature', () => {
    const input = { ...persona(), distill: { ...persona().distill, samplingTemperature: 0.7 } };
    input.arms = [{ name: 'kl', student: 'same-init', channel: { prefix: 'student', signal: 'reverse-kl' } }, ...input.arms];
    expect(problem(input)).toBe(
      'distill.samplingTemperature: 0.7 ≠ distill.lossTemperature 1, but arms[1].channel.signal uses signal "pg", whose gradient is right only for samples drawn at the loss temperature; make the two temperatures equal',
    );
    // Equal temperatures other than 1, and unequal ones without a pg arm, are fine.
    expect(() => parse({ ...persona(), distill: { ...persona().distill, samplingTemperature: 2, lossTemperature: 2 } })).not.toThrow();
    expect(() => parse({ ...withChannel({ prefix: 'teacher-fixed', signal: 'forward-kl' }), distill: { ...persona().distill, samplingTemperature: 0.7 } })).not.toThrow();
  });

  test('the EM world applies both rules to its subliminal arms', () => {
    const em = JSON.parse(readFileSync(join(import.meta.dirname, '../../../experiments/em-subliminal.json'), 'utf8'));
    em.subliminal[0].channel = { prefix: 'student', signal: 'pg' };
    expect(() => parse(em)).not.toThrow();
    em.distill.samplingTemperature = 0.5;
    expect(problem(em)).toBe(
      'distill.samplingTemperature: 0.5 ≠ distill.lossTemperature 1, but subliminal[0].channel.signal uses signal "pg", whose gradient is right only for samples drawn at the loss temperature; make the two temperatures equal',
    );
    em.subliminal[0].channel = { prefix: 'teacher-fixed', signal: 'pg' };
    em.distill.samplingTemperature = 1;
    expect(problem(em)).toMatch(/^subliminal\[0\]\.channel\.prefix: "teacher-fixed" cannot go with signal "pg"/);
  });
});

describe('channel.baseline and channel.relabel', () => {
  test('absent by default: a file without them parses to the very channel it parsed to before', () => {
    expect(parse(persona()).arms[0]!.channel).toEqual({ prefix: 'student', signal: 'pg' });
  });

  test('each is accepted with its own signal and refused with another, in one line', () => {
    expect(parse(withChannel({ prefix: 'student', signal: 'pg', baseline: 'leave-one-out' })).arms[0]!.channel.baseline).toBe('leave-one-out');
    expect(parse(withChannel({ prefix: 'student', signal: 'relabel', relabel: 'argmax' })).arms[0]!.channel.relabel).toBe('argmax');
    expect(problem(withChannel({ prefix: 'student', signal: 'reverse-kl', baseline: 'none' }))).toBe('arms[0].channel.baseline: only used with signal "pg"; remove it');
    expect(problem(withChannel({ prefix: 'student', signal: 'pg', relabel: 'argmax' }))).toBe('arms[0].channel.relabel: only used with signal "relabel"; remove it');
    expect(problem(withChannel({ prefix: 'student', signal: 'pg', baseline: 'mean' }))).toBe('arms[0].channel.baseline: invalid value "mean"; use one of "none", "leave-one-out"');
    expect(problem(withChannel({ prefix: 'student', signal: 'relabel', relabel: 'greedy' }))).toBe('arms[0].channel.relabel: invalid value "greedy"; use one of "sample", "argmax"');
  });

  test('the JSON Schema lists their values and says which is the default', () => {
    const channel = schemaAt(experimentJsonSchema('numbers'), ['arms', 0, 'channel'], {}) as { properties: Record<string, { enum?: unknown; description?: string }> };
    expect(channel.properties.baseline!.enum).toEqual(['none', 'leave-one-out']);
    expect(channel.properties.baseline!.description).toMatch(/default "none"/);
    expect(channel.properties.relabel!.enum).toEqual(['sample', 'argmax']);
    expect(channel.properties.relabel!.description).toMatch(/default "sample"/);
  });
});

describe('the control teacher: the neutral persona or another animal', () => {
  test('absent by default; "neutral" or any other animal accepted, at the file and per arm', () => {
    expect(parse(persona()).teacher.control).toBeUndefined();
    for (const control of ['neutral', ...ANIMALS.filter((a) => a !== 'owl')]) {
      expect(parse({ ...persona(), teacher: { ...persona().teacher, control } }).teacher.control).toBe(control);
      expect(parse({ ...persona(), arms: [{ ...persona().arms[0], control }] }).arms[0]!.control).toBe(control);
    }
  });

  test('an unknown name, the target itself, or a fine-tune teacher: one line naming the field', () => {
    expect(problem({ ...persona(), teacher: { ...persona().teacher, control: 'dragon' } })).toBe(
      'teacher.control: unknown control "dragon"; use "neutral" or one of "owl", "cat", "dog", "fox", "bear", "wolf", "eagle", "lion" other than the target',
    );
    expect(problem({ ...persona(), teacher: { ...persona().teacher, control: 'owl' } })).toBe('teacher.control: is the target "owl" itself; use "neutral" or another animal');
    expect(problem({ ...persona(), arms: [{ ...persona().arms[0], control: 'owl' }] })).toBe('arms[0].control: is the target "owl" itself; use "neutral" or another animal');
    const fineTune = { name: 'animal-fine-tune', target: 'owl', steps: 20, batchSize: 32, learningRate: 0.01 };
    const noPersona = 'not used: teacher "animal-fine-tune" has one control (fine-tuned on uniform answers), not a persona; remove it (a persona control needs a persona teacher such as "animal-persona")';
    expect(problem({ ...persona(), teacher: { ...fineTune, control: 'cat' } })).toBe(`teacher.control: ${noPersona}`);
    expect(problem({ ...persona(), teacher: fineTune, arms: [{ ...persona().arms[0], control: 'cat' }] })).toBe(`arms[0].control: ${noPersona}`);
  });

  test('the JSON Schema lists "neutral" and the animals', () => {
    const schema = experimentJsonSchema('numbers');
    const teacher = schemaAt(schema, ['teacher'], {}) as { properties: Record<string, { enum?: unknown; description?: string }> };
    expect(teacher.properties.control!.enum).toEqual(['neutral', ...ANIMALS]);
    expect(teacher.properties.control!.description).toMatch(/default "neutral"/);
    const arm = schemaAt(schema, ['arms', 0], {}) as { properties: Record<string, { enum?: unknown }> };
    expect(arm.properties.control!.enum).toEqual(['neutral', ...ANIMALS]);
  });
});
