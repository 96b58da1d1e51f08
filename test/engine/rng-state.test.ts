// A saved stream continues exactly where it stood — uniform draws, integers, tfjs seeds and a
// pending Box–Muller spare — through a JSON or structured-clone round trip, and its children
// are those of the stream it was saved from.
import { describe, expect, it } from 'vitest';
import { restoreStream, rootStream, type RandomStream } from '../../src/engine/rng.js';

const mixed = (s: RandomStream) => [s.next(), s.int(1000), s.seed(), s.normal(), s.normal(), s.normal(), s.next()];

describe('RandomStream.save / restoreStream', () => {
  it('continues the same sequence, mid-way and with a spare normal pending', () => {
    const s = rootStream(5).child('a');
    for (let i = 0; i < 37; i++) s.next();
    s.normal(); // leaves the spare of the pair for the next call
    const state = s.save();
    const expected = mixed(s);
    expect(mixed(restoreStream(state))).toEqual(expected);
    expect(mixed(restoreStream(JSON.parse(JSON.stringify(state))))).toEqual(expected);
    expect(mixed(restoreStream(structuredClone(state)))).toEqual(expected);
  });

  it('a restored stream has the same children, whatever was drawn', () => {
    const s = rootStream(5).child('a');
    for (let i = 0; i < 10; i++) s.next();
    const restored = restoreStream(s.save());
    expect(mixed(restored.child('x'))).toEqual(mixed(rootStream(5).child('a').child('x')));
  });

  it('saving does not move the stream, and a state is a snapshot', () => {
    const s = rootStream(9);
    const state = s.save();
    const first = mixed(s);
    expect(mixed(restoreStream(state))).toEqual(first);
    expect(mixed(rootStream(9))).toEqual(first); // {state: true} draws what seedrandom(key) draws
  });
});
