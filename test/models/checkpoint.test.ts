// Checkpoints: a round trip is bit for bit (parameters and logits), for gpt and gru, with the
// SHA-256 of the weights in the header; the write is atomic; every corrupt file (flipped weight
// bytes included) and every format-1 file gives a one-line CheckpointError naming the file, the
// problem and the fix; a checkpoint of another model (kind or config hash) is rejected.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { CheckpointError, modelConfigHash, decodeCheckpoint, encodeCheckpoint, type CheckpointedFamily } from '../../src/models/checkpoint.js';
import { loadCheckpoint, readCheckpointHeader, saveCheckpoint } from '../../src/run/checkpoint-file.js';
import { DiskFull } from '../../src/run/disk-full.js';
import { GptFamily } from '../../src/models/gpt.js';
import type { GptConfig } from '../../src/models/gpt-config.js';
import { GruFamily, type GruConfig } from '../../src/models/gru.js';
import { adamStep, randomTokens, take } from '../support/lm-helpers.js';

const GPT: GptConfig = { vocabSize: 37, context: 12, layers: 2, dModel: 16, heads: 2 };
const GRU: GruConfig = { vocabSize: 37, context: 12, dEmbed: 8, hidden: 16 };
const rngFor = (m: number) => rootStream(5).child('init').child(String(m));
let dir = '';

beforeAll(async () => {
  await selectBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'traitlab-ckpt-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const bits = (f: CheckpointedFamily) => f.variables.map((v) => Array.from(new Uint32Array(Float32Array.from(v.dataSync() as Float32Array).buffer)));
const logitsOf = (f: CheckpointedFamily, tokens: Int32Array) => Array.from(take(tf.tidy(() => f.logits(tf.tensor3d(tokens, [f.members, 3, 10], 'int32')))));

/** A trained-looking gpt family (a few Adam steps, so values are not just the init). */
function trainedGpt(): GptFamily {
  const model = GptFamily.init(GPT, 3, rngFor);
  const opt = tf.train.adam(1e-2);
  const tokens = tf.tensor3d(randomTokens(3 * 4 * 12, 37, 1), [3, 4, 12], 'int32');
  for (let i = 0; i < 2; i++) adamStep(model, opt, tokens);
  tokens.dispose();
  opt.dispose();
  return model;
}

/** The error thrown by f, asserting it is a one-line CheckpointError. */
function checkpointError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a CheckpointError');
}

describe('checkpoint round trip', () => {
  it('a full disk while saving: DiskFull naming the file and its size, the old checkpoint intact, no temp file', () => {
    const model = trainedGpt();
    const path = join(dir, 'full', 'base.ckpt');
    saveCheckpoint(path, model);
    const before = readFileSync(path);
    process.env.TRAITLAB_FAIL_WRITE = 'base.ckpt';
    let thrown: unknown;
    try {
      saveCheckpoint(path, model);
    } catch (e) {
      thrown = e;
    } finally {
      delete process.env.TRAITLAB_FAIL_WRITE;
    }
    expect(thrown).toBeInstanceOf(DiskFull);
    expect(thrown).toMatchObject({ code: 'ENOSPC', file: path, bytes: encodeCheckpoint(model).length });
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('gpt: parameters and logits equal bit for bit; kind, config and members restored; no temp file left', () => {
    const model = trainedGpt();
    const path = join(dir, 'sub', 'gpt.tlck');
    saveCheckpoint(path, model);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    const loaded = loadCheckpoint(path, { kind: 'gpt', configHash: modelConfigHash('gpt', model.config) });
    expect(loaded).toBeInstanceOf(GptFamily);
    expect(loaded.kind).toBe('gpt');
    expect(loaded.config).toEqual(model.config);
    expect(loaded.members).toBe(3);
    expect(bits(loaded)).toEqual(bits(model));
    const tokens = randomTokens(3 * 3 * 10, 37, 2);
    expect(logitsOf(loaded, tokens)).toEqual(logitsOf(model, tokens));
    const header = readCheckpointHeader(path);
    expect(header.format).toBe(2);
    // the recorded checksum is the SHA-256 of exactly the weight bytes after the header
    const file = readFileSync(path);
    const data = file.subarray(file.length - header.byteLength);
    expect(header.dataSha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(Array.from(new Float32Array(Uint8Array.from(data).buffer, 0, 3 * 37 * 16))).toEqual(Array.from(model.variables[0]!.dataSync()));
    expect(header.tensors[0]).toEqual({ name: 'wte', shape: [3, 37, 16] });
    expect(header.configHash).toMatch(/^[0-9a-f]{16}$/);
    expect(readFileSync(path).subarray(0, 4).toString('latin1')).toBe('TLCK');
    model.dispose();
    loaded.dispose();
  });

  it('gru: parameters and logits equal bit for bit', () => {
    const model = GruFamily.init(GRU, 2, rngFor);
    const path = join(dir, 'gru.tlck');
    saveCheckpoint(path, model);
    const loaded = loadCheckpoint(path);
    expect(loaded).toBeInstanceOf(GruFamily);
    expect(bits(loaded)).toEqual(bits(model));
    const tokens = randomTokens(2 * 3 * 10, 37, 3);
    expect(logitsOf(loaded, tokens)).toEqual(logitsOf(model, tokens));
    // overwriting an existing checkpoint works (rename over it)
    saveCheckpoint(path, loaded);
    const again = loadCheckpoint(path);
    expect(bits(again)).toEqual(bits(model));
    again.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('configHash is canonical: key order does not matter, values do', () => {
    const a = modelConfigHash('gpt', { ...GPT, mlpRatio: 4, activation: 'gelu' });
    const reordered = modelConfigHash('gpt', { activation: 'gelu', mlpRatio: 4, heads: 2, dModel: 16, layers: 2, context: 12, vocabSize: 37 });
    expect(reordered).toBe(a);
    expect(modelConfigHash('gpt', { ...GPT, mlpRatio: 4, activation: 'gelu', dModel: 32 })).not.toBe(a);
    expect(modelConfigHash('gru', { ...GPT, mlpRatio: 4, activation: 'gelu' })).not.toBe(a);
  });
});

describe('checkpoint errors', () => {
  let good: Buffer;
  let hash = '';
  const write = (name: string, data: Buffer | string) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const headerLength = (b: Buffer) => b.readUInt32LE(4);
  const withHeader = (b: Buffer, edit: (h: Record<string, unknown>) => void) => {
    const n = headerLength(b);
    const h = JSON.parse(b.toString('utf8', 8, 8 + n)) as Record<string, unknown>;
    edit(h);
    const json = Buffer.from(JSON.stringify(h));
    const prefix = Buffer.alloc(8);
    prefix.write('TLCK', 0, 'latin1');
    prefix.writeUInt32LE(json.length, 4);
    return Buffer.concat([prefix, json, b.subarray(8 + n)]);
  };

  beforeAll(() => {
    const model = GptFamily.init(GPT, 2, rngFor);
    const p = join(dir, 'good.tlck');
    saveCheckpoint(p, model);
    hash = modelConfigHash('gpt', model.config);
    model.dispose();
    good = readFileSync(p);
  });

  it('a missing file', () => {
    const p = join(dir, 'nope.tlck');
    expect(checkpointError(() => loadCheckpoint(p))).toBe(`checkpoint ${p}: does not exist; rebuild it (or fix the path)`);
  });

  it('a truncated file (in the data, in the header, in the prefix)', () => {
    const inData = write('t1.tlck', good.subarray(0, good.length - 10));
    expect(checkpointError(() => loadCheckpoint(inData))).toMatch(new RegExp(`^checkpoint ${inData}: truncated \\(\\d+ of \\d+ data bytes present\\); delete it to rebuild$`));
    const inHeader = write('t2.tlck', good.subarray(0, 20));
    expect(checkpointError(() => loadCheckpoint(inHeader))).toMatch(/: truncated \(header of \d+ bytes, but only 12 follow the prefix\); delete it to rebuild$/);
    const inPrefix = write('t3.tlck', good.subarray(0, 6));
    expect(checkpointError(() => loadCheckpoint(inPrefix))).toMatch(/: truncated \(6 bytes, shorter than the 8-byte prefix\)/);
    const empty = write('t4.tlck', '');
    expect(checkpointError(() => loadCheckpoint(empty))).toMatch(/: truncated \(0 bytes/);
  });

  it('bad magic bytes', () => {
    const p = write('magic.tlck', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), good.subarray(4)]));
    expect(checkpointError(() => loadCheckpoint(p))).toMatch(new RegExp(`^checkpoint ${p}: bad magic bytes .*expected "TLCK"\\): not a traitlab checkpoint; delete it or point to a checkpoint file$`));
  });

  it('bad header JSON', () => {
    const b = Buffer.from(good);
    b.write('{"format":1,', 8, 'utf8'); // overwrite the start so the JSON no longer parses
    b.write('!!', 20, 'utf8');
    const p = write('json.tlck', b);
    expect(checkpointError(() => loadCheckpoint(p))).toMatch(new RegExp(`^checkpoint ${p}: bad header JSON \\(.+\\); delete it to rebuild$`));
  });

  it('a byte length mismatch (header vs tensors; extra data)', () => {
    const p = write('len.tlck', withHeader(good, (h) => (h.byteLength = (h.byteLength as number) + 4)));
    expect(checkpointError(() => loadCheckpoint(p))).toMatch(/: byte length mismatch: the header says \d+ data bytes, its tensors need \d+; delete it to rebuild$/);
    const extra = write('extra.tlck', Buffer.concat([good, Buffer.alloc(8)]));
    expect(checkpointError(() => loadCheckpoint(extra))).toMatch(/: byte length mismatch: 8 bytes after the \d+ data bytes the header declares; delete it to rebuild$/);
  });

  it('an edited config (no longer matching its recorded hash)', () => {
    const p = write('edited.tlck', withHeader(good, (h) => ((h.config as Record<string, unknown>).heads = 4)));
    expect(checkpointError(() => loadCheckpoint(p))).toMatch(/: its config hashes to [0-9a-f]{16}, but the header records [0-9a-f]{16} \(the header was edited or corrupted\); delete it to rebuild$/);
  });

  it('a checkpoint of another model: config hash or kind differs from `expected`', () => {
    const p = join(dir, 'good.tlck');
    const ok = loadCheckpoint(p, { kind: 'gpt', configHash: hash });
    expect(ok.members).toBe(2);
    ok.dispose();
    const other = modelConfigHash('gpt', { ...GPT, mlpRatio: 4, activation: 'gelu', layers: 3 });
    expect(checkpointError(() => loadCheckpoint(p, { kind: 'gpt', configHash: other }))).toBe(
      `checkpoint ${p}: written for config hash ${hash}, expected ${other} (the model config changed); delete it to rebuild`,
    );
    expect(checkpointError(() => loadCheckpoint(p, { kind: 'gru', configHash: hash }))).toBe(`checkpoint ${p}: holds a gpt model, expected gru; delete it to rebuild`);
  });

  it('64 flipped bytes in the weights (same size): refused, naming the checksums', () => {
    const b = Buffer.from(good);
    for (let i = 0; i < 64; i++) b[b.length - 1000 + i]! ^= 0xff;
    const p = write('flipped.tlck', b);
    expect(b.length).toBe(good.length);
    expect(checkpointError(() => loadCheckpoint(p))).toMatch(
      new RegExp(`^checkpoint ${p}: its weights are corrupted \\(their SHA-256 is [0-9a-f]{16}…, the header records [0-9a-f]{16}…\\); delete it to rebuild$`),
    );
    // one flipped bit is enough
    const bit = Buffer.from(good);
    bit[bit.length - 1]! ^= 0x01;
    expect(checkpointError(() => loadCheckpoint(write('bit.tlck', bit)))).toMatch(/its weights are corrupted/);
  });

  it('a format-1 file (no checksum) is refused with the rebuild line; so is a format-2 header without dataSha256', () => {
    const v1 = write('v1.tlck', withHeader(good, (h) => {
      h.format = 1;
      delete h.dataSha256;
    }));
    expect(checkpointError(() => loadCheckpoint(v1))).toBe(`checkpoint ${v1}: format 1, which has no checksum of its weights (this traitlab reads format 2 only); delete it to rebuild`);
    const noSum = write('nosum.tlck', withHeader(good, (h) => delete h.dataSha256));
    expect(checkpointError(() => loadCheckpoint(noSum))).toBe(`checkpoint ${noSum}: bad header: dataSha256 is not 64 hex digits; delete it to rebuild`);
  });

  it('encode/decode in memory (the browser-safe half) round-trips and checks the same way', () => {
    const model = GptFamily.init(GPT, 2, rngFor);
    const bytes = encodeCheckpoint(model);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes).equals(good)).toBe(true); // the same init gives the same file
    const back = decodeCheckpoint('in-memory', bytes, { kind: 'gpt', configHash: hash });
    expect(bits(back)).toEqual(bits(model));
    bytes[bytes.length - 5]! ^= 0x40;
    expect(checkpointError(() => decodeCheckpoint('in-memory', bytes))).toMatch(/^checkpoint in-memory: its weights are corrupted/);
    model.dispose();
    back.dispose();
  });
});
