// Model checkpoints on disk: the bytes of src/models/checkpoint.ts, written atomically (a temp
// file, flushed, renamed over the target) and checked in full, data checksum included, on every
// read.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeBytesAtomic } from './run-dir.js';
import { CheckpointError, decodeCheckpoint, decodeCheckpointHeader, encodeCheckpoint, type CheckpointedFamily, type CheckpointHeader } from '../models/checkpoint.js';

/** Writes `family` to `path` atomically (as run files are: see writeBytesAtomic). */
export function saveCheckpoint(path: string, family: CheckpointedFamily): void {
  const bytes = encodeCheckpoint(family);
  mkdirSync(dirname(path), { recursive: true });
  writeBytesAtomic(path, bytes);
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'ENOENT'
      ? new CheckpointError(path, 'does not exist', 'rebuild it (or fix the path)')
      : new CheckpointError(path, `cannot be read (${code ?? String(e)})`, 'check its permissions');
  }
}

/** Reads and checks a checkpoint (its data checksum too) without building the model. */
export function readCheckpointHeader(path: string): CheckpointHeader {
  return decodeCheckpointHeader(path, readBytes(path)).header;
}

/**
 * Reads a checkpoint and returns a family of the kind it holds; `expected` rejects a checkpoint
 * of another model. Throws CheckpointError for a missing, truncated or corrupt file (a data
 * checksum that does not match included), an older format, or a mismatch.
 */
export function loadCheckpoint(path: string, expected?: { kind: string; configHash: string }, trainable = true): CheckpointedFamily {
  return decodeCheckpoint(path, readBytes(path), expected, trainable);
}
