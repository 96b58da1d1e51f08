// Checkpoints of language-model families: one file per family, written atomically.
//
//   bytes 0..3   'TLCK'
//   bytes 4..7   header length n (uint32, little-endian)
//   bytes 8..    header: UTF-8 JSON, space-padded so the data starts at a multiple of 4
//                {format: 1, kind, config, configHash, members, tensors: [{name, shape}], byteLength}
//   then         byteLength bytes: every tensor's float32 values (little-endian), in `tensors` order
//
// configHash = first 16 hex digits of sha256(canonical JSON of {kind, config}); a loader that
// expects a given model passes its hash, and a checkpoint of any other model is rejected. Every
// problem reading a file is a CheckpointError with one line naming the file, what is wrong and
// what to do.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GptFamily, gptParamSpecs, type GptConfig } from './gpt.js';
import { GruFamily, gruParamSpecs, type GruConfig } from './gru.js';
import { sizeOf } from './layers.js';

export const CHECKPOINT_MAGIC = 'TLCK';
export const CHECKPOINT_FORMAT = 1;

export type LmKind = 'gpt' | 'gru';
/** A family a checkpoint can hold. */
export type CheckpointedFamily = GptFamily | GruFamily;

/** A checkpoint file that cannot be used; the message is one line naming the file and the fix. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
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
}

/** JSON with object keys sorted at every depth: equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** First 16 hex digits of sha256(canonical JSON of {kind, config}). Pass a resolved config (family.config). */
export function configHash(kind: string, config: object): string {
  return createHash('sha256').update(canonicalJson({ kind, config })).digest('hex').slice(0, 16);
}

/** Writes `family` to `path` atomically (path.tmp, flushed, renamed over path). */
export function saveCheckpoint(path: string, family: CheckpointedFamily): void {
  const tensors = family.paramSpecs.map((s) => ({ name: s.name, shape: [family.members, ...s.shape] }));
  const byteLength = tensors.reduce((n, t) => n + 4 * sizeOf(t.shape), 0);
  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    kind: family.kind,
    config: family.config,
    configHash: configHash(family.kind, family.config),
    members: family.members,
    tensors,
    byteLength,
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((8 + json.length) % 4)) % 4;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, ' ')]);
  const prefix = Buffer.alloc(8);
  prefix.write(CHECKPOINT_MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, 4);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, json);
    for (const v of family.variables) {
      const data = v.dataSync() as Float32Array; // outside any tidy
      writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;

/** Reads and checks a checkpoint's header without building the model. */
export function readCheckpointHeader(path: string): CheckpointHeader {
  return parse(path, readBytes(path)).header;
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(
      code === 'ENOENT' ? `checkpoint ${path} does not exist; rebuild it (or fix the path)` : `checkpoint ${path} cannot be read (${code ?? String(e)}); check its permissions`,
    );
  }
}

function parse(path: string, buf: Buffer): { header: CheckpointHeader; dataOffset: number } {
  const fail = (what: string, fix = 'delete it to rebuild'): never => {
    throw new CheckpointError(`checkpoint ${path}: ${what}; ${fix}`);
  };
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) !== CHECKPOINT_MAGIC)
    fail(`bad magic bytes (${JSON.stringify(buf.toString('latin1', 0, 4))}, expected "${CHECKPOINT_MAGIC}"): not a traitlab checkpoint`, 'delete it or point to a checkpoint file');
  if (buf.length < 8) fail(`truncated (${buf.length} bytes, shorter than the 8-byte prefix)`);
  const headerLength = buf.readUInt32LE(4);
  const dataOffset = 8 + headerLength;
  if (buf.length < dataOffset) fail(`truncated (header of ${headerLength} bytes, but only ${buf.length - 8} follow the prefix)`);
  let raw: unknown;
  try {
    raw = JSON.parse(buf.toString('utf8', 8, dataOffset));
  } catch (e) {
    fail(`bad header JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  if (!isObject(raw)) return fail('bad header JSON (not an object)');
  if (raw.format !== CHECKPOINT_FORMAT) fail(`unsupported format ${JSON.stringify(raw.format)} (this traitlab reads format ${CHECKPOINT_FORMAT})`);
  if (raw.kind !== 'gpt' && raw.kind !== 'gru') fail(`unknown model kind ${JSON.stringify(raw.kind)} (expected "gpt" or "gru")`);
  if (!isObject(raw.config)) fail('bad header: config is not an object');
  if (typeof raw.configHash !== 'string') fail('bad header: configHash is not a string');
  if (!(isCount(raw.members) && raw.members >= 1)) fail(`bad header: members ${JSON.stringify(raw.members)} is not an integer ≥ 1`);
  if (!isCount(raw.byteLength)) fail(`bad header: byteLength ${JSON.stringify(raw.byteLength)} is not an integer ≥ 0`);
  const tensors = raw.tensors;
  if (!Array.isArray(tensors) || !tensors.every((t) => isObject(t) && typeof t.name === 'string' && Array.isArray(t.shape) && t.shape.every(isCount)))
    fail('bad header: tensors is not a list of {name, shape}');
  const header = raw as unknown as CheckpointHeader;
  const expectedBytes = header.tensors.reduce((n, t) => n + 4 * sizeOf(t.shape), 0);
  if (header.byteLength !== expectedBytes) fail(`byte length mismatch: the header says ${header.byteLength} data bytes, its tensors need ${expectedBytes}`);
  const present = buf.length - dataOffset;
  if (present < header.byteLength) fail(`truncated (${present} of ${header.byteLength} data bytes present)`);
  if (present > header.byteLength) fail(`byte length mismatch: ${present - header.byteLength} bytes after the ${header.byteLength} data bytes the header declares`);
  const hash = configHash(header.kind, header.config);
  if (hash !== header.configHash) fail(`its config hashes to ${hash}, but the header records ${header.configHash} (the header was edited or corrupted)`);
  return { header, dataOffset };
}

/**
 * Reads a checkpoint and returns a family of the kind it holds. `expected` (the kind and
 * configHash(kind, config) of the model the caller wants) rejects a checkpoint of any other
 * model. Throws CheckpointError for a missing, truncated or corrupt file, or a mismatch.
 */
export function loadCheckpoint(path: string, expected?: { kind: string; configHash: string }, trainable = true): CheckpointedFamily {
  const buf = readBytes(path);
  const { header, dataOffset } = parse(path, buf);
  if (expected !== undefined) {
    if (expected.kind !== header.kind)
      throw new CheckpointError(`checkpoint ${path} holds a ${header.kind} model, expected ${expected.kind}; delete it to rebuild`);
    if (expected.configHash !== header.configHash)
      throw new CheckpointError(
        `checkpoint ${path} was written for config hash ${header.configHash}, expected ${expected.configHash} (the model config changed); delete it to rebuild`,
      );
  }
  const specs = safeSpecs(path, () => (header.kind === 'gpt' ? gptParamSpecs(header.config as GptConfig) : gruParamSpecs(header.config as GruConfig)));
  const names = header.tensors.map((t) => `${t.name}[${t.shape.join(',')}]`).join(' ');
  const want = specs.map((s) => `${s.name}[${[header.members, ...s.shape].join(',')}]`).join(' ');
  if (names !== want) throw new CheckpointError(`checkpoint ${path}: its tensors do not match a ${header.kind} model of its config (${names} vs ${want}); delete it to rebuild`);
  const stacked: Float32Array[] = [];
  let offset = dataOffset;
  for (const t of header.tensors) {
    const n = sizeOf(t.shape);
    const values = new Float32Array(n);
    new Uint8Array(values.buffer).set(buf.subarray(offset, offset + 4 * n));
    stacked.push(values);
    offset += 4 * n;
  }
  return header.kind === 'gpt'
    ? new GptFamily(header.config as GptConfig, header.members, stacked, trainable)
    : new GruFamily(header.config as GruConfig, header.members, stacked, trainable);
}

function safeSpecs<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new CheckpointError(`checkpoint ${path}: bad config (${(e as Error).message}); delete it to rebuild`);
  }
}
