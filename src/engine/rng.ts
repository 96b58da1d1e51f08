// Seeded, named random streams. One root seed per run; every consumer asks for a child stream
// by name (`init`, `data`, `noise`, …), so adding a consumer never shifts another's numbers.
// Math.random is never used anywhere in traitlab.
import seedrandom from 'seedrandom';

export interface RandomStream {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A 31-bit integer, for tfjs ops that take a seed. */
  seed(): number;
  /** Standard normal sample (Box–Muller). */
  normal(): number;
  /** A child stream, derived deterministically from this stream's identity and `name`. */
  child(name: string): RandomStream;
  /** Where the stream stands now; `restoreStream` continues from exactly here. */
  save(): StreamState;
}

/**
 * A stream's position: its name (children are derived from it), seedrandom's ARC4 state and
 * the spare normal sample. Plain data, so it goes into checkpoints and across threads.
 */
export interface StreamState {
  key: string;
  arc4: seedrandom.State.Arc4;
  spare: number | null;
}

class SeededStream implements RandomStream {
  private readonly prng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>;
  private spare: number | null = null;

  /** `from` continues a saved stream; without it the stream starts at the beginning of `key`. */
  constructor(
    private readonly key: string,
    from?: StreamState,
  ) {
    // {state: true} only adds .state(); the numbers drawn are those of seedrandom(key).
    this.prng = from ? seedrandom('', { state: { i: from.arc4.i, j: from.arc4.j, S: [...from.arc4.S] } }) : seedrandom(key, { state: true });
    if (from) this.spare = from.spare;
  }

  next(): number {
    return this.prng.double();
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  seed(): number {
    return this.prng.int32() >>> 1;
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  child(name: string): RandomStream {
    return new SeededStream(`${this.key}/${name}`);
  }

  save(): StreamState {
    return { key: this.key, arc4: this.prng.state(), spare: this.spare };
  }
}

/** The stream `save()` described, continuing exactly where it stood (its children too). */
export function restoreStream(state: StreamState): RandomStream {
  return new SeededStream(state.key, state);
}

/** The root stream of a run. */
export function rootStream(seed: number): RandomStream {
  return new SeededStream(`traitlab:${seed}`);
}

/** Fisher–Yates permutation of 0..n-1 drawn from `rng`. */
export function permutation(n: number, rng: RandomStream): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
