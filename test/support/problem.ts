// Shared by the config tests: the one-line ConfigError that parseExperiment (with the registry
// check) throws for an input, checked to be a ConfigError and a single line.
import { expect } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseExperiment } from '../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';

export function problem(input: unknown): string {
  return configErrorOf(() => parseExperiment(input, {}, checkRegistryNames));
}

/** The one-line ConfigError message that `f` throws, checked to be a ConfigError and one line. */
export function configErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}
