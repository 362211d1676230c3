// Where the built web viewer is: web/dist in the package (built by `npm run build:web`).
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

export const viewerDir = join(packageRoot, 'web', 'dist');

/** The self-contained viewer page (web/dist-standalone, `npm run build:web`): `export --html` puts a trace in it. */
export const standaloneViewerPage = join(packageRoot, 'web', 'dist-standalone', 'index.html');
