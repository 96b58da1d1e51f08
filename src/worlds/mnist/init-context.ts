// Where every initialisation of a run comes from: seed s draws its parameters from the stream
// root/init/<s>. Teachers are seeds 0..M−1; a student recipe may ask for any seed's init.
import type { StudentInitContext } from '../../../students/index.js';
import { rootStream } from '../../engine/rng.js';
import { drawMemberInit, type MemberInit } from '../../models/mlp.js';

export interface InitContext extends StudentInitContext {
  teacherInits: MemberInit[];
}

export function initContext(sizes: number[], rootSeed: number, members: number): InitContext {
  const initRoot = rootStream(rootSeed).child('init');
  const cache = new Map<number, MemberInit>();
  const initOfSeed = (seed: number): MemberInit => {
    let init = cache.get(seed);
    if (!init) cache.set(seed, (init = drawMemberInit(sizes, initRoot.child(String(seed)))));
    return init;
  };
  const teacherInits = Array.from({ length: members }, (_, i) => initOfSeed(i));
  return { members, teacherInits, teacherInit: (m) => teacherInits[m]!, initOfSeed };
}
