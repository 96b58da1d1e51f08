// Checkpoints of language-model families as bytes (browser-safe; reading and writing files is
// src/run/checkpoint-file.ts):
//
//   bytes 0..3   'TLCK'
//   bytes 4..7   header length n (uint32, little-endian)
//   bytes 8..    header: UTF-8 JSON, space-padded so the data starts at a multiple of 4
//                {format: 2, kind, config, configHash, members, tensors: [{name, shape}], byteLength, dataSha256}
//   then         byteLength bytes: every tensor's float32 values (little-endian), in `tensors` order
//
// configHash = first 16 hex digits of sha256(canonical JSON of {kind, config}); a loader that
// expects a given model passes its hash, and a checkpoint of any other model is rejected.
// dataSha256 = sha256 of the data bytes, checked on every load: a flipped bit in the weights
// would otherwise load as a slightly different model and change results without a word. Format 1
// (no dataSha256) is refused for the same reason. Every problem is a CheckpointError with one
// line naming the file, what is wrong and what to do.
import { canonicalJson } from '../engine/canonical-json.js';
import { sha256Hex, sha256OfText } from '../engine/sha256.js';
import { GptFamily } from './gpt.js';
import { gptParamSpecs, type GptConfig } from './gpt-config.js';
import { GruFamily, gruParamSpecs, type GruConfig } from './gru.js';
import { sizeOf } from './layers.js';

export const CHECKPOINT_MAGIC = 'TLCK';
export const CHECKPOINT_FORMAT = 2;

export type LmKind = 'gpt' | 'gru';
/** A family a checkpoint can hold. */
export type CheckpointedFamily = GptFamily | GruFamily;

/** What a CheckpointError says to do unless its caller knows better (base-cache.ts does). */
export const DEFAULT_FIX = 'delete it to rebuild';

/** A checkpoint file that cannot be used; the message is one line: `checkpoint <file>: <problem>; <fix>`. */
export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix: string = DEFAULT_FIX,
  ) {
    super(`checkpoint ${file}: ${problem}; ${fix}`);
    this.name = 'CheckpointError';
  }
}

export interface CheckpointHeader {
  format: number;
  kind: LmKind;
  config: GptConfig | GruConfig;
  configHash: string;
  members: number;
  /** Full shapes, members axis first: [M, ...]. */
  tensors: { name: string; shape: number[] }[];
  /** Bytes of float32 data after the header. */
  byteLength: number;
  /** SHA-256 (hex) of those bytes. */
  dataSha256: string;
}

/** First 16 hex digits of sha256(canonical JSON of {kind, config}). Pass a resolved config (family.config). */
export function modelConfigHash(kind: string, config: object): string {
  return sha256OfText(canonicalJson({ kind, config })).slice(0, 16);
}

/** The 8-byte prefix and the space-padded header JSON. */
function headerBytes(header: CheckpointHeader): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((8 + json.length) % 4)) % 4; // the data starts 4-aligned
  const out = new Uint8Array(8 + json.length + pad);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  new DataView(out.buffer).setUint32(4, json.length + pad, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length); // spaces: still valid JSON
  return out;
}

/** The bytes of a checkpoint of `family` (read its variables outside any tidy). */
export function encodeCheckpoint(family: CheckpointedFamily): Uint8Array {
  const tensors = family.paramSpecs.map((s) => ({ name: s.name, shape: [family.members, ...s.shape] }));
  const byteLength = tensors.reduce((n, t) => n + 4 * sizeOf(t.shape), 0);
  // Float32Array stores in the machine's byte order; every platform tfjs runs on is little-endian.
  const data = new Uint8Array(byteLength);
  let offset = 0;
  for (const v of family.variables) {
    const values = v.dataSync() as Float32Array;
    data.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    offset += values.byteLength;
  }
  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    kind: family.kind,
    config: family.config,
    configHash: modelConfigHash(family.kind, family.config),
    members: family.members,
    tensors,
    byteLength,
    dataSha256: sha256Hex(data),
  };
  const head = headerBytes(header);
  const out = new Uint8Array(head.length + byteLength);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;
const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** Checks every part of a checkpoint's bytes, its data checksum included; `file` names it in errors. */
export function decodeCheckpointHeader(file: string, buf: Uint8Array): { header: CheckpointHeader; dataOffset: number } {
  const fail = (what: string, fix?: string): never => {
    throw new CheckpointError(file, what, fix);
  };
  if (buf.length >= 4 && latin1(buf.subarray(0, 4)) !== CHECKPOINT_MAGIC)
    fail(`bad magic bytes (${JSON.stringify(latin1(buf.subarray(0, 4)))}, expected "${CHECKPOINT_MAGIC}"): not a traitlab checkpoint`, 'delete it or point to a checkpoint file');
  if (buf.length < 8) fail(`truncated (${buf.length} bytes, shorter than the 8-byte prefix)`);
  const headerLength = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(4, true);
  const dataOffset = 8 + headerLength;
  if (buf.length < dataOffset) fail(`truncated (header of ${headerLength} bytes, but only ${buf.length - 8} follow the prefix)`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(buf.subarray(8, dataOffset)));
  } catch (e) {
    fail(`bad header JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  if (!isObject(raw)) return fail('bad header JSON (not an object)');
  if (raw.format === 1) fail(`format 1, which has no checksum of its weights (this traitlab reads format ${CHECKPOINT_FORMAT} only)`);
  if (raw.format !== CHECKPOINT_FORMAT) fail(`unsupported format ${JSON.stringify(raw.format)} (this traitlab reads format ${CHECKPOINT_FORMAT})`);
  if (raw.kind !== 'gpt' && raw.kind !== 'gru') fail(`unknown model kind ${JSON.stringify(raw.kind)} (expected "gpt" or "gru")`);
  if (!isObject(raw.config)) fail('bad header: config is not an object');
  if (typeof raw.configHash !== 'string') fail('bad header: configHash is not a string');
  if (!(isCount(raw.members) && raw.members >= 1)) fail(`bad header: members ${JSON.stringify(raw.members)} is not an integer ≥ 1`);
  if (!isCount(raw.byteLength)) fail(`bad header: byteLength ${JSON.stringify(raw.byteLength)} is not an integer ≥ 0`);
  if (typeof raw.dataSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(raw.dataSha256)) fail('bad header: dataSha256 is not 64 hex digits');
  const tensors = raw.tensors;
  if (!Array.isArray(tensors) || !tensors.every((t) => isObject(t) && typeof t.name === 'string' && Array.isArray(t.shape) && t.shape.every(isCount)))
    fail('bad header: tensors is not a list of {name, shape}');
  const header = raw as unknown as CheckpointHeader;
  const expectedBytes = header.tensors.reduce((n, t) => n + 4 * sizeOf(t.shape), 0);
  if (header.byteLength !== expectedBytes) fail(`byte length mismatch: the header says ${header.byteLength} data bytes, its tensors need ${expectedBytes}`);
  const present = buf.length - dataOffset;
  if (present < header.byteLength) fail(`truncated (${present} of ${header.byteLength} data bytes present)`);
  if (present > header.byteLength) fail(`byte length mismatch: ${present - header.byteLength} bytes after the ${header.byteLength} data bytes the header declares`);
  const hash = modelConfigHash(header.kind, header.config);
  if (hash !== header.configHash) fail(`its config hashes to ${hash}, but the header records ${header.configHash} (the header was edited or corrupted)`);
  const dataHash = sha256Hex(buf.subarray(dataOffset));
  if (dataHash !== header.dataSha256)
    fail(`its weights are corrupted (their SHA-256 is ${dataHash.slice(0, 16)}…, the header records ${header.dataSha256.slice(0, 16)}…)`);
  return { header, dataOffset };
}

/**
 * A family of the kind the checkpoint bytes hold. `expected` (the kind and modelConfigHash(kind,
 * config) of the model the caller wants) rejects a checkpoint of any other model. Throws
 * CheckpointError for truncated or corrupt bytes, or a mismatch.
 */
export function decodeCheckpoint(file: string, buf: Uint8Array, expected?: { kind: string; configHash: string }, trainable = true): CheckpointedFamily {
  const { header, dataOffset } = decodeCheckpointHeader(file, buf);
  if (expected !== undefined) {
    if (expected.kind !== header.kind) throw new CheckpointError(file, `holds a ${header.kind} model, expected ${expected.kind}`);
    if (expected.configHash !== header.configHash)
      throw new CheckpointError(file, `written for config hash ${header.configHash}, expected ${expected.configHash} (the model config changed)`);
  }
  const specs = safeSpecs(file, () => (header.kind === 'gpt' ? gptParamSpecs(header.config as GptConfig) : gruParamSpecs(header.config as GruConfig)));
  const names = header.tensors.map((t) => `${t.name}[${t.shape.join(',')}]`).join(' ');
  const want = specs.map((s) => `${s.name}[${[header.members, ...s.shape].join(',')}]`).join(' ');
  if (names !== want) throw new CheckpointError(file, `its tensors do not match a ${header.kind} model of its config (${names} vs ${want})`);
  const stacked: Float32Array[] = [];
  let offset = dataOffset;
  for (const t of header.tensors) {
    const n = sizeOf(t.shape);
    const values = new Float32Array(n); // a fresh, aligned copy: buf's data need not be 4-aligned in memory
    new Uint8Array(values.buffer).set(buf.subarray(offset, offset + 4 * n));
    stacked.push(values);
    offset += 4 * n;
  }
  return header.kind === 'gpt'
    ? new GptFamily(header.config as GptConfig, header.members, stacked, trainable)
    : new GruFamily(header.config as GruConfig, header.members, stacked, trainable);
}

function safeSpecs<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new CheckpointError(file, `bad config (${(e as Error).message})`);
  }
}
