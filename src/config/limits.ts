// Upper bounds on what an experiment file may hold. Every value of a file is copied into the
// run's manifest.json (and read back on resume), and every arm is trained: a 50 MB note or
// 400,000 arms would be accepted, copied and started on without these. The bounds sit far above
// any real experiment (the shipped files: ≤ 24 arms, ≤ 17 claims, ≤ 9 notes of ≤ 750
// characters, 16 kB) and each is checked by the schema, so the error names the field path and
// the limit like any other (`notes.pretrain: must be at most 20000 characters long …`).
import { z } from 'zod';

export const LIMITS = {
  /** Bytes of an experiment file, checked before it is read and parsed. */
  fileBytes: 10 * 1024 * 1024,
  /** Characters of a free-text field: description, a note, a claim's text, $schema. */
  text: 20_000,
  /** Characters of a name: the experiment, an arm, a recipe, a target, a claim id, a note's key. */
  name: 100,
  /** Items of a list: arms, subliminal arms, claims, cells to evaluate, parameter groups. */
  list: 1_000,
  /** Entries of `notes`. */
  notes: 200,
} as const;

/** A free-text field of at most LIMITS.text characters. */
export const textField = () => z.string().max(LIMITS.text);

/** A non-empty name of at most LIMITS.name characters. */
export const nameField = () => z.string().min(1).max(LIMITS.name);

/** A list of at most LIMITS.list items. */
export const listField = <T extends z.ZodType>(item: T) => z.array(item).max(LIMITS.list);

/** `notes`: why each non-default value was chosen, keyed by field; at most LIMITS.notes entries. */
export const notesField = () =>
  z
    .record(z.string().max(LIMITS.name), textField())
    .meta({ maxProperties: LIMITS.notes })
    .superRefine((notes, ctx) => {
      const n = Object.keys(notes).length;
      if (n > LIMITS.notes) ctx.addIssue({ code: 'custom', message: `must have at most ${LIMITS.notes} entries (got ${n}); keep one short note per field that needs one` });
    });

/** MB with one decimal, for messages about file sizes. */
export const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
