#!/usr/bin/env node
// The `traitlab` bin: runs the program and sets the exit code (never process.exit, so
// buffered output reaches the terminal). The commands are registered in main.ts.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
