// Finds the program to run the way execvp would, so a typo fails before any tracing starts.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UserError } from './user-error.js';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function resolveCommand(name: string, pathVariable = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): string {
  if (name.includes('/')) {
    if (isExecutableFile(name)) return name;
    throw new UserError(`cannot run ${name}: no such executable file; check the path`, 127);
  }
  for (const dir of pathVariable.split(delimiter)) {
    const candidate = join(dir || '.', name);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new UserError(`command not found: ${name} (searched PATH); install it or give its full path`, 127);
}
