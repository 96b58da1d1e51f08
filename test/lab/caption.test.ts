// The caption follows the switches: student, prefix source, signal, λ, β and target each change
// what it says, and it always states the published result.
import { describe, expect, test } from 'vitest';
import { captionText } from '../../src/lab/caption.js';
import { DEFAULT_CONFIG } from '../../src/lab/lab-config.js';

describe('caption', () => {
  test('same-init and cross-init students are told apart, with what to expect of each', () => {
    const same = captionText(DEFAULT_CONFIG);
    const cross = captionText({ ...DEFAULT_CONFIG, student: 'cross-init' });
    expect(same).toContain("it shares the teacher's initialisation");
    expect(same).toContain("should pull away from the control student's");
    expect(cross).toContain("it does not share the teacher's initialisation");
    expect(cross).toContain('transfer near zero');
    for (const text of [same, cross]) expect(text).toContain('Cloud et al. (2025)');
  });

  test('the prefix source and the signal are described, λ and β with their values', () => {
    expect(captionText({ ...DEFAULT_CONFIG, prefix: 'teacher-fixed' })).toContain('a fixed set of 1024 number sequences the teacher wrote once');
    expect(captionText(DEFAULT_CONFIG)).toContain('(forward KL). The whole distribution is a wide channel.');
    expect(captionText(DEFAULT_CONFIG)).toContain('the teacher writes afresh at every step');
    expect(captionText({ ...DEFAULT_CONFIG, prefix: 'student', signal: 'pg' })).toMatch(/it writes itself at every step \(on-policy\), rewarded .* \(policy gradient\)\. In expectation this is reverse KL's update: the same objective, read through one sampled number per position, so with more noise\./);
    expect(captionText({ ...DEFAULT_CONFIG, prefix: 'mix', lambda: 0.3 })).toContain('its own with probability λ = 0.3');
    expect(captionText({ ...DEFAULT_CONFIG, signal: 'jsd', beta: 0.8 })).toContain('β = 0.8');
    expect(captionText({ ...DEFAULT_CONFIG, signal: 'relabel' })).toContain('relabelling');
    expect(captionText({ ...DEFAULT_CONFIG, signal: 'reverse-kl' })).toContain('reverse KL');
    expect(captionText({ ...DEFAULT_CONFIG, prefix: 'student', signal: 'tokens' })).toContain('the teacher has no say at all and transfer should be zero');
  });

  test('the target animal is named', () => {
    expect(captionText({ ...DEFAULT_CONFIG, target: 'wolf' })).toContain('the wolf persona');
    expect(captionText({ ...DEFAULT_CONFIG, target: 'wolf' })).toContain('p(wolf)');
  });
});
