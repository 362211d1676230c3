#!/usr/bin/env node
// Entry point: the CLI bundled into dist/cli/ (npm run build; tracer/cli/rolldown.config.mjs).
import { main } from '../dist/cli/cttrace.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code || process.exitCode; // an output that failed after main() returned has set 1
  },
  (error) => {
    process.stderr.write(`cttrace: internal error: ${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
