// The end-to-end peer benchmark of `npm run bench -- --e2e`, its pure half: which experiments
// and scripts, reading a PyTorch e2e script's JSON and traitlab's summary.json into per-arm
// results, and the two tables. No timing and no processes here: bench/e2e.ts runs things, this
// file only parses and formats (tested in test/bench/peer-e2e.test.ts).

/** What --e2e runs when no --experiment is given, in this order. */
export const E2E_EXPERIMENTS = ['mnist-aux-logits', 'numbers-owl'] as const;

/** The PyTorch peer of an experiment, relative to the package root: `-` becomes `_`. */
export function e2eScript(experiment: string): string {
  return `bench/peer/${experiment.replaceAll('-', '_')}_e2e.py`;
}

/** One arm's result over seeds: the mean and the 95 % t half-width (null when undefined). */
export interface ArmResult {
  metric: string;
  mean: number | null;
  halfWidth: number | null;
  n: number;
}

/** What a PyTorch e2e script reports about its own run. */
export interface E2eResult {
  experiment: string;
  wallS: number;
  phases: Record<string, number>;
  arms: Record<string, ArmResult>;
  torch: string;
  blas: string;
  threads: number;
  peakRssMib: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Parses an e2e script's stdout (its last non-empty line is one JSON object). Throws a one-line
 * error naming the script, as parsePeerJson does for workloads.py.
 */
export function parseE2eJson(stdout: string, script: string): E2eResult {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new Error(`peer: ${script} printed no JSON object (last line: ${JSON.stringify(line.slice(0, 80))})`);
  }
  if (!isObject(raw)) throw new Error(`peer: ${script} printed JSON that is not an object`);
  const bad = (what: string, v: unknown) => new Error(`peer: ${script}: ${what}, got ${JSON.stringify(v) ?? 'nothing'}`);
  if (typeof raw.experiment !== 'string') throw bad('experiment is not a string', raw.experiment);
  if (typeof raw.torch !== 'string' || typeof raw.blas !== 'string') throw bad('torch and blas must be strings', [raw.torch, raw.blas]);
  for (const key of ['wall_s', 'threads', 'peak_rss_mib'] as const)
    if (!isFiniteNumber(raw[key]) || raw[key] <= 0) throw bad(`${key} is not a positive number`, raw[key]);
  if (!isObject(raw.phases)) throw bad('phases is not an object', raw.phases);
  const phases: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw.phases)) {
    if (!isFiniteNumber(v) || v < 0) throw bad(`phases.${k} is not a number of seconds`, v);
    phases[k] = v;
  }
  if (!isObject(raw.arms) || Object.keys(raw.arms).length === 0) throw bad('arms is not a non-empty object', raw.arms);
  const arms: Record<string, ArmResult> = {};
  for (const [name, a] of Object.entries(raw.arms)) {
    if (!isObject(a)) throw bad(`arms.${name} is not an object`, a);
    if (typeof a.metric !== 'string') throw bad(`arms.${name}.metric is not a string`, a.metric);
    // JSON has no NaN: a statistic that is undefined (one seed) comes as null
    for (const key of ['mean', 'half_width'] as const)
      if (a[key] !== null && !isFiniteNumber(a[key])) throw bad(`arms.${name}.${key} is not a number or null`, a[key]);
    if (!Number.isInteger(a.n) || (a.n as number) < 1) throw bad(`arms.${name}.n is not a positive integer`, a.n);
    arms[name] = { metric: a.metric, mean: a.mean as number | null, halfWidth: a.half_width as number | null, n: a.n as number };
  }
  return {
    experiment: raw.experiment,
    wallS: raw.wall_s as number,
    phases,
    arms,
    torch: raw.torch,
    blas: raw.blas,
    threads: raw.threads as number,
    peakRssMib: raw.peak_rss_mib as number,
  };
}

const stat = (v: unknown): number | null => (isFiniteNumber(v) ? v : null);

/**
 * Each arm's headline result from a traitlab summary.json, in file order: MNIST arms' test
 * accuracy, numbers arms' transfer (trait rate above the control student's), emergent-
 * misalignment arms' EM rate. Arms of another shape are left out.
 */
export function traitlabArms(summary: unknown): Record<string, ArmResult> {
  const out: Record<string, ArmResult> = {};
  const arms = isObject(summary) && Array.isArray(summary.arms) ? (summary.arms as unknown[]) : [];
  for (const a of arms) {
    if (!isObject(a) || typeof a.name !== 'string') continue;
    if (Array.isArray(a.accuracy)) out[a.name] = { metric: 'accuracy', mean: stat(a.mean), halfWidth: stat(a.ci95), n: a.accuracy.length };
    else if (isObject(a.transferStats) && Array.isArray(a.transfer))
      out[a.name] = { metric: 'transfer', mean: stat(a.transferStats.mean), halfWidth: stat(a.transferStats.ci95), n: a.transfer.length };
    else if (isObject(a.emStats) && Array.isArray(a.em)) out[a.name] = { metric: 'em', mean: stat(a.emStats.mean), halfWidth: stat(a.emStats.ci95), n: a.em.length };
  }
  return out;
}

/** One experiment's measurements; null where that side did not run or failed. */
export interface E2eRow {
  experiment: string;
  traitlab: { wallS: number; peakRssMib: number | null } | null;
  pytorch: { wallS: number; peakRssMib: number | null } | null;
}

function table(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

const seconds = (s: number) => s.toFixed(1);
const mib = (m: number | null) => (m === null ? 'n/a' : m.toFixed(0));

/** The wall-time and memory table: one row per experiment, and traitlab / PyTorch wall time. */
export function e2eTable(rows: E2eRow[]): string[] {
  const header = ['experiment', 'traitlab s', 'traitlab peak RSS MiB', 'PyTorch s', 'PyTorch peak RSS MiB', 'traitlab / PyTorch'];
  return table(
    header,
    rows.map(({ experiment, traitlab: t, pytorch: p }) => [
      experiment,
      t ? seconds(t.wallS) : '—',
      t ? mib(t.peakRssMib) : '—',
      p ? seconds(p.wallS) : '—',
      p ? mib(p.peakRssMib) : '—',
      t && p ? `${(t.wallS / p.wallS).toFixed(1)}×` : '—',
    ]),
  );
}

/** A statistic to three decimals, or two significant digits when it is small (a transfer of 0.004). */
function value(v: number): string {
  return v === 0 || Math.abs(v) >= 0.1 ? v.toFixed(3) : v.toPrecision(2);
}

function meanCi(a: ArmResult | undefined): string {
  if (!a || a.mean === null) return '—';
  return a.halfWidth === null ? `${value(a.mean)} (n=${a.n})` : `${value(a.mean)} ± ${value(a.halfWidth)} (n=${a.n})`;
}

/**
 * Per-arm results side by side, so a reader sees both did the same science: traitlab's arms in
 * their order, then any arm only the peer reports. Either side may be null (not run).
 */
export function armsTable(traitlab: Record<string, ArmResult> | null, pytorch: Record<string, ArmResult> | null): string[] {
  const names = [...new Set([...Object.keys(traitlab ?? {}), ...Object.keys(pytorch ?? {})])];
  return table(
    ['arm', 'metric', 'traitlab mean ± 95 % CI', 'PyTorch mean ± 95 % CI'],
    names.map((name) => {
      const t = traitlab?.[name];
      const p = pytorch?.[name];
      const metrics = [...new Set([t?.metric, p?.metric].filter((m): m is string => m !== undefined))];
      return [name, metrics.join(' / '), meanCi(t), meanCi(p)];
    }),
  );
}
