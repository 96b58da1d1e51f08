// Student recipes: 'same-init' starts from the teacher's own init, 'cross-init' from the init
// of a seed outside the run. The context is built as src/worlds/mnist/experiment.ts builds it.
import { beforeAll, describe, expect, it } from 'vitest';
import { studentRegistry } from '../../students/index.js';
import { initContext } from '../../src/worlds/mnist/init-context.js';
import { selectBackend } from '../../src/engine/backend.js';
import { MlpFamily, type MemberInit } from '../../src/models/mlp.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const SIZES = [784, 16, 13];
const M = 3;

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;
const sameParams = (a: MemberInit, b: MemberInit) =>
  a.weights.every((w, l) => sameBits(w, b.weights[l]!)) && a.biases.every((x, l) => sameBits(x, b.biases[l]!));

/** The context runMnistExperiment builds: seed s's init comes from root/init/<s>. */
const context = (rootSeed: number) => initContext(SIZES, rootSeed, M);

describe('student registry', () => {
  it('registers same-init, cross-init and cross-arch by name, each with its base', () => {
    expect([...studentRegistry.keys()].sort()).toEqual(['cross-arch', 'cross-init', 'same-init']);
    expect(Object.fromEntries([...studentRegistry].map(([n, r]) => [n, r.lmBase]))).toEqual({ 'same-init': 'own', 'cross-init': 'other-seed', 'cross-arch': 'other-arch' });
    expect(studentRegistry.get('cross-arch')!.init).toBeUndefined(); // no MNIST recipe
    for (const [name, recipe] of studentRegistry) {
      expect(recipe.name).toBe(name);
      expect(recipe.description.length).toBeGreaterThan(0);
    }
  });

  it("'same-init' gives exactly the teacher's init, member by member (also once in a family)", () => {
    const ctx = context(7);
    const recipe = studentRegistry.get('same-init')!;
    const inits = Array.from({ length: M }, (_, m) => recipe.init!(ctx, m));
    inits.forEach((init, m) => expect(sameParams(init, ctx.teacherInits[m]!)).toBe(true));
    // member m differs from the other members' teachers
    expect(sameParams(inits[0]!, ctx.teacherInits[1]!)).toBe(false);
    const student = new MlpFamily(SIZES, inits);
    try {
      for (let m = 0; m < M; m++) expect(sameParams(student.memberParams(m), ctx.teacherInits[m]!)).toBe(true);
    } finally {
      student.dispose();
    }
  });

  it("'cross-init' gives initOfSeed(members + m), which differs from every teacher's init", () => {
    const ctx = context(7);
    const recipe = studentRegistry.get('cross-init')!;
    const fresh = context(7); // an independent context: the init is a function of root seed and seed index
    for (let m = 0; m < M; m++) {
      const init = recipe.init!(ctx, m);
      expect(sameParams(init, fresh.initOfSeed(M + m))).toBe(true);
      for (const t of ctx.teacherInits) expect(sameParams(init, t)).toBe(false);
      expect(init.weights[0]![0]).not.toBe(ctx.teacherInits[m]!.weights[0]![0]);
    }
    // different members of the cross-init student differ from each other
    expect(sameParams(recipe.init!(ctx, 0), recipe.init!(ctx, 1))).toBe(false);
  });

  it('inits depend on the root seed', () => {
    const a = context(7);
    const b = context(8);
    for (const name of ['same-init', 'cross-init']) {
      const init = studentRegistry.get(name)!.init!;
      expect(sameParams(init(a, 0), init(b, 0))).toBe(false);
    }
  });
});
