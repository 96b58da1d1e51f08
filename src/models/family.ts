// What the language-model families (gpt.ts, gru.ts) share: a family is built from a config and
// one parameter array per spec (stacked over members, member-major), holds one variable [M, ...]
// per spec in spec order, hands a member's parameters back as plain arrays, and is made either
// from per-member arrays or by drawing each member from its own random stream. Each family
// supplies a FamilyRecipe (its config check, parameter list and one member's init) and its own
// forward pass and sampling. Nothing here draws a random number: init asks for rngFor(m) and
// the recipe's draw of member m, for m = 0..M-1 in order, and the parameter order is the
// recipe's spec order (checkpoints and golden checksums rely on both).
import type * as tf from '@tensorflow/tfjs';
import type { RandomStream } from '../engine/rng.js';
import { readMember, stackMemberParams, variablesFromStacked, type ParamSpec } from './layers.js';
import type { LmShape, SampleOptions } from './lm.js';
import { checkSampleOptions } from './sampling.js';

export const posInt = (x: number) => Number.isInteger(x) && x >= 1;

/** What a family kind is made of. C: the config it is given; R: that config resolved (defaults filled). */
export interface FamilyRecipe<C extends LmShape, R extends C> {
  /** Names the family in errors ('gpt', 'gru'). */
  readonly name: string;
  /** Fills defaults and checks ranges; throws a one-line error naming the bad field. */
  resolve(config: C): R;
  /** Names and per-member shapes of every parameter, in `variables` order. */
  paramSpecs(config: C): ParamSpec[];
  /** One member's initial parameters, in `variables` order. */
  drawMember(config: C, rng: RandomStream): Float32Array[];
}

/** A family class: its constructor from stacked parameters and its recipe (what init and fromMembers use). */
interface FamilyClass<C extends LmShape, F> {
  new (config: C, members: number, stacked: Float32Array[], trainable?: boolean): F;
  readonly recipe: FamilyRecipe<C, C>;
}

function fromMembersOf<C extends LmShape, F>(family: FamilyClass<C, F>, config: C, params: Float32Array[][], trainable: boolean): F {
  return new family(config, params.length, stackMemberParams(family.recipe.paramSpecs(config), params), trainable);
}

export abstract class MemberFamily<C extends LmShape, R extends C> {
  readonly config: R;
  readonly vocabSize: number;
  readonly context: number;
  readonly members: number;
  readonly paramSpecs: ParamSpec[];
  /** Every parameter [M, ...], in paramSpecs order (stable: checkpoints rely on it). */
  readonly variables: tf.Variable[];

  /** From stacked parameters: stacked[i] holds parameter i (paramSpecs order) of all members, member-major. */
  protected constructor(recipe: FamilyRecipe<C, R>, config: C, members: number, stacked: Float32Array[], trainable: boolean) {
    if (!posInt(members)) throw new Error(`a ${recipe.name} family needs an integer ≥ 1 members, got ${members}`);
    this.config = recipe.resolve(config);
    this.vocabSize = this.config.vocabSize;
    this.context = this.config.context;
    this.members = members;
    this.paramSpecs = recipe.paramSpecs(this.config);
    this.variables = variablesFromStacked(this.paramSpecs, members, stacked, trainable);
  }

  /** M members, member m drawn from rngFor(m) (the recipe's drawMember), in member order. */
  static init<C extends LmShape, F>(this: FamilyClass<C, F>, config: C, members: number, rngFor: (m: number) => RandomStream, trainable = true): F {
    const recipe = this.recipe;
    return fromMembersOf(
      this,
      config,
      Array.from({ length: members }, (_, m) => recipe.drawMember(config, rngFor(m))),
      trainable,
    );
  }

  /** From per-member parameters: params[m] is memberParams(m) of some family (exact copy). */
  static fromMembers<C extends LmShape, F>(this: FamilyClass<C, F>, config: C, params: Float32Array[][], trainable = true): F {
    return fromMembersOf(this, config, params, trainable);
  }

  memberParams(m: number): Float32Array[] {
    return readMember(this.variables, m);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }

  /** The checks every family's sample() starts with: the batch, then the options. */
  protected checkSampleArgs(batch: number, opts: SampleOptions): void {
    if (!posInt(batch)) throw new Error(`sample: batch must be an integer ≥ 1, got ${batch}`);
    checkSampleOptions(opts, this.vocabSize);
  }
}
