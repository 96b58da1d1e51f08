// The PyTorch peer's plumbing in bench/peer.ts: which python is used, reading workloads.py's
// JSON, and the traitlab/PyTorch table. No timing: fixed figures in, exact text out.
import { describe, expect, it } from 'vitest';
import { findTorchPython, parsePeerJson, peerTable, pythonCandidates, type PeerResult, type TraitlabFigures } from '../../bench/peer.js';

const times = { mlp_m1: 2.5, mlp_m20: 40, gpt_m1: 16, gpt_m8: 110, sample_kv: 45, sample_full: 320 };
const json = JSON.stringify({ ...times, one_thread: { ...times, mlp_m1: 3 }, torch: '1.13.0a0', blas: 'OpenBLAS 0.3.21', threads: 2 });

describe('pythonCandidates / findTorchPython', () => {
  it('tries $TRAITLAB_PYTHON, then python3, then /usr/bin/python3, without repeats', () => {
    expect(pythonCandidates({})).toEqual(['python3', '/usr/bin/python3']);
    expect(pythonCandidates({ TRAITLAB_PYTHON: '/opt/py/bin/python3' })).toEqual(['/opt/py/bin/python3', 'python3', '/usr/bin/python3']);
    expect(pythonCandidates({ TRAITLAB_PYTHON: 'python3' })).toEqual(['python3', '/usr/bin/python3']);
  });

  it('returns the first python that imports torch, or null', () => {
    const tried: string[] = [];
    const probe = (ok: string[]) => (p: string) => (tried.push(p), ok.includes(p));
    expect(findTorchPython(['python3', '/usr/bin/python3'], probe(['/usr/bin/python3']))).toBe('/usr/bin/python3');
    expect(tried).toEqual(['python3', '/usr/bin/python3']);
    expect(findTorchPython(['python3', '/usr/bin/python3'], probe([]))).toBeNull();
  });
});

describe('parsePeerJson', () => {
  it('reads the last line of stdout', () => {
    const r = parsePeerJson(`some warning\n${json}\n`);
    expect(r).toEqual({ ms: times, oneThread: { ...times, mlp_m1: 3 }, torch: '1.13.0a0', blas: 'OpenBLAS 0.3.21', threads: 2 });
  });

  it('rejects output that is not the expected object, in one line', () => {
    expect(() => parsePeerJson('Traceback (most recent call last):')).toThrow('peer: workloads.py printed no JSON object (last line: "Traceback (most recent call last):")');
    expect(() => parsePeerJson('[1]')).toThrow('peer: workloads.py printed JSON that is not an object');
    const o = JSON.parse(json) as Record<string, unknown>;
    expect(() => parsePeerJson(JSON.stringify({ ...o, gpt_m8: -1 }))).toThrow('peer: gpt_m8 is not a positive number: -1');
    expect(() => parsePeerJson(JSON.stringify({ ...o, one_thread: { ...times, sample_kv: null } }))).toThrow('peer: one_thread.sample_kv is not a positive number: null');
    expect(() => parsePeerJson(JSON.stringify({ ...o, one_thread: undefined }))).toThrow('peer: one_thread is missing');
    expect(() => parsePeerJson(JSON.stringify({ ...o, threads: '2' }))).toThrow('peer: torch, blas (strings) and threads (number) are required');
  });
});

describe('peerTable', () => {
  it('compares the fastest backend and wasm with PyTorch', () => {
    const peer: PeerResult = parsePeerJson(json);
    const traitlab: TraitlabFigures = {
      mlp_m1: { wasm: 9.2, cpu: 174 },
      mlp_m20: { wasm: 120, cpu: 3000 },
      gpt_m1: { wasm: 101, cpu: 924 },
      gpt_m8: { wasm: 500 },
      sample_kv: { wasm: 150, node: 30 },
      sample_full: {},
    };
    expect(peerTable(traitlab, peer)).toEqual([
      'workload                        traitlab best ms  traitlab wasm ms  PyTorch ms (2 thr)  PyTorch ms (1 thr)  best / PyTorch  wasm / PyTorch',
      '------------------------------  ----------------  ----------------  ------------------  ------------------  --------------  --------------',
      'MLP step, M=1                        9.20 (wasm)              9.20                2.50                3.00            3.7×            3.7×',
      'MLP step, M=20                        120 (wasm)               120                40.0                40.0            3.0×            3.0×',
      'gpt step, M=1                         101 (wasm)               101                16.0                16.0            6.3×            6.3×',
      'gpt step, M=8                         500 (wasm)               500                 110                 110            4.5×            4.5×',
      'sample 256×16, KV cache              30.0 (node)               150                45.0                45.0            0.7×            3.3×',
      'sample 256×16, full re-forward                 —                 —                 320                 320               —               —',
    ]);
  });
});
