// The checkpoint of a run in progress, in `<run>.partial/checkpoint/`, so that an interrupted
// run continues where it stopped (`traitlab run --resume`) and ends with the files an
// uninterrupted run writes:
//
//   run.json             {format, stage, metricsBytes, pid, host, interrupted?}: written when the
//                        run starts (stage "before-arms") and when its arm stage starts ("arms",
//                        with the length of metrics.jsonl then: the stages before the arms are
//                        recomputed on resume and what they logged is kept, not logged again)
//   done-<arm>.json      an arm that finished: its result and metrics records (written as it ends)
//   partial-<arm>.json   an arm stopped between two steps: its loop's state and records so far
//
// Arm files are checkpoint-codec text (checksummed). A run killed outright (SIGKILL, power)
// loses only its unfinished arms: every file here is written atomically as it happens.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ArmDone, ArmPartial, ArmResume } from './pool/arm-control.js';
import { CheckpointCorrupt, decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';
import { writeFileAtomic, writeJsonAtomic } from './run-dir.js';

export const CHECKPOINT_DIR = 'checkpoint';
const FORMAT = 1;

export type CheckpointStage = 'before-arms' | 'arms';

interface RunRecord {
  format: number;
  stage: CheckpointStage;
  /** Length of metrics.jsonl when the arm stage started (0 before it). */
  metricsBytes: number;
  /** The process writing the run, so a second one does not resume it while it runs. */
  pid: number;
  host: string;
  /** Set when the run stopped on request and saved its arms' states. */
  interrupted?: { signal: string; at: string };
}

/** What an interrupted run left. */
export interface LoadedCheckpoint {
  stage: CheckpointStage;
  metricsBytes: number;
  interrupted: { signal: string; at: string } | null;
  /** By arm name: finished arms and arms stopped between two steps. */
  arms: Map<string, ArmResume>;
}

/** A directory with no checkpoint (not a run, an older traitlab's, or one that finished). */
export class NoCheckpoint extends Error {}
/** A checkpoint a process is still writing. */
export class CheckpointInUse extends Error {
  constructor(readonly pid: number) {
    super(`a run (pid ${pid}) is still writing it`);
  }
}
export { CheckpointCorrupt };

const armFile = (kind: 'done' | 'partial', name: string) => `${kind}-${encodeURIComponent(name)}.json`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readRecord(dir: string): RunRecord {
  const file = join(dir, 'run.json');
  if (!existsSync(file)) throw new NoCheckpoint('no checkpoint');
  let r: Partial<RunRecord>;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunRecord>;
  } catch (e) {
    throw new CheckpointCorrupt(`run.json: ${(e as Error).message}`);
  }
  if (r.format !== FORMAT || (r.stage !== 'before-arms' && r.stage !== 'arms') || !Number.isInteger(r.metricsBytes) || r.metricsBytes! < 0 || !Number.isInteger(r.pid) || typeof r.host !== 'string')
    throw new CheckpointCorrupt('run.json is not a traitlab checkpoint record');
  return r as RunRecord;
}

function checkArm(value: unknown, kind: 'done' | 'partial', file: string): ArmResume {
  const a = value as Partial<ArmDone & ArmPartial> | null;
  const ok = typeof a === 'object' && a !== null && typeof a.name === 'string' && armFile(kind, a.name) === file && Number.isInteger(a.steps) && Array.isArray(a.records) && (kind === 'done' ? 'result' in a : typeof a.state === 'object' && a.state !== null);
  if (!ok) throw new CheckpointCorrupt(`${file} is not a traitlab arm checkpoint`);
  return kind === 'done' ? { done: a as ArmDone } : { partial: a as ArmPartial };
}

export class RunCheckpoint {
  private constructor(
    /** `<run>.partial/checkpoint`. */
    readonly dir: string,
    private record: RunRecord,
  ) {}

  /** Starts the checkpoint of a new run in `partialDir`. */
  static begin(partialDir: string): RunCheckpoint {
    const dir = join(partialDir, CHECKPOINT_DIR);
    mkdirSync(dir, { recursive: true });
    const c = new RunCheckpoint(dir, { format: FORMAT, stage: 'before-arms', metricsBytes: 0, pid: process.pid, host: hostname() });
    c.writeRecord();
    return c;
  }

  /** What an interrupted run in `partialDir` left. Throws NoCheckpoint, CheckpointInUse or CheckpointCorrupt. */
  static read(partialDir: string): LoadedCheckpoint {
    const dir = join(partialDir, CHECKPOINT_DIR);
    const record = readRecord(dir);
    if (!record.interrupted && record.host === hostname() && record.pid !== process.pid && alive(record.pid)) throw new CheckpointInUse(record.pid);
    const arms = new Map<string, ArmResume>();
    for (const kind of ['partial', 'done'] as const) // done after partial: a finished arm wins
      for (const file of readdirSync(dir).filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json'))) {
        let value: unknown;
        try {
          value = decodeCheckpoint(readFileSync(join(dir, file), 'utf8'));
        } catch (e) {
          throw new CheckpointCorrupt(`${file}: ${(e as Error).message}`);
        }
        const arm = checkArm(value, kind, file);
        arms.set('done' in arm ? arm.done.name : arm.partial.name, arm);
      }
    if (record.stage === 'before-arms' && arms.size > 0) throw new CheckpointCorrupt('arms are saved but the arm stage never started');
    return { stage: record.stage, metricsBytes: record.metricsBytes, interrupted: record.interrupted ?? null, arms };
  }

  /** Goes on writing the checkpoint `read` found in `partialDir`, as this process. */
  static takeOver(partialDir: string, loaded: LoadedCheckpoint): RunCheckpoint {
    const c = new RunCheckpoint(join(partialDir, CHECKPOINT_DIR), { format: FORMAT, stage: loaded.stage, metricsBytes: loaded.metricsBytes, pid: process.pid, host: hostname() });
    c.writeRecord();
    return c;
  }

  get stage(): CheckpointStage {
    return this.record.stage;
  }

  get metricsBytes(): number {
    return this.record.metricsBytes;
  }

  /** The stages before the arms are done and metrics.jsonl is `metricsBytes` long. */
  armsStarted(metricsBytes: number): void {
    this.record = { ...this.record, stage: 'arms', metricsBytes };
    this.writeRecord();
  }

  armDone(arm: ArmDone): void {
    writeFileAtomic(join(this.dir, armFile('done', arm.name)), encodeCheckpoint(arm));
    rmSync(join(this.dir, armFile('partial', arm.name)), { force: true });
  }

  /** The run stopped on request: keep the arms it had begun, and say so. */
  interrupted(partial: ArmPartial[], signal: string): void {
    for (const arm of partial) writeFileAtomic(join(this.dir, armFile('partial', arm.name)), encodeCheckpoint(arm));
    this.record = { ...this.record, interrupted: { signal, at: new Date().toISOString() } };
    this.writeRecord();
  }

  /** The run finished: its directory holds only the run's own files. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeRecord(): void {
    writeJsonAtomic(join(this.dir, 'run.json'), this.record);
  }
}

/** Cuts `file` back to its first `bytes` bytes (metrics.jsonl to where a checkpoint had it). */
export function truncateTo(file: string, bytes: number): void {
  const size = existsSync(file) ? statSync(file).size : 0;
  if (size < bytes) throw new CheckpointCorrupt(`metrics.jsonl is shorter (${size} bytes) than when the arm stage started (${bytes})`);
  if (size > bytes) truncateSync(file, bytes);
}
