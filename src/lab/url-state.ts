// The lab's state in the URL hash: which world is shown, and that world's settings.
//   numbers: #target=owl&student=same-init&prefix=teacher-fixed&signal=forward-kl&lambda=0.5&beta=0.5&steps=300&lr=0.002&ts=1&tl=1&seeds=1&probe=10
//   MNIST:   #world=mnist&seeds=2&tepochs=2&noise=60000&depochs=1&lr=0.001&probe=16
// No `world` (or world=numbers) is the numbers world, so the links made before there was a
// second world still open what they did. Reading is forgiving (hash-settings.ts). Pure.
import { LAB_WORLDS, type LabWorld } from './experiment-json.js';
import { hashOfSettings, settingsFromHash, type HashSpec, type HashState } from './hash-settings.js';
import { DEFAULT_CONFIG, LAB_KEYS, settingError, type LabConfig, type LabKey } from './lab-config.js';
import { labSettingsError } from './numbers-config.js';
import { DEFAULT_MNIST_CONFIG, MNIST_KEYS, mnistSettingError, type MnistConfig, type MnistKey } from './mnist-config.js';

/** The URL key of each numbers setting. */
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

/** The URL key of each MNIST setting. */
export const MNIST_URL_KEYS: Record<MnistKey, string> = {
  seeds: 'seeds',
  teacherEpochs: 'tepochs',
  noiseImages: 'noise',
  distillEpochs: 'depochs',
  learningRate: 'lr',
  probeEvery: 'probe',
};

const NUMBERS: HashSpec<LabKey, LabConfig> = { keys: LAB_KEYS, urlKeys: URL_KEYS, defaults: DEFAULT_CONFIG, error: settingError, check: labSettingsError };
const MNIST: HashSpec<MnistKey, MnistConfig> = { keys: MNIST_KEYS, urlKeys: MNIST_URL_KEYS, defaults: DEFAULT_MNIST_CONFIG, error: mnistSettingError };

export type UrlState = HashState<LabConfig>;

/** The hash (without '#') for the numbers settings `config`: every setting, in LAB_KEYS order (no `world`: numbers is the default). */
export const hashOf = (config: LabConfig): string => hashOfSettings(NUMBERS, config);

/** The numbers settings in `hash` (with or without its '#'), each bad one replaced by its default. */
export const configFromHash = (hash: string): UrlState => settingsFromHash(NUMBERS, hash);

/** The hash (without '#') for the MNIST settings `config`: `world=mnist`, then every setting in MNIST_KEYS order. */
export const mnistHashOf = (config: MnistConfig): string => hashOfSettings(MNIST, config, { world: 'mnist' });

/** The MNIST settings in `hash`, each bad one replaced by its default. */
export const mnistConfigFromHash = (hash: string): HashState<MnistConfig> => settingsFromHash(MNIST, hash);

/** The world `hash` shows: its `world`, numbers when there is none; a bad one falls back to numbers with a notice. */
export function worldFromHash(hash: string): { world: LabWorld; notices: string[] } {
  const world = new URLSearchParams(hash.replace(/^#/, '')).get('world');
  if (world === null) return { world: LAB_WORLDS[0], notices: [] };
  if ((LAB_WORLDS as readonly string[]).includes(world)) return { world: world as LabWorld, notices: [] };
  const choices = LAB_WORLDS.map((w) => `"${w}"`).join(', ');
  return { world: LAB_WORLDS[0], notices: [`world: invalid value ${JSON.stringify(world)}; use one of ${choices}; using the default "${LAB_WORLDS[0]}"`] };
}
