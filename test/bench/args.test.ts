// `npm run bench`'s command line (bench/args.ts): the per-step sections or --e2e alone.
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';

describe('parseBenchArgs', () => {
  it('keeps --quick and --peer as they were', () => {
    expect(parseBenchArgs([])).toEqual({ e2e: false, quick: false, peer: false, curve: false, profile: false });
    expect(parseBenchArgs(['--quick', '--peer'])).toEqual({ e2e: false, quick: true, peer: true, curve: false, profile: false });
  });

  it('runs both e2e experiments by default, or the one --experiment names', () => {
    expect(parseBenchArgs(['--e2e'])).toEqual({ e2e: true, experiments: ['mnist-aux-logits', 'numbers-owl'] });
    expect(parseBenchArgs(['--e2e', '--experiment', 'numbers-owl'])).toEqual({ e2e: true, experiments: ['numbers-owl'] });
    expect(parseBenchArgs(['--experiment', '/tmp/small.json', '--e2e'])).toEqual({ e2e: true, experiments: ['/tmp/small.json'] });
  });

  it('--curve runs alone', () => {
    expect(parseBenchArgs(['--curve'])).toEqual({ e2e: false, quick: false, peer: false, curve: true, profile: false });
    expect(parseBenchArgs(['--curve', '--peer'])).toEqual({ error: '--curve runs alone (and with PyTorch when it is installed); give --quick, --peer and --e2e without it' });
  });

  it('--profile runs alone', () => {
    expect(parseBenchArgs(['--profile'])).toEqual({ e2e: false, quick: false, peer: false, curve: false, profile: true });
    expect(parseBenchArgs(['--profile', '--quick'])).toEqual({ error: '--profile runs alone; give --quick, --peer, --e2e and --curve without it' });
    expect(parseBenchArgs(['--e2e', '--profile'])).toEqual({ error: '--profile runs alone; give --quick, --peer, --e2e and --curve without it' });
  });

  it('refuses anything else in one line', () => {
    expect(parseBenchArgs(['--fast'])).toEqual({ error: 'unknown argument "--fast"' });
    expect(parseBenchArgs(['--e2e', '--quick'])).toEqual({ error: '--e2e runs alone; give --quick and --peer without it' });
    expect(parseBenchArgs(['--experiment', 'numbers-owl'])).toEqual({ error: '--experiment picks an --e2e experiment; give --e2e too' });
    expect(parseBenchArgs(['--e2e', '--experiment'])).toEqual({ error: '--experiment needs a name, e.g. --experiment mnist-aux-logits' });
    expect(parseBenchArgs(['--e2e', '--experiment', '--peer'])).toEqual({ error: '--experiment needs a name, e.g. --experiment mnist-aux-logits' });
  });
});
