// A world's settings form. The config it holds is the truth; the inputs show it. A user's change
// is checked with the setting's own field, then with the others (`check`): a valid value
// replaces the setting and is reported, an invalid one is put back with a notice. Rows a config does not use hide (keeping their
// values meanwhile). Each input is `#ctl-<setting>` inside `form#controls`: one panel, so one
// form, is on the page at a time.
import type { ConfigError } from '../../config/errors.js';
import type { Settings } from '../hash-settings.js';
import { el } from './dom.js';

type Choice = readonly (readonly [value: string, label: string])[];

/** How a setting is entered: a list of choices (`numeric`: their values are numbers), a slider in [0, 1], or a number field. */
export type Input = { kind: 'select'; choices: Choice; numeric?: boolean } | { kind: 'range' } | { kind: 'number'; min?: number; max?: number };

export interface FormSpec<K extends string, C extends Settings<K>> {
  /** The settings, in the form's order, each with its label and input. */
  settings: Record<K, { label: string; input: Input }>;
  /** Why `value` is not a valid setting `key`; undefined when it is valid. */
  error(key: K, value: unknown): ConfigError | undefined;
  /** The settings `config` does not use, whose rows hide. */
  unused?(config: C): readonly K[];
  /** Why the settings do not go together (each valid alone); undefined when they do. */
  check?(config: C): ConfigError | undefined;
}

export class SettingsForm<K extends string, C extends Settings<K>> {
  readonly element: HTMLFormElement;
  private readonly keys: K[];
  private readonly inputs = new Map<K, HTMLInputElement | HTMLSelectElement>();
  private readonly outputs = new Map<K, HTMLOutputElement>();
  private readonly rows = new Map<K, HTMLElement>();

  constructor(
    private readonly spec: FormSpec<K, C>,
    private current: C,
    private readonly onChange: (config: C) => void,
    private readonly onInvalid: (line: string) => void,
  ) {
    this.keys = Object.keys(spec.settings) as K[];
    this.element = el('form', { id: 'controls', class: 'controls' }, ...this.keys.map((key) => this.row(key)));
    // The form is never submitted: Enter in a number field commits it (a change event) instead.
    this.element.addEventListener('submit', (e) => e.preventDefault());
    this.set(current);
  }

  get config(): C {
    return this.current;
  }

  /** Shows `config` without reporting a change (on load and import). */
  set(config: C): void {
    this.current = config;
    for (const key of this.keys) {
      const value = String(config[key]);
      this.inputs.get(key)!.value = value;
      const out = this.outputs.get(key);
      if (out) out.value = value;
    }
    const unused = new Set(this.spec.unused?.(config) ?? []);
    for (const [key, row] of this.rows) row.hidden = unused.has(key);
  }

  private row(key: K): HTMLElement {
    const { label, input } = this.spec.settings[key];
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

  private changed(key: K, text: string): void {
    const input = this.spec.settings[key].input;
    const numeric = input.kind !== 'select' || input.numeric === true;
    const value = numeric && text.trim() !== '' ? Number(text) : text;
    const candidate = { ...this.current, [key]: value };
    const error = this.spec.error(key, value) ?? this.spec.check?.(candidate);
    if (error) {
      this.onInvalid(`${error.message}; kept ${String(this.current[key])}`);
      this.set(this.current);
      return;
    }
    this.set(candidate);
    this.onChange(this.current);
  }
}
