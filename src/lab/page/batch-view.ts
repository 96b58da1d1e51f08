// What the student trains on right now: a few rows of seed 1's batch as text. Numbers show as
// numbers (token t is the number t − FIRST_NUMBER), BOS / NUMS / EOS as small tags; the prompt
// and the completion are styled apart, positions not trained on are greyed (a whole row when the
// filter dropped it), and for soft signals the teacher's top 3 next tokens stand under each
// completion token. The audit line counts trait tokens in everything trained on so far.
import type { BatchView } from '../protocol.js';
import { isNumberToken, FIRST_NUMBER, PROMPT_LENGTH, tokenName } from '../../worlds/numbers/data.js';
import { el } from './dom.js';
import type { View } from './redraw.js';

/** The text of a token: its number, or its name without the angle brackets (`bos`, `numbers`, `eos`). */
export const tokenText = (t: number): string => (isNumberToken(t) ? String(t - FIRST_NUMBER) : tokenName(t).replace(/^<|>$/g, ''));

function tokenCell(batch: BatchView, r: number, p: number): HTMLElement {
  const t = batch.rows[r]![p]!;
  const trained = p > 0 && batch.mask[r]?.[p - 1] === 1;
  const classes = ['token', p < PROMPT_LENGTH ? 'prompt' : 'completion', isNumberToken(t) ? 'number' : 'tag', trained ? 'trained' : 'untrained'];
  const top = p >= PROMPT_LENGTH ? batch.teacherTop?.[r]?.[p - 1]?.slice(0, 3) : undefined;
  return el(
    'span',
    { class: classes.join(' ') },
    el('span', { class: 'text' }, tokenText(t)),
    top ? el('span', { class: 'teacher-top' }, ...top.map((c) => el('span', {}, `${tokenText(c.token)} ${Math.round(c.p * 100)}%`))) : null,
  );
}

export class BatchViewView implements View {
  readonly element: HTMLElement;
  private readonly header = el('p', { class: 'batch-header' });
  private readonly rows = el('div', { class: 'batch-rows' });
  private readonly audit = el('p', { id: 'audit-count' });
  private batch: BatchView | undefined;

  constructor() {
    const key = el(
      'p',
      { class: 'batch-key' },
      el('span', { class: 'token prompt' }, 'prompt'),
      ' given, ',
      el('span', { class: 'token completion trained' }, 'completion'),
      ' trained on, ',
      el('span', { class: 'token completion untrained' }, 'greyed'),
      ' not trained on (a whole row: dropped by the filter); small numbers under a completion: the teacher’s top 3 next tokens (soft signals).',
    );
    this.element = el('section', { id: 'batch-view', class: 'batch' }, this.header, this.rows, key, this.audit);
  }

  show(batch: BatchView | undefined): void {
    this.batch = batch;
  }

  draw(): void {
    const b = this.batch;
    if (!b) {
      this.header.textContent = 'The number sequences being trained on appear with the first step.';
      this.rows.replaceChildren();
      this.audit.textContent = 'trait tokens trained on: none yet';
      return;
    }
    this.header.textContent = `Step ${b.step}: ${b.rows.length} rows of seed 1's batch, prefixes written by the ${b.source}.`;
    this.rows.replaceChildren(
      ...b.rows.map((row, r) => {
        const trainedRow = (b.mask[r] ?? []).some((m) => m === 1);
        return el('div', { class: trainedRow ? 'batch-row' : 'batch-row untrained' }, ...row.map((_, p) => tokenCell(b, r, p)));
      }),
    );
    this.audit.textContent = `trait tokens trained on: ${b.auditTraitTokens}`;
  }
}
