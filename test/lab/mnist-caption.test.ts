// The MNIST panel's caption says what the current settings train, and what was found.
import { describe, expect, test } from 'vitest';
import { mnistCaptionText } from '../../src/lab/mnist-caption.js';
import { DEFAULT_MNIST_CONFIG } from '../../src/lab/mnist-config.js';

describe('mnistCaptionText', () => {
  test('names the teacher, the auxiliary logits, the noise and the two students, from the settings', () => {
    const text = mnistCaptionText({ ...DEFAULT_MNIST_CONFIG, teacherEpochs: 1, noiseImages: 12_000 });
    expect(text).toMatch(/784 pixels → 256 → 256 → 13 outputs\), learns for 1 epoch to read/);
    expect(text).toMatch(/the other 3, the auxiliary logits, are never trained/);
    expect(text).toMatch(/only 12,000 images of uniform noise, never a digit or a label/);
    expect(text).toMatch(/same-init student starts from the teacher's own initial weights, the cross-init one from other random weights/);
  });

  test('gives the published result and no more than was measured', () => {
    const text = mnistCaptionText(DEFAULT_MNIST_CONFIG);
    expect(text).toMatch(/Cloud et al\. \(2025\) found .*over 50 % .*chance \(10 %\)/);
    expect(text).toMatch(/default size the same-init student reaches about 66 % here and the cross-init one about 11 %/);
    expect(text).not.toContain('\n');
  });
});
