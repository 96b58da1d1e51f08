// A world's settings in the URL hash, whatever the world (the TensorFlow Playground habit: a
// link reproduces the run). Every setting has a short key and is written in a fixed order.
// Reading is forgiving, one setting at a time: a missing key takes its default silently, a bad
// value takes its default with a notice naming the key, the problem and the default, an unknown
// key is named and ignored; so a mistyped link still opens a working page. Pure: no DOM, no
// location.
import type { ConfigError } from '../config/errors.js';

/** A world's settings: each a number or a string. */
export type Settings<K extends string> = Record<K, string | number>;

/** What the hash needs to know of a world's settings. */
export interface HashSpec<K extends string, C extends Settings<K>> {
  /** The settings, in the hash's order. */
  keys: readonly K[];
  /** The URL key of each setting. */
  urlKeys: Record<K, string>;
  defaults: C;
  /** Why `value` is not a valid setting `key`, named `path` (the URL key); undefined when it is valid. */
  error(key: K, value: unknown, path: string): ConfigError | undefined;
  /** Why the settings do not go together (each valid alone); undefined when they do. */
  check?(config: C): ConfigError | undefined;
}

/** What the hash holds besides a world's settings: which world is shown (url-state.ts). */
export const PAGE_KEYS = ['world'] as const;

/** A decimal number as String(n) writes one (`0.002`, `1e-7`, `-3`); no hex, no blanks, no ''. */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The hash (without '#'): `lead` first, then every setting in order; a number as String(n), which Number() reads back exactly. */
export function hashOfSettings<K extends string, C extends Settings<K>>(spec: HashSpec<K, C>, config: C, lead: Record<string, string> = {}): string {
  const params = new URLSearchParams(lead);
  for (const key of spec.keys) params.set(spec.urlKeys[key], String(config[key]));
  return params.toString();
}

export interface HashState<C> {
  config: C;
  /** One line per setting that fell back to its default, and per unknown key. */
  notices: string[];
}

const show = (value: string | number) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** The settings in `hash` (with or without its '#'), each bad one replaced by its default. */
export function settingsFromHash<K extends string, C extends Settings<K>>(spec: HashSpec<K, C>, hash: string): HashState<C> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const config = { ...spec.defaults };
  const notices: string[] = [];
  for (const key of spec.keys) {
    const text = params.get(spec.urlKeys[key]);
    if (text === null) continue;
    // A URL value is text: read it as a number where the setting is one and the text reads as one.
    const value = typeof spec.defaults[key] === 'number' && DECIMAL.test(text) ? Number(text) : text;
    const error = spec.error(key, value, spec.urlKeys[key]);
    if (error) notices.push(`${error.message}; using the default ${show(spec.defaults[key])}`);
    else config[key] = value as C[K];
  }
  const known = new Set<string>(spec.keys.map((k) => spec.urlKeys[k]));
  for (const name of new Set(params.keys()))
    if (!known.has(name) && !(PAGE_KEYS as readonly string[]).includes(name)) notices.push(`${name}: unknown setting in the link; ignored (settings: ${[...known].join(', ')})`);
  // Settings valid one by one that do not go together (a link written by hand): all defaults.
  const clash = spec.check?.(config);
  if (clash) return { config: { ...spec.defaults }, notices: [...notices, `${clash.message}; using the default settings`] };
  return { config, notices };
}
