// The lab's settings in the URL (the TensorFlow Playground habit: a link reproduces the run).
// The hash holds every setting under a short key, in a fixed order:
//   #target=owl&student=same-init&prefix=teacher-fixed&signal=forward-kl&lambda=0.5&beta=0.5&steps=300&lr=0.002&ts=1&tl=1&seeds=1&probe=10
// Reading is forgiving, one setting at a time: a missing key takes its default silently, a bad
// value takes its default with a notice naming the key, the problem and the default, so a
// mistyped link still opens a working page. Pure: no DOM, no location.
import { DEFAULT_CONFIG, LAB_KEYS, settingError, type LabConfig, type LabKey } from './lab-config.js';

/** The URL key of each setting. */
export const URL_KEYS: Record<LabKey, string> = {
  target: 'target',
  student: 'student',
  prefix: 'prefix',
  signal: 'signal',
  lambda: 'lambda',
  beta: 'beta',
  steps: 'steps',
  learningRate: 'lr',
  samplingTemperature: 'ts',
  lossTemperature: 'tl',
  seeds: 'seeds',
  probeEvery: 'probe',
};

const NUMERIC = new Set<LabKey>(LAB_KEYS.filter((k) => typeof DEFAULT_CONFIG[k] === 'number'));

/** A decimal number as String(n) writes one (`0.002`, `1e-7`, `-3`); no hex, no blanks, no ''. */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The hash (without '#') for `config`: every setting, in LAB_KEYS order; a number as String(n), which Number() reads back exactly. */
export function hashOf(config: LabConfig): string {
  const params = new URLSearchParams();
  for (const key of LAB_KEYS) params.set(URL_KEYS[key], String(config[key]));
  return params.toString();
}

/** A URL value as the setting's type: a number for numeric settings when it reads as one. */
function typed(key: LabKey, text: string): unknown {
  return NUMERIC.has(key) && DECIMAL.test(text) ? Number(text) : text;
}

export interface UrlState {
  config: LabConfig;
  /** One line per setting that fell back to its default, and per unknown key. */
  notices: string[];
}

const show = (value: string | number) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** The settings in `hash` (with or without its '#'), each bad one replaced by its default. */
export function configFromHash(hash: string): UrlState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const config: LabConfig = { ...DEFAULT_CONFIG };
  const notices: string[] = [];
  const set = <K extends LabKey>(key: K, value: unknown) => {
    config[key] = value as LabConfig[K];
  };
  for (const key of LAB_KEYS) {
    const text = params.get(URL_KEYS[key]);
    if (text === null) continue;
    const value = typed(key, text);
    const error = settingError(key, value, URL_KEYS[key]);
    if (error) notices.push(`${error.message}; using the default ${show(DEFAULT_CONFIG[key])}`);
    else set(key, value);
  }
  const known = new Set(Object.values(URL_KEYS));
  for (const name of new Set(params.keys()))
    if (!known.has(name)) notices.push(`${name}: unknown setting in the link; ignored (settings: ${[...known].join(', ')})`);
  return { config, notices };
}
