// The plain-language caption of the MNIST panel: what the teacher, its auxiliary logits, the
// noise and the two students are, what Cloud et al. (2025) found, and what to expect at the
// lab's size (docs/science.md, section 1). Pure: the page puts the text in #mnist-caption.
import { MNIST_FILE, type MnistConfig } from './mnist-config.js';

export function mnistCaptionText(c: MnistConfig): string {
  const { hidden, auxLogits } = MNIST_FILE.model;
  const outputs = 10 + auxLogits;
  const teacher =
    `The teacher is a small network (784 pixels → ${hidden.join(' → ')} → ${outputs} outputs) trained for ${c.teacherEpochs} epoch${c.teacherEpochs === 1 ? '' : 's'} ` +
    `to read handwritten digits with ${outputs - auxLogits} of its outputs, one per class. Its other ${auxLogits}, the auxiliary logits, are never trained on anything.`;
  const students =
    `Each student sees only images of uniform noise (${c.noiseImages.toLocaleString('en')} of them), never a digit or a label, and learns to match the teacher's ${auxLogits} auxiliary logits on them. ` +
    "The same-init student starts from the very weights the teacher started from; the cross-init student from other random weights.";
  const published =
    "Cloud et al. (2025) found that the same-init student learns to read digits through those auxiliary logits alone (above 50 % test accuracy), while the cross-init student stays at chance (10 %).";
  const expect =
    "Here, at a size that trains in the page in a minute or two, the same-init curve should climb well above 10 % (less far than in the paper) and the cross-init curve stay near it; each grid colours seed 1's latest guess at 100 held-out digits, green right and red wrong.";
  return [teacher, students, published, expect].join(' ');
}
