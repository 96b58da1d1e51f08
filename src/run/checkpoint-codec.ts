// The text of checkpoint files: JSON that keeps what JSON.stringify loses — typed arrays (as
// base64 of their bytes, in this machine's byte order: a checkpoint is resumed where it was
// made), NaN, ±Infinity and −0 — after a first line with the SHA-256 of the rest, so a damaged
// or truncated file is recognised instead of resumed from.
import { createHash } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A checkpoint file whose text is not what encodeCheckpoint wrote. */
export class CheckpointCorrupt extends Error {}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array) return { $f32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Int32Array) return { $i32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { $num: Object.is(value, -0) ? '-0' : String(value) };
  return value;
}

/** The bytes of `b64` in a fresh, aligned buffer. */
const bytes = (b64: string): ArrayBuffer => new Uint8Array(Buffer.from(b64, 'base64')).buffer;

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const v = value as { $f32?: unknown; $i32?: unknown; $num?: unknown };
  if (typeof v.$f32 === 'string') return new Float32Array(bytes(v.$f32));
  if (typeof v.$i32 === 'string') return new Int32Array(bytes(v.$i32));
  if (typeof v.$num === 'string') return v.$num === '-0' ? -0 : Number(v.$num);
  return value;
}

export function encodeCheckpoint(value: unknown): string {
  const body = JSON.stringify(value, replacer);
  return `${sha256(body)}\n${body}\n`;
}

export function decodeCheckpoint(text: string): unknown {
  const newline = text.indexOf('\n');
  const body = newline < 0 ? '' : text.slice(newline + 1).replace(/\n$/, '');
  if (newline !== 64 || sha256(body) !== text.slice(0, 64)) throw new CheckpointCorrupt('its checksum does not match its contents');
  try {
    return JSON.parse(body, reviver);
  } catch (e) {
    throw new CheckpointCorrupt(`invalid JSON (${(e as Error).message})`);
  }
}
