// The settings form of the numbers world: each setting's label and input (settings-form.ts does
// the rest). λ and β show only with the prefix and the signal that use them.
import { ANIMALS } from '../../worlds/numbers/data.js';
import { LAB_MAX, settingError, type LabConfig, type LabKey } from '../lab-config.js';
import { labSettingsError } from '../numbers-config.js';
import type { FormSpec } from './settings-form.js';

/** The form's order: λ under the prefix source and β under the signal they belong to. */
export const NUMBERS_FORM: FormSpec<LabKey, LabConfig> = {
  settings: {
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
    seeds: { label: 'seeds', input: { kind: 'select', numeric: true, choices: [['1', '1'], ['2', '2'], ['3', '3']] } },
    probeEvery: { label: 'probe every (steps)', input: { kind: 'number', min: 1, max: LAB_MAX.probeEvery } },
  },
  error: (key, value) => settingError(key, value),
  check: labSettingsError,
  unused: (c) => [...(c.prefix === 'mix' ? [] : ['lambda' as const]), ...(c.signal === 'jsd' ? [] : ['beta' as const])],
};
