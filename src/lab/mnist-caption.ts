// The plain-language caption of the MNIST panel: what the teacher, its auxiliary logits, the
// noise and the two students are, what Cloud et al. (2025) found, and what the lab's default size
// gives (measured in the page: see DEFAULT_MNIST_CONFIG). Pure: the page puts the text in
// #mnist-caption.
import { MNIST_FILE, type MnistConfig } from './mnist-config.js';

export function mnistCaptionText(c: MnistConfig): string {
  const { hidden, auxLogits } = MNIST_FILE.model;
  const epochs = `${c.teacherEpochs} epoch${c.teacherEpochs === 1 ? '' : 's'}`;
  return [
    `The teacher, a small network (784 pixels → ${hidden.join(' → ')} → ${10 + auxLogits} outputs), learns for ${epochs} to read handwritten digits with 10 of its outputs;`,
    `the other ${auxLogits}, the auxiliary logits, are never trained.`,
    `Each student sees only ${c.noiseImages.toLocaleString('en')} images of uniform noise, never a digit or a label, and learns to match the teacher's ${auxLogits} auxiliary logits on them.`,
    "The same-init student starts from the teacher's own initial weights, the cross-init one from other random weights.",
    'Cloud et al. (2025) found that the same-init student learns to read digits this way (over 50 % test accuracy) while the cross-init one stays at chance (10 %).',
    "At the lab's default size the same-init student reaches about 66 % here and the cross-init one about 11 %; fewer noise images or steps give less.",
    "Grids: seed 1's latest guess at each of 100 held-out digits, green right, red wrong.",
  ].join(' ');
}
