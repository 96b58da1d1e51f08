// The PyTorch peer of `npm run bench -- --peer`: finding a python3 that imports torch, reading
// the JSON that bench/peer/workloads.py prints, and the traitlab/PyTorch table. No timing here:
// bench.ts measures, this file only parses and formats (tested in test/bench/peer.test.ts).

export const PEER_INSTALL = 'sudo apt-get install python3-torch libopenblas0';

/** Where the script lives, relative to the package root. */
export const PEER_SCRIPT = 'bench/peer/workloads.py';

/**
 * Pythons to try, in order: $TRAITLAB_PYTHON if set, then `python3` on PATH, then Debian's
 * /usr/bin/python3 (a pyenv or venv python3 on PATH does not see Debian's python3-torch).
 */
export function pythonCandidates(env: Record<string, string | undefined>): string[] {
  const list = [env.TRAITLAB_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return [...new Set(list)];
}

/** The first candidate for which `imports(candidate)` (does `python -c "import torch"` succeed). */
export function findTorchPython(candidates: string[], imports: (python: string) => boolean): string | null {
  for (const c of candidates) if (imports(c)) return c;
  return null;
}

/** The workloads, in table order: the peer JSON key and the row label. */
export const PEER_WORKLOADS = [
  { key: 'mlp_m1', label: 'MLP step, M=1' },
  { key: 'mlp_m20', label: 'MLP step, M=20' },
  { key: 'gpt_m1', label: 'gpt step, M=1' },
  { key: 'gpt_m8', label: 'gpt step, M=8' },
  { key: 'sample_kv', label: 'sample 256×16, KV cache' },
  { key: 'sample_full', label: 'sample 256×16, full re-forward' },
] as const;

export type PeerKey = (typeof PEER_WORKLOADS)[number]['key'];

export interface PeerResult {
  /** Median ms per workload at `threads` threads. */
  ms: Record<PeerKey, number>;
  /** The same at one thread. */
  oneThread: Record<PeerKey, number>;
  torch: string;
  blas: string;
  threads: number;
}

/** Parses workloads.py's stdout (one JSON object; the last non-empty line). Throws a one-line error. */
export function parsePeerJson(stdout: string): PeerResult {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new Error(`peer: workloads.py printed no JSON object (last line: ${JSON.stringify(line.slice(0, 80))})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('peer: workloads.py printed JSON that is not an object');
  const o = raw as Record<string, unknown>;
  const times = (src: Record<string, unknown>, where: string): Record<PeerKey, number> => {
    const out = {} as Record<PeerKey, number>;
    for (const { key } of PEER_WORKLOADS) {
      const v = src[key];
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new Error(`peer: ${where}${key} is not a positive number: ${JSON.stringify(v)}`);
      out[key] = v;
    }
    return out;
  };
  const one = o.one_thread;
  if (typeof one !== 'object' || one === null) throw new Error('peer: one_thread is missing');
  if (typeof o.torch !== 'string' || typeof o.blas !== 'string' || typeof o.threads !== 'number')
    throw new Error('peer: torch, blas (strings) and threads (number) are required');
  return { ms: times(o, ''), oneThread: times(one as Record<string, unknown>, 'one_thread.'), torch: o.torch, blas: o.blas, threads: o.threads };
}

export const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** traitlab's figures for one workload: ms per backend measured in this run. */
export type TraitlabFigures = Record<PeerKey, Partial<Record<string, number>>>;

/** Lines of the traitlab/PyTorch table: best backend and wasm against PyTorch at its threads. */
export function peerTable(traitlab: TraitlabFigures, peer: PeerResult): string[] {
  const t = peer.threads;
  const header = ['workload', 'traitlab best ms', 'traitlab wasm ms', `PyTorch ms (${t} thr)`, 'PyTorch ms (1 thr)', 'best / PyTorch', 'wasm / PyTorch'];
  const ratio = (a: number | undefined, b: number) => (a === undefined ? '—' : `${(a / b).toFixed(1)}×`);
  const body = PEER_WORKLOADS.map(({ key, label }) => {
    const byBackend = Object.entries(traitlab[key]).filter((e): e is [string, number] => e[1] !== undefined);
    const best = byBackend.length ? byBackend.reduce((a, b) => (b[1] < a[1] ? b : a)) : undefined;
    const wasm = traitlab[key].wasm;
    const py = peer.ms[key];
    return [
      label,
      best ? `${fmt(best[1])} (${best[0]})` : '—',
      wasm === undefined ? '—' : fmt(wasm),
      fmt(py),
      fmt(peer.oneThread[key]),
      ratio(best?.[1], py),
      ratio(wasm, py),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}
