// `traitlab schema`: the JSON Schema of experiment files, for editors (`"$schema": …`).
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { z } from 'zod';
import { experimentJsonSchema } from '../registry/experiment-json-schema.js';
import { worldNames } from '../registry/worlds.js';
import { writeFileAtomic } from '../run/run-dir.js';
import type { CliIo } from './io.js';
import { parseOptions } from './options.js';

/** The options, with the worlds registered when the command runs. */
const schemaOptions = () => z.object({ out: z.string().min(1).optional(), world: z.enum(worldNames() as [string, ...string[]]).default('mnist') }).strict();

export function registerSchema(program: Command, io: CliIo): void {
  program
    .command('schema')
    .description('print the JSON Schema of experiment files')
    .option('--world <world>', `which world's experiment files: ${worldNames().join(', ')}`, 'mnist')
    .option('--out <file>', 'write it to this file instead of stdout')
    .action((raw: unknown) => {
      const opts = parseOptions(schemaOptions(), raw);
      const text = JSON.stringify(experimentJsonSchema(opts.world), null, 2);
      if (opts.out === undefined) return io.out(text);
      const file = resolve(io.cwd, opts.out);
      writeFileAtomic(file, `${text}\n`);
      io.out(`wrote ${file}`);
    });
}
