// Where the package's own files are, whether running from tracer/ (tests), dist/tracer/ (built) or
// dist/cli/ (the bundled CLI): the first folder up that holds package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cttrace: cannot find the package root (package.json)');
    dir = parent;
  }
  return dir;
}

export const packageRoot = findPackageRoot();
export const nativeLibraryPath = join(packageRoot, 'native', 'build', 'libcttrace.so');
