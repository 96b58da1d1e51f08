// The settings form of the numbers world. The LabConfig it holds is the truth; the inputs show
// it. A user's change is checked with the setting's own field (lab-config.ts): a valid value
// replaces the setting and is reported, an invalid one is put back with a notice. λ and β show
// only with the prefix and the signal that use them, but keep their values meanwhile.
import { ANIMALS } from '../../worlds/numbers/data.js';
import { LAB_KEYS, LAB_MAX, settingError, type LabConfig, type LabKey } from '../lab-config.js';
import { el } from './dom.js';

type Choice = readonly (readonly [value: string, label: string])[];

/** How each setting is entered: a list of choices, a slider in [0, 1], or a number field. */
type Input = { kind: 'select'; choices: Choice } | { kind: 'range' } | { kind: 'number'; min?: number; max?: number };

const SETTINGS: Record<LabKey, { label: string; input: Input }> = {
  target: { label: 'target animal', input: { kind: 'select', choices: ANIMALS.map((a) => [a, a] as const) } },
  student: {
    label: 'student',
    // What same-init and cross-init mean is the caption's job; the names are the CLI's.
    input: { kind: 'select', choices: [['same-init', 'same-init'], ['cross-init', 'cross-init']] },
  },
  prefix: {
    label: 'prefix source',
    input: { kind: 'select', choices: [['teacher-fixed', 'teacher samples (fixed set)'], ['teacher-fresh', 'fresh teacher samples'], ['student', 'student samples (on-policy)'], ['mix', 'mix (student fraction λ)']] },
  },
  lambda: { label: 'λ, student fraction', input: { kind: 'range' } },
  signal: {
    label: 'teacher signal',
    input: { kind: 'select', choices: [['tokens', 'hard tokens'], ['forward-kl', 'forward KL'], ['reverse-kl', 'reverse KL'], ['jsd', 'JSD (mixture β)'], ['pg', 'policy gradient'], ['relabel', 'relabel']] },
  },
  beta: { label: 'β, JSD mixture', input: { kind: 'range' } },
  steps: { label: 'steps', input: { kind: 'number', min: 1, max: LAB_MAX.steps } },
  learningRate: { label: 'learning rate', input: { kind: 'number', min: 0 } },
  samplingTemperature: { label: 'sampling temperature', input: { kind: 'number', min: 0.05, max: 10 } },
  lossTemperature: { label: 'loss temperature', input: { kind: 'number', min: 0.05, max: 10 } },
  seeds: { label: 'seeds', input: { kind: 'select', choices: [['1', '1'], ['2', '2'], ['3', '3']] } },
  probeEvery: { label: 'probe every (steps)', input: { kind: 'number', min: 1, max: LAB_MAX.probeEvery } },
};

const NUMERIC_SELECTS = new Set<LabKey>(['seeds']);

/** The form's order: λ under the prefix source and β under the signal they belong to. */
const FORM_ORDER = Object.keys(SETTINGS) as LabKey[];

export class Controls {
  readonly element: HTMLFormElement;
  private readonly inputs = new Map<LabKey, HTMLInputElement | HTMLSelectElement>();
  private readonly outputs = new Map<LabKey, HTMLOutputElement>();
  private readonly rows = new Map<LabKey, HTMLElement>();

  constructor(
    private current: LabConfig,
    private readonly onChange: (config: LabConfig) => void,
    private readonly onInvalid: (line: string) => void,
  ) {
    this.element = el('form', { id: 'controls', class: 'controls' }, ...FORM_ORDER.map((key) => this.row(key)));
    // The form is never submitted: Enter in a number field commits it (a change event) instead.
    this.element.addEventListener('submit', (e) => e.preventDefault());
    this.set(current);
  }

  get config(): LabConfig {
    return this.current;
  }

  /** Shows `config` without reporting a change (on load and import). */
  set(config: LabConfig): void {
    this.current = config;
    for (const key of LAB_KEYS) {
      const value = String(config[key]);
      this.inputs.get(key)!.value = value;
      const out = this.outputs.get(key);
      if (out) out.value = value;
    }
    this.rows.get('lambda')!.hidden = config.prefix !== 'mix';
    this.rows.get('beta')!.hidden = config.signal !== 'jsd';
  }

  private row(key: LabKey): HTMLElement {
    const { label, input } = SETTINGS[key];
    const id = `ctl-${key}`;
    let control: HTMLInputElement | HTMLSelectElement;
    if (input.kind === 'select') {
      control = el('select', { id, name: key }, ...input.choices.map(([value, text]) => el('option', { value }, text)));
    } else if (input.kind === 'range') {
      // step 0.01 for dragging; a finer value from a link or a file is kept until the slider moves.
      control = el('input', { id, name: key, type: 'range', min: 0, max: 1, step: 0.01 });
      const out = el('output', { for: id });
      this.outputs.set(key, out);
      control.addEventListener('input', () => (out.value = control.value));
    } else {
      control = el('input', { id, name: key, type: 'number', step: 'any', min: input.min, max: input.max, inputmode: 'decimal' });
    }
    control.addEventListener('change', () => this.changed(key, control.value));
    this.inputs.set(key, control);
    const row = el('label', { class: `setting setting-${key}`, for: id }, el('span', { class: 'label' }, label), control, this.outputs.get(key) ?? null);
    this.rows.set(key, row);
    return row;
  }

  private changed(key: LabKey, text: string): void {
    const numeric = SETTINGS[key].input.kind !== 'select' || NUMERIC_SELECTS.has(key);
    const value = numeric && text.trim() !== '' ? Number(text) : text;
    const error = settingError(key, value);
    if (error) {
      this.onInvalid(`${error.message}; kept ${String(this.current[key])}`);
      this.set(this.current);
      return;
    }
    this.set({ ...this.current, [key]: value });
    this.onChange(this.current);
  }
}
